import { CycleModelError } from './errors';
import { Instruction, parseInAsmLine } from './instruction';

/**
 * Stream parser for QEMU's `-d in_asm,exec,nochain` log (checked on Debian's qemu-system-arm 7.2):
 *
 *   IN: symbol                                    a translation block (TB) as translated, once:
 *   0x0000000c:  1809       adds     r1, r1, r0   one line per guest instruction, then a blank line
 *   Trace 0: 0x7fcff8000280 [00800408/0000000c/00000110/ff020200] symbol
 *                                                 one line per TB execution: host code address, [cs_base/pc/flags/cflags]
 *   Stopped execution of TB chain before 0x7f.. [0000000c]
 *                                                 the TB just logged did not run (icount budget or an exit request
 *                                                 at its start): that execution is taken back
 *   cpu_io_recompile: rewound execution of TB to 0000abcd
 *                                                 under -icount, an I/O access in the middle of the TB just logged:
 *                                                 only its instructions before that address ran; QEMU then runs
 *                                                 the I/O instruction as a TB of its own
 *
 * With `nochain` every TB execution passes through the logging, so counting executions per TB and per pair of
 * consecutive TBs (an edge: it tells whether the first one's final branch was taken) is the whole instruction
 * stream. Nothing per line is kept: memory is per distinct TB and edge.
 *
 * Per-layer attribution follows the firmware's own profiler hooks without changing them: an execution window opens
 * when the model's invoke function is entered and closes when control comes back to its return address; inside it,
 * the k-th call of the counter function (tfg_cycles_read) from the invoke function is layer k/2's BEGIN (k even:
 * the layer runs from that call's return address on) or its END (k odd).
 */

export interface Block {
  /** 1-based; 0 stands for "the trace ended here" in edges. */
  id: number;
  pc: number;
  instructions: Instruction[];
  /** Address just past the last instruction: where it falls through to. */
  end: number;
}

/** Addresses (from the ELF's symbols) that place executions in layers. */
export interface LayerHooks {
  /** Entry of the model's invoke function: the window opens when it is called. */
  windowEntry: number;
  /** Entry of the counter function the layer hooks call (tfg_cycles_read). */
  counterEntry: number;
  /** [start, end) of the function whose calls to the counter are layer hooks (the invoke function). */
  callerStart: number;
  callerEnd: number;
}

/** Where block executions are counted: before/after the window, inside it between layers, or in layer k. */
export const OUTSIDE = 0;
export const BETWEEN_LAYERS = 1;
export const layerSegment = (layer: number): number => 2 + layer;

export interface TraceProfile {
  blocks: Block[];
  /** Per segment (OUTSIDE, BETWEEN_LAYERS, layerSegment(k)): edge key (from * EDGE_BASE + to) → executions. */
  segments: Map<number, number>[];
  /** Layers whose BEGIN hook was seen. */
  layerCount: number;
  /** Times the window was entered (one inference = 1). */
  windows: number;
  /** Log lines read, TB executions counted, taken back (not run) and cut short by an I/O access. */
  lines: number;
  executions: number;
  stopped: number;
  ioRewinds: number;
}

export const EDGE_BASE = 2 ** 22;
export const edgeFrom = (key: number): number => Math.floor(key / EDGE_BASE);
export const edgeTo = (key: number): number => key % EDGE_BASE;

type State = { kind: 'outside' } | { kind: 'window' } | { kind: 'layer'; layer: number };

export class TraceParser {
  private readonly blocks: Block[] = [];
  private readonly byShape = new Map<string, Block>();
  private readonly byHost = new Map<string, Block>();
  /** Translated but not yet executed (the next Trace line with the same pc binds it to its host address). */
  private readonly pending = new Map<number, Block>();
  private inBlock: Instruction[] | undefined;
  private readonly segments: Map<number, number>[] = [new Map(), new Map()];
  private partial = '';

  /** The last execution counted, and the one logged after it (not final until the next line says it ran). */
  private current: { block: Block; segment: number } | undefined;
  private candidate: Block | undefined;

  private state: State = { kind: 'outside' };
  private windowReturn = -1;
  private hookCalls = 0;
  private resume: { layer: number; address: number } | undefined;
  private layerCount = 0;
  private windows = 0;
  private lines = 0;
  private executions = 0;
  private stopped = 0;
  private ioRewinds = 0;

  constructor(private readonly hooks?: LayerHooks) {}

  /** Feed a chunk of the log (any split; lines may span chunks). */
  push(chunk: Buffer | string): void {
    const text = this.partial + (typeof chunk === 'string' ? chunk : chunk.toString('latin1'));
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      this.line(text.slice(start, nl));
      start = nl + 1;
    }
    this.partial = text.slice(start);
  }

  /** The counts so far, once the log has ended. */
  finish(): TraceProfile {
    if (this.partial) this.line(this.partial);
    this.partial = '';
    this.endBlock();
    if (this.candidate !== undefined) this.commit(this.candidate);
    this.candidate = undefined;
    this.commit(undefined);
    return {
      blocks: this.blocks,
      segments: this.segments,
      layerCount: this.layerCount,
      windows: this.windows,
      lines: this.lines,
      executions: this.executions,
      stopped: this.stopped,
      ioRewinds: this.ioRewinds,
    };
  }

  private line(line: string): void {
    this.lines++;
    const c = line.charCodeAt(0);
    if (c === 84 /* T */ && line.startsWith('Trace ')) {
      this.endBlock();
      this.trace(line);
    } else if (this.inBlock !== undefined) {
      if (c === 48 /* 0 */) {
        const insn = parseInAsmLine(line);
        if (insn !== undefined) this.inBlock.push(insn);
      } else this.endBlock();
    } else if (c === 73 /* I */ && line.startsWith('IN:')) {
      this.inBlock = [];
    } else if (c === 83 /* S */ && line.startsWith('Stopped execution of TB chain')) {
      if (this.candidate !== undefined) {
        this.candidate = undefined;
        this.executions--;
        this.stopped++;
      }
    } else if (c === 99 /* c */ && line.startsWith('cpu_io_recompile: rewound execution of TB to ')) {
      this.rewind(parseInt(line.slice('cpu_io_recompile: rewound execution of TB to '.length), 16));
    }
  }

  private endBlock(): void {
    const insns = this.inBlock;
    this.inBlock = undefined;
    if (insns === undefined || insns.length === 0) return;
    this.pending.set(insns[0].address, this.blockOf(insns));
  }

  /** One Block per distinct (start, instruction count): QEMU may translate the same code again (after a flush). */
  private blockOf(insns: Instruction[]): Block {
    const key = `${insns[0].address}:${insns.length}`;
    let block = this.byShape.get(key);
    if (block === undefined) {
      const last = insns[insns.length - 1];
      block = { id: this.blocks.length + 1, pc: insns[0].address, instructions: insns, end: last.address + last.size };
      if (block.id >= EDGE_BASE) throw new CycleModelError('CYCLES_TRACE', `more than ${EDGE_BASE - 1} distinct translation blocks`);
      this.blocks.push(block);
      this.byShape.set(key, block);
    }
    return block;
  }

  private trace(line: string): void {
    // Trace 0: 0x7fcff8000280 [00800408/0000000c/00000110/ff020200] symbol
    const colon = line.indexOf(': ');
    const bracket = line.indexOf(' [', colon);
    const slash1 = line.indexOf('/', bracket);
    const slash2 = line.indexOf('/', slash1 + 1);
    if (colon < 0 || bracket < 0 || slash1 < 0 || slash2 < 0) throw new CycleModelError('CYCLES_TRACE', `unreadable trace line '${line.slice(0, 120)}'`);
    const host = line.slice(colon + 2, bracket);
    const pc = parseInt(line.slice(slash1 + 1, slash2), 16);
    let block = this.pending.get(pc);
    if (block !== undefined) {
      this.pending.delete(pc);
      this.byHost.set(host, block);
    } else {
      block = this.byHost.get(host);
      if (block === undefined || block.pc !== pc) {
        throw new CycleModelError('CYCLES_TRACE', `execution of a translation block at 0x${pc.toString(16)} whose instructions were not logged (was the log started with -d in_asm,exec,nochain?)`);
      }
    }
    if (this.candidate !== undefined) this.commit(this.candidate);
    this.candidate = block;
    this.executions++;
  }

  /** The TB just logged ran only up to `address` (exclusive): count that prefix as a block of its own. */
  private rewind(address: number): void {
    const tb = this.candidate;
    if (tb === undefined) return;
    this.ioRewinds++;
    const prefix = tb.instructions.filter((i) => i.address < address);
    if (prefix.length === tb.instructions.length) return;
    if (prefix.length === 0) {
      this.candidate = undefined;
      this.executions--;
    } else this.candidate = this.blockOf(prefix);
  }

  /** `next` ran after `current`: count the edge in current's segment and move on (next undefined: trace end). */
  private commit(next: Block | undefined): void {
    if (next !== undefined && this.hooks !== undefined) this.follow(next);
    const segment = this.segmentOf();
    if (this.current !== undefined) {
      const counts = this.segments[this.current.segment];
      const key = this.current.block.id * EDGE_BASE + (next?.id ?? 0);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    this.current = next === undefined ? undefined : { block: next, segment };
  }

  private segmentOf(): number {
    if (this.state.kind === 'outside') return OUTSIDE;
    if (this.state.kind === 'window') return BETWEEN_LAYERS;
    const s = layerSegment(this.state.layer);
    while (this.segments.length <= s) this.segments.push(new Map());
    return s;
  }

  /** Window and layer transitions for `next`, entered from `current`. */
  private follow(next: Block): void {
    const hooks = this.hooks as LayerHooks;
    const from = this.current?.block;
    if (this.state.kind === 'outside') {
      if (next.pc === hooks.windowEntry && from !== undefined) {
        this.state = { kind: 'window' };
        this.windowReturn = from.end;
        this.hookCalls = 0;
        this.resume = undefined;
        this.windows++;
      }
      return;
    }
    if (next.pc === this.windowReturn) {
      this.state = { kind: 'outside' };
      return;
    }
    if (next.pc === hooks.counterEntry && from !== undefined && from.pc >= hooks.callerStart && from.pc < hooks.callerEnd) {
      const k = this.hookCalls++;
      if (k % 2 === 0) {
        this.resume = { layer: k / 2, address: from.end };
        this.layerCount = Math.max(this.layerCount, k / 2 + 1);
      }
      this.state = { kind: 'window' };
      return;
    }
    if (this.resume !== undefined && next.pc === this.resume.address) {
      this.state = { kind: 'layer', layer: this.resume.layer };
      this.resume = undefined;
    }
  }
}
