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
  /** Estimated core cycles of one inference's run of this layer, when the report has `estimatedCycles`. */
  estimatedCycles?: number;
  /** Time at the board clock, in microseconds: of the estimated cycles where there are some, else of the median count. */
  timeUs: number;
}

/** The firmware the profile ran on: what it takes of the board's flash and RAM (the build's size report). */
export interface FirmwareFootprint {
  flash: { used: number; size: number };
  ram: { used: number; size: number };
  /** The model's constant data and arena (codegen's figures, which the size report's .weights and .arena equal). */
  weightsBytes?: number;
  arenaBytes?: number;
}

/** An accuracy figure measured beside the profile (e.g. the demo's test images): `correct` of `total`. */
export interface AccuracyFigure {
  label: string;
  correct: number;
  total: number;
}

/**
 * Cycles a virtual board's core would take, estimated from the emulator's execution trace with the core's timing
 * model (@tinyforge/cycle-model): QEMU counts instructions, not cycles.
 */
export interface EstimatedCycles {
  /** The core whose timing model weighted the instructions (`cortex-m4`). */
  core: string;
  /** One inference: the invoke call, hooks included. */
  inference: number;
  /** Per layer, by the profiler's layer index. */
  layers: number[];
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
  estimatedCycles?: EstimatedCycles;
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

/**
 * The report with a virtual board's estimated cycles beside its counted instructions: each layer's time becomes
 * its estimated cycles at the board clock. The estimate must cover the report's layers one for one.
 */
export function withEstimatedCycles(report: ProfileReport, estimate: EstimatedCycles): ProfileReport {
  if (estimate.layers.length !== report.layers.length) {
    throw new ProfilerError('PROFILE_BAD_REPORT', `the cycle estimate has ${estimate.layers.length} layers, the profile ${report.layers.length}: not the same firmware`);
  }
  const layers = report.layers.map((l, i) => ({
    ...l,
    estimatedCycles: estimate.layers[i],
    timeUs: report.clockHz > 0 ? (estimate.layers[i] / report.clockHz) * 1e6 : l.timeUs,
  }));
  return { ...report, layers, estimatedCycles: estimate };
}

function scaled(s: Spread, k: number): Spread {
  return k === 1 ? s : { min: s.min * k, median: s.median * k, max: s.max * k };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
