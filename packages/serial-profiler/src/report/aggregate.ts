import { ProfilerError } from '../errors';
import { DecoderStats } from '../protocol/decoder';
import { ArenaPlan, LayerMeta, LayerTable } from './layer-table';
import { ProfileSession } from './session';

/**
 * What the counter counts. DWT CYCCNT on hardware counts core cycles; QEMU's SysTick under -icount counts
 * instructions (scaled), so virtual boards report `instructions`.
 */
export type CountUnit = 'cycles' | 'instructions';

/** The board as the report needs it (the CLI fills this from board.json). */
export interface BoardInfo {
  name: string;
  clockHz: number;
  kind: 'hardware' | 'virtual';
  /** QEMU -icount shift of a virtual board: one counter tick = (1e9 / clockHz) / 2^shift instructions. */
  icountShift?: number;
}

export interface Spread {
  min: number;
  median: number;
  max: number;
}

export interface LayerProfile {
  index: number;
  name: string;
  op: string;
  outputShape?: number[];
  macs?: number;
  counts: Spread;
  /** MACs per counted unit (median), when MACs are known. */
  macsPerCount?: number;
  /** Share of the median total inference. */
  percent: number;
  /** Median count as time at the board clock, in microseconds. */
  timeUs: number;
}

/** The firmware the profile ran on: what it takes of the board's flash and RAM (the build's size report). */
export interface FirmwareFootprint {
  flash: { used: number; size: number };
  ram: { used: number; size: number };
  /** The model's constant data and arena (codegen's figures, which the size report's .weights and .arena equal). */
  weightsBytes?: number;
  arenaBytes?: number;
  /** RAM the firmware uses as it runs, the stack measured on the board (see RamInUse). */
  ramInUse?: RamInUse;
}

/**
 * RAM a firmware uses as it runs: the arena, the other static data (.data + .bss besides the arena: the board
 * application's, the link's and the board support's buffers, the model's op state), and the stack's high-water mark
 * measured on the board (painted at reset, the deepest word written since); total = their sum. `stackBytes` is what
 * the link reserves for the stack, of which the high-water mark is the part used.
 */
export interface RamInUse {
  arenaBytes: number;
  staticBytes: number;
  stackHighWaterBytes: number;
  stackBytes: number;
  totalBytes: number;
}

/** "RAM in use 29,104 B: arena 24,576 + static 3,240 + stack high-water 1,288 (of 16,384 reserved)". */
export function ramInUseText(r: RamInUse): string {
  const n = (v: number) => v.toLocaleString('en-US');
  return `RAM in use ${n(r.totalBytes)} B: arena ${n(r.arenaBytes)} + static ${n(r.staticBytes)} + stack high-water ${n(r.stackHighWaterBytes)} (of ${n(r.stackBytes)} reserved)`;
}

/** An accuracy figure measured beside the profile (e.g. the demo's test images): `correct` of `total`. */
export interface AccuracyFigure {
  label: string;
  correct: number;
  total: number;
}

export interface ProfileReport {
  board: string;
  unit: CountUnit;
  clockHz: number;
  runs: number;
  incompleteRuns: number;
  hookOverhead?: number;
  total: Spread;
  layers: LayerProfile[];
  /** Median total minus the sum of median layer counts: glue between layers and the hooks' own cost. */
  unattributed: number;
  decoder?: DecoderStats;
  arena?: ArenaPlan;
  firmware?: FirmwareFootprint;
  accuracy?: AccuracyFigure[];
  /** Estimated core cycles on a virtual board (a timing model, not a measurement); see CycleEstimateFigures. */
  estimate?: CycleEstimateFigures;
}

/**
 * Estimated cycles of a virtual board's core: QEMU counts instructions, a timing model (@tinyforge/cycle-model)
 * weights each executed instruction with the core's documented timings. Always shown labelled as an estimate;
 * hardware boards report measured cycles instead.
 */
export interface CycleEstimateFigures {
  /** The core whose timing model weighted the instructions (`cortex-m4`). */
  core: string;
  /** How it was made and what it assumes (memory), one sentence for the reports. */
  basis: string;
  /** The traced inference window (hooks included): executed instructions and their estimated cycles. */
  instructions: number;
  cycles: number;
  /** Cycles beyond one per instruction, by cause. */
  stalls: Record<string, number>;
  /** Per layer (the profiler's index). */
  layers: { index: number; instructions: number; cycles: number }[];
}

/** The estimate of layer `index`, if the report has one. */
export function layerEstimate(r: ProfileReport, index: number): { instructions: number; cycles: number } | undefined {
  return r.estimate?.layers.find((l) => l.index === index);
}

/** Attach a cycle estimate to a virtual board's report; its layers must be the report's. */
export function withCycleEstimate(report: ProfileReport, estimate: CycleEstimateFigures): ProfileReport {
  if (report.unit !== 'instructions') throw new ProfilerError('PROFILE_BAD_OPTION', 'cycle estimates are for virtual boards: a hardware board measures its cycles');
  if (estimate.layers.length !== report.layers.length) {
    throw new ProfilerError('PROFILE_BAD_OPTION', `the cycle estimate has ${estimate.layers.length} layers, the profile ${report.layers.length}`);
  }
  return { ...report, estimate };
}

export function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { min: sorted[0], median, max: sorted[sorted.length - 1] };
}

/** Counter ticks → reported unit: 1 on hardware; instructions per SysTick tick under QEMU -icount. */
export function unitsPerTick(board: BoardInfo): number {
  if (board.kind !== 'virtual' || board.icountShift === undefined) return 1;
  return 1e9 / board.clockHz / 2 ** board.icountShift;
}

export interface BuildReportOptions {
  board?: BoardInfo;
  table?: LayerTable;
  /** Use only the last N complete runs (the first may include cache/flash warm-up on hardware). */
  lastRuns?: number;
  firmware?: FirmwareFootprint;
  accuracy?: AccuracyFigure[];
}

/** Aggregate complete runs into min/median/max per layer. Throws PROFILE_NO_RUNS when no run arrived intact. */
export function buildReport(session: ProfileSession, options: BuildReportOptions = {}): ProfileReport {
  const runs = options.lastRuns !== undefined ? session.runs.slice(-options.lastRuns) : session.runs;
  if (runs.length === 0) {
    const d = session.decoder;
    const seen = d ? ` (${d.frames} frames decoded, ${d.corruptFrames} corrupt, ${d.missingFrames} missing)` : '';
    throw new ProfilerError('PROFILE_NO_RUNS', `no complete inference run in the profile stream${seen}`);
  }
  const board: BoardInfo = options.board ?? {
    name: 'unknown',
    clockHz: session.clockHz ?? 0,
    kind: 'hardware',
  };
  const scale = unitsPerTick(board);
  const unit: CountUnit = board.kind === 'virtual' ? 'instructions' : 'cycles';
  const clockHz = board.clockHz || session.clockHz || 0;
  const layerCount = Math.max(...runs.map((r) => r.layers.length));
  const total = scaled(spread(runs.map((r) => r.total)), scale);
  const meta = (i: number): LayerMeta => {
    const fromTable = options.table?.layers.find((l) => l.index === i);
    const fromBoard = session.layerInfo.find((l) => l.index === i);
    return { index: i, ...fromBoard, ...stripUndefined(fromTable ?? {}) };
  };
  const layers: LayerProfile[] = [];
  for (let i = 0; i < layerCount; i++) {
    const m = meta(i);
    const counts = scaled(spread(runs.filter((r) => i < r.layers.length).map((r) => r.layers[i])), scale);
    layers.push({
      index: i,
      name: m.name ?? `layer ${i}`,
      op: m.op ?? `op#${session.opIds[i] ?? '?'}`,
      outputShape: m.outputShape,
      macs: m.macs,
      counts,
      macsPerCount: m.macs !== undefined && counts.median > 0 ? m.macs / counts.median : undefined,
      percent: total.median > 0 ? (100 * counts.median) / total.median : 0,
      timeUs: clockHz > 0 ? (counts.median / clockHz) * 1e6 : 0,
    });
  }
  return {
    board: board.name,
    unit,
    clockHz,
    runs: runs.length,
    incompleteRuns: session.incompleteRuns,
    hookOverhead: session.overhead !== undefined ? session.overhead.count * scale : undefined,
    total,
    layers,
    unattributed: total.median - layers.reduce((s, l) => s + l.counts.median, 0),
    decoder: session.decoder,
    arena: options.table?.arena,
    ...(options.firmware !== undefined ? { firmware: options.firmware } : {}),
    ...(options.accuracy !== undefined ? { accuracy: options.accuracy } : {}),
  };
}

function scaled(s: Spread, k: number): Spread {
  return k === 1 ? s : { min: s.min * k, median: s.median * k, max: s.max * k };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
