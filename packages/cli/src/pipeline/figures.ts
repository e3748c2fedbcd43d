import { ramRegions, SizeReport, Target } from '@tinyforge/boards';
import { ArenaRegion, GeneratedC } from '@tinyforge/codegen-c';
import { Graph, tensorBytes } from '@tinyforge/ir';
import { RamInUse } from '@tinyforge/serial-profiler';

/**
 * The figures tinyforge prints about a model and its firmware, each defined once here and printed the same way by
 * codegen, build, run and the demo (README "Figures"):
 * - weights: bytes of flash the model's constant data (weights, biases, requantization multipliers and shifts,
 *   tables) takes as linked, alignment padding included — the firmware's .weights section;
 * - arena: bytes of the one static RAM buffer holding every activation and kernel scratch — the .arena section;
 * - lower bound: the smallest arena any placement of those buffers could have in the plan's execution order (the
 *   peak of the bytes live at once), without in-place sharing (every layer output apart from its inputs) and with
 *   the in-place sharing the plan applies (a layer writing its output over an input that dies there). An arena can
 *   be below the first, never below the second;
 * - firmware flash / RAM: the whole image (code + weights + initial data) and all RAM it takes (arena + stack +
 *   other data), from the linked ELF;
 * - RAM in use: arena + static (the ELF's .data and .bss besides the arena) + the stack's high-water mark the board
 *   measured (its startup code paints the stack; the link reports the deepest word written) — what the firmware
 *   needs of RAM, where "firmware RAM" counts the whole stack reserved.
 */
export interface ModelFigures {
  weightsBytes: number;
  arenaBytes: number;
  lowerBoundBytes: { withoutSharing: number; withSharing: number };
}

export interface FirmwareFigures {
  flashBytes: number;
  flashSize: number;
  ramBytes: number;
  ramSize: number;
  /** Boards with extra RAM regions: each one's use (the arena parts placed there). */
  extraRam?: { name: string; bytes: number; size: number }[];
}

export function modelFigures(generated: GeneratedC): ModelFigures {
  const { plan } = generated;
  return {
    weightsBytes: generated.flashBytes,
    arenaBytes: plan.arenaSize,
    lowerBoundBytes: { withoutSharing: plan.lowerBound, withSharing: plan.lowerBoundWithSharing },
  };
}

export function firmwareFigures(size: SizeReport): FirmwareFigures {
  const figures: FirmwareFigures = { flashBytes: size.flash.used, flashSize: size.flash.size, ramBytes: size.ram.used, ramSize: size.ram.size };
  if (size.extraRam !== undefined) figures.extraRam = size.extraRam.map((r) => ({ name: r.name, bytes: r.used, size: r.size }));
  return figures;
}

/** RAM in use of a firmware whose board measured a stack high-water mark of `stackHighWater` bytes. */
export function ramInUse(size: SizeReport, stackHighWater: number): RamInUse {
  const { arena, rest, stack } = size.ram;
  return { arenaBytes: arena, staticBytes: rest, stackHighWaterBytes: stackHighWater, stackBytes: stack, totalBytes: arena + rest + stackHighWater };
}

const share = (used: number, size: number): string => `${((100 * used) / size).toFixed(1)} %`;

/**
 * "weights 50512 B (packed convolution filters), arena 14400 B (lower bound 9296 B with in-place sharing, 16256 B
 * without)": the one line codegen, build, run and the demo print.
 */
export function modelFiguresText(m: Pick<ModelFigures, 'weightsBytes' | 'arenaBytes'> & Partial<Pick<ModelFigures, 'lowerBoundBytes'>>, packedFilters = false): string {
  const bound = m.lowerBoundBytes !== undefined ? ` (lower bound ${m.lowerBoundBytes.withSharing} B with in-place sharing, ${m.lowerBoundBytes.withoutSharing} B without)` : '';
  return `weights ${m.weightsBytes} B${packedFilters ? ' (packed convolution filters)' : ''}, arena ${m.arenaBytes} B${bound}`;
}

/** "firmware flash 66876 of 4128768 B (1.6 %), RAM 32044 of 4194304 B (0.8 %)". */
export function firmwareFiguresText(f: FirmwareFigures): string {
  const regions = (f.extraRam ?? []).map((r) => `, RAM region ${r.name} ${r.bytes} of ${r.size} B (${share(r.bytes, r.size)})`).join('');
  return `firmware flash ${f.flashBytes} of ${f.flashSize} B (${share(f.flashBytes, f.flashSize)}), RAM ${f.ramBytes} of ${f.ramSize} B (${share(f.ramBytes, f.ramSize)})${regions}`;
}

/**
 * What a model alone may take of a board: its RAM less the stack for the arena (on a board with extra RAM regions,
 * theirs too), its flash for the weights.
 */
export function modelBudget(target: Target): { name: string; ramBytes: number; flashBytes: number } {
  const extra = ramRegions(target).slice(1).reduce((s, r) => s + r.size, 0);
  return { name: `board '${target.name}'`, ramBytes: target.ram.size - target.stackBytes + extra, flashBytes: target.flash.size };
}

/**
 * Static data of the board application besides the model's input and output buffers (the link's frame buffers,
 * console state): 758 B measured on qemu-m4 (RAM "rest" 1260 B with kws_dscnn's 502 I/O bytes), rounded up with room
 * to spare. A multi-region arena keeps it free in the main region, where the linker puts .data and .bss.
 */
const APP_STATIC_BYTES = 2048;

/**
 * The RAM regions a board gives the arena, for code generation: undefined on a one-region board (the arena is one
 * array there, checked against modelBudget); else every region with the bytes the arena may take in it — the main
 * region (`ram`) less the stack, the board application's input and output buffers and its other static data.
 */
export function arenaRegions(target: Target, graph: Graph): ArenaRegion[] | undefined {
  const regions = ramRegions(target);
  if (regions.length < 2) return undefined;
  const io = [...graph.inputs, ...graph.outputs].reduce((s, t) => s + tensorBytes(graph.tensors[t]), 0);
  return regions.map((r) => ({
    name: r.name,
    bytes: r.main ? Math.max(0, r.size - target.stackBytes - io - APP_STATIC_BYTES) : r.size,
    fast: r.fast,
    ...(r.section !== undefined ? { section: r.section } : {}),
  }));
}

export interface FitCheck {
  board: string;
  /** RAM left for the arena once the stack is reserved, and flash for the weights (the code comes on top). */
  arena: { bytes: number; room: number };
  weights: { bytes: number; room: number };
  fits: boolean;
}

/** Whether the model's arena and weights fit the board (code is not counted: `tinyforge build` links and measures it). */
export function fitCheck(target: Target, m: ModelFigures): FitCheck {
  const budget = modelBudget(target);
  const arena = { bytes: m.arenaBytes, room: budget.ramBytes };
  const weights = { bytes: m.weightsBytes, room: budget.flashBytes };
  return { board: target.name, arena, weights, fits: arena.bytes <= arena.room && weights.bytes <= weights.room };
}

export function fitText(c: FitCheck): string {
  const part = (what: string, x: { bytes: number; room: number }, of: string) =>
    x.bytes <= x.room ? `${what} ${x.bytes} of ${x.room} B ${of} (${share(x.bytes, x.room)})` : `${what} ${x.bytes} B over the ${x.room} B ${of} by ${x.bytes - x.room} B`;
  return `${c.fits ? 'fits' : 'does NOT fit'} ${c.board}: ${part('arena', c.arena, 'of RAM left beside the stack')}, ${part('weights', c.weights, 'of flash')}; the code comes on top (tinyforge build links it and reports the total)`;
}
