import { SizeReport, Target } from '@tinyforge/boards';
import { GeneratedC } from '@tinyforge/codegen-c';
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
  return { flashBytes: size.flash.used, flashSize: size.flash.size, ramBytes: size.ram.used, ramSize: size.ram.size };
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
  return `firmware flash ${f.flashBytes} of ${f.flashSize} B (${share(f.flashBytes, f.flashSize)}), RAM ${f.ramBytes} of ${f.ramSize} B (${share(f.ramBytes, f.ramSize)})`;
}

/** What a model alone may take of a board: its RAM less the stack for the arena, its flash for the weights. */
export function modelBudget(target: Target): { name: string; ramBytes: number; flashBytes: number } {
  return { name: `board '${target.name}'`, ramBytes: target.ram.size - target.stackBytes, flashBytes: target.flash.size };
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
