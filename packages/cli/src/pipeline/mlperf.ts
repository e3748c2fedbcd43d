import { Target } from '@tinyforge/boards';
import { Transport } from '@tinyforge/flasher';
import { Graph, isTinyforgeError, seededUniform, tensorBytes } from '@tinyforge/ir';
import { checkMlperfReply, dbLoadCommands, MlperfInferReply, MlperfReplyReader, mlperfCommand, parseInferReply, unitsPerTick } from '@tinyforge/serial-profiler';
import { BoardRunError } from './errors';
import { boardInfo } from './profile-firmware';
import { LoadMethod, PipelineStage, runOnBoard, RunOnBoardOptions } from './run-on-board';

/**
 * What the MLPerf Tiny runner's performance mode does per benchmark (its tests_performance.yaml): `loop 5` of
 * download + `infer N W`, and the run must last at least 10 s.
 */
export const MLPERF_BENCHMARKS: Record<string, { minInferences: number; warmups: number }> = {
  kws01: { minInferences: 70, warmups: 10 },
  ad01: { minInferences: 1500, warmups: 10 },
  ic01: { minInferences: 20, warmups: 5 },
  vww01: { minInferences: 20, warmups: 5 },
};

/** The benchmark a model file is, from its name (kws…, ad…/anomaly…, ic…/resnet…, vww…/person…). */
export function mlperfModelIdFor(file: string): string | undefined {
  const base = file.replace(/^.*[\\/]/, '').toLowerCase();
  if (/kws|keyword/.test(base)) return 'kws01';
  if (/^ad[_-]|anomaly|autoencoder/.test(base)) return 'ad01';
  if (/^ic[_-]|resnet|cifar/.test(base)) return 'ic01';
  if (/vww|person|mobilenet/.test(base)) return 'vww01';
  return undefined;
}

export interface MlperfLoop {
  iterations: number;
  warmups: number;
  /** Board time of the timed inferences (the two m-lap-us stamps), µs. */
  microseconds: number;
  /** Counter ticks of the timed inferences, in `unit` (instructions on virtual boards). */
  count: number;
  perInference: { microseconds: number; count: number };
}

export interface MlperfRunResult {
  board: string;
  modelId: string;
  /** The device's own words: m-name and m-profile / m-model lines. */
  device: string[];
  unit: 'cycles' | 'instructions';
  clockHz: number;
  loops: MlperfLoop[];
  /** Median over the loops of one inference, in `unit` and at the board's clock (count / clock), and inferences per
   *  second at that clock. (On virtual boards the m-lap-us stamps are QEMU's virtual time, 2^icountShift ns per
   *  instruction, not the board's clock.) */
  median: { count: number; milliseconds: number; throughput: number };
  results: number[];
  flashMs?: number;
  buildMs: number;
}

export interface MlperfRunOptions {
  graph: Graph;
  modelBytes?: Uint8Array;
  board: Target;
  modelId: string;
  /** The model input to load (all inputs back to back); default: seeded random bytes. */
  input?: Uint8Array;
  /** Shortest timed run per loop, board seconds (the runner's 10 s). */
  minSeconds?: number;
  /** Loops of download + infer (the runner's 5). */
  loops?: number;
  /** Fewest timed inferences per loop (default: the benchmark's, else 1). */
  minInferences?: number;
  warmups?: number;
  load?: LoadMethod;
  onProgress?: (stage: PipelineStage, message: string) => void;
  onFlashProgress?: RunOnBoardOptions['onFlashProgress'];
  /** After each loop. */
  onLoop?: (done: number, total: number, loop: MlperfLoop) => void;
}

/** The runner's side of the console: commands out, replies (lines up to m-ready) in. */
class RunnerConsole {
  private readonly reader = new MlperfReplyReader();
  private wake: (() => void) | undefined;
  private closed = false;
  readonly text: string[] = [];

  constructor(
    private readonly transport: Transport,
    private readonly where: string,
  ) {
    void this.pump();
  }

  async command(text: string, timeoutMs: number): Promise<string[]> {
    await this.transport.write(new TextEncoder().encode(mlperfCommand(text)));
    return this.reply(timeoutMs, `the answer to '${text.length > 40 ? `${text.slice(0, 40)}…` : text}'`);
  }

  async reply(timeoutMs: number, what: string): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = this.reader.next();
      if (r !== undefined) return r;
      if (this.closed) throw new BoardRunError('RUN_BOARD_CLOSED', `${this.where}: the console closed while waiting for ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new BoardRunError('RUN_BOARD_TIMEOUT', `${this.where}: no m-ready within ${timeoutMs} ms while waiting for ${what}${this.text.length > 0 ? `; last text: ${JSON.stringify(this.text.slice(-1)[0].slice(0, 120))}` : ''}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  private async pump(): Promise<void> {
    let line = '';
    for (;;) {
      try {
        const b = await this.transport.read(1, 1000);
        const c = String.fromCharCode(b[0]);
        this.reader.push(c);
        if (c === '\n') {
          this.text.push(line.replace(/\r$/, ''));
          if (this.text.length > 50) this.text.shift();
          line = '';
          this.wake?.();
        } else {
          line += c;
        }
      } catch (e) {
        if (isTinyforgeError(e) && e.code === 'FLASH_TIMEOUT') continue;
        this.closed = true;
        this.wake?.();
        return;
      }
    }
  }
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/**
 * `tinyforge mlperf`: build the board application speaking the MLPerf Tiny runner's protocol, flash it to a virtual
 * board and drive it as the runner's performance mode does: check name and model, then per loop download the input
 * and `infer N W` (W warm-ups, N timed inferences: the benchmark's minimum, or more to last `minSeconds` of board
 * time, measured by a first single inference), and report the median latency per inference.
 */
export async function runMlperf(o: MlperfRunOptions): Promise<MlperfRunResult> {
  const bench = MLPERF_BENCHMARKS[o.modelId];
  const loops = o.loops ?? 5;
  const minSeconds = o.minSeconds ?? 10;
  const warmups = o.warmups ?? bench?.warmups ?? 10;
  const minInferences = o.minInferences ?? bench?.minInferences ?? 1;
  const inputBytes = o.graph.inputs.reduce((s, t) => s + tensorBytes(o.graph.tensors[t]), 0);
  const next = seededUniform(1);
  const input = o.input ?? Uint8Array.from({ length: inputBytes }, () => Math.floor(next() * 256));
  if (input.length !== inputBytes) throw new BoardRunError('RUN_BOARD_OPTION', `the input has ${input.length} bytes; the model takes ${inputBytes}`);
  const scale = unitsPerTick(boardInfo(o.board));
  const progress = o.onProgress ?? (() => undefined);

  const drive = async (transport: Transport, start: () => void) => {
    const where = `${o.board.name} (MLPerf Tiny protocol)`;
    const device = new RunnerConsole(transport, where);
    start();
    await device.reply(60_000, 'the start-up m-ready');
    const name = await device.command('name', 10_000);
    const profile = await device.command('profile', 10_000);
    checkMlperfReply([...name, ...profile], 'name/profile');
    if (!profile.includes(`m-model-[${o.modelId}]`)) throw new BoardRunError('RUN_BOARD_PROTOCOL', `${where}: the device announces ${profile.find((l) => l.startsWith('m-model-')) ?? 'no model'}, expected m-model-[${o.modelId}]`);
    const download = async () => {
      for (const c of dbLoadCommands(input)) checkMlperfReply(await device.command(c.slice(0, -1), 10_000), 'db');
    };
    const infer = async (n: number, w: number, guessUs: number): Promise<MlperfInferReply> => {
      // Board time is not host time (a loaded host runs QEMU slower): a generous multiple of the expected time.
      const r = parseInferReply(await device.command(`infer ${n} ${w}`, 120_000 + Math.ceil((20 * (n + w) * guessUs) / 1000)));
      if (r.ticks === undefined) throw new BoardRunError('RUN_BOARD_PROTOCOL', `${where}: the infer reply has no m-tfg-ticks line (not a tinyforge firmware?)`);
      return r;
    };
    progress('run', `downloading ${input.length} bytes and timing one inference`);
    await download();
    const probe = await infer(1, 0, 10_000_000);
    const oneUs = Math.max(1, probe.lapUs[1] - probe.lapUs[0]);
    const iterations = Math.max(minInferences, Math.ceil((minSeconds * 1e6) / oneUs));
    const done: MlperfLoop[] = [];
    let results: number[] = [];
    for (let k = 0; k < loops; k++) {
      progress('run', `loop ${k + 1}/${loops}: download, infer ${iterations} ${warmups}`);
      await download();
      const r = await infer(iterations, warmups, oneUs);
      const microseconds = r.lapUs[1] - r.lapUs[0];
      const count = (r.ticks ?? 0) * scale;
      const loop = { iterations, warmups, microseconds, count, perInference: { microseconds: microseconds / iterations, count: count / iterations } };
      done.push(loop);
      results = r.results;
      o.onLoop?.(k + 1, loops, loop);
    }
    return { device: [...name, ...profile].filter((l) => l !== 'm-ready'), loops: done, results };
  };

  const run = await runOnBoard({
    model: o.graph,
    modelBytes: o.modelBytes,
    board: o.board,
    inputs: [],
    load: o.load,
    onProgress: o.onProgress,
    onFlashProgress: o.onFlashProgress,
    mlperf: { modelId: o.modelId, drive },
  });
  const m = run.mlperf as Awaited<ReturnType<typeof drive>>;
  const count = median(m.loops.map((l) => l.perInference.count));
  const clockHz = o.board.clockHz;
  return {
    board: run.board,
    modelId: o.modelId,
    device: m.device,
    unit: run.unit,
    clockHz,
    loops: m.loops,
    median: { count, milliseconds: (count / clockHz) * 1000, throughput: count > 0 ? clockHz / count : 0 },
    results: m.results,
    flashMs: run.flash?.milliseconds,
    buildMs: run.timings.build,
  };
}
