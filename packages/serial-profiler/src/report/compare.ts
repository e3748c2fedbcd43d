import { ProfilerError } from '../errors';
import { ProfileReport } from './aggregate';

export interface LayerDelta {
  index: number;
  name: string;
  op: string;
  before?: number;
  after?: number;
  delta?: number;
  /** (after - before) / before in percent; undefined when the layer is new or gone or was 0. */
  deltaPercent?: number;
  regression: boolean;
}

export interface Comparison {
  unit: string;
  thresholdPercent: number;
  total: { before: number; after: number; delta: number; deltaPercent: number; regression: boolean };
  layers: LayerDelta[];
  regressions: number;
}

/**
 * Per-layer median deltas of `current` against `baseline`, matched by layer name (then index). A layer regresses
 * when it grew by more than `thresholdPercent`. Reports counting different units cannot be compared.
 */
export function compareReports(current: ProfileReport, baseline: ProfileReport, thresholdPercent = 5): Comparison {
  if (!(thresholdPercent >= 0)) throw new ProfilerError('PROFILE_BAD_OPTION', `regression threshold must be a non-negative percentage, got ${thresholdPercent}`);
  if (current.unit !== baseline.unit) {
    throw new ProfilerError('PROFILE_BAD_REPORT', `cannot compare ${current.unit} (${current.board}) with ${baseline.unit} (${baseline.board})`);
  }
  const pct = (before: number, after: number): number | undefined => (before > 0 ? ((after - before) / before) * 100 : undefined);
  const used = new Set<number>();
  const layers: LayerDelta[] = current.layers.map((l) => {
    const old = baseline.layers.find((b) => b.name === l.name && !used.has(b.index)) ?? baseline.layers.find((b) => b.index === l.index && !used.has(b.index));
    const after = l.counts.median;
    if (old === undefined) return { index: l.index, name: l.name, op: l.op, after, regression: false };
    used.add(old.index);
    const before = old.counts.median;
    const deltaPercent = pct(before, after);
    return { index: l.index, name: l.name, op: l.op, before, after, delta: after - before, deltaPercent, regression: deltaPercent !== undefined && deltaPercent > thresholdPercent };
  });
  for (const gone of baseline.layers.filter((b) => !used.has(b.index))) {
    layers.push({ index: gone.index, name: gone.name, op: gone.op, before: gone.counts.median, regression: false });
  }
  const before = baseline.total.median;
  const after = current.total.median;
  const totalPct = pct(before, after) ?? 0;
  const total = { before, after, delta: after - before, deltaPercent: totalPct, regression: totalPct > thresholdPercent };
  return { unit: current.unit, thresholdPercent, total, layers, regressions: layers.filter((l) => l.regression).length + (total.regression ? 1 : 0) };
}
