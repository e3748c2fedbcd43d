import { Block, BETWEEN_LAYERS, edgeFrom, edgeTo, layerSegment, TraceProfile } from './trace-parser';
import { addCost, Cost, CoreName, StallCause, TimingModel, zeroCost } from './timing/model';
import { cortexM4 } from './timing/cortex-m4';
import { cortexM7 } from './timing/cortex-m7';

export const TIMING_MODELS: Record<CoreName, TimingModel> = { 'cortex-m4': cortexM4, 'cortex-m7': cortexM7 };

/** The timing model for a board's core name (`cortex-m4`, `cortex-m7`), or undefined when there is none. */
export function timingModelFor(core: string): TimingModel | undefined {
  return (TIMING_MODELS as Record<string, TimingModel | undefined>)[core];
}

/** Executed instructions and their estimated cycles; stalls are the cycles beyond one per instruction, by cause. */
export interface CycleEstimate {
  instructions: number;
  cycles: number;
  stalls: Record<StallCause, number>;
}

export interface TraceEstimate {
  core: CoreName;
  /** Everything the trace saw (start-up, I/O and the inference). */
  all: CycleEstimate;
  /** The inference window (the invoke function's call, hooks included); undefined without layer hooks. */
  inference?: CycleEstimate;
  /** Per layer, in execution order (the profiler's layer index). */
  layers: CycleEstimate[];
  /** In the window but in no layer: the hooks' own calls and the glue between layers. */
  betweenLayers: CycleEstimate;
  /** Mnemonics the models do not classify (costed one cycle each) with their executed counts. */
  unclassified: Record<string, number>;
}

function empty(): CycleEstimate {
  const c = zeroCost();
  return { instructions: 0, cycles: c.cycles, stalls: c.stalls };
}

function accumulate(into: CycleEstimate, instructions: number, cost: Cost, times: number): void {
  into.instructions += instructions * times;
  const acc: Cost = { cycles: into.cycles, stalls: into.stalls };
  addCost(acc, cost, times);
  into.cycles = acc.cycles;
}

function sum(parts: CycleEstimate[]): CycleEstimate {
  const total = empty();
  for (const p of parts) accumulate(total, p.instructions, { cycles: p.cycles, stalls: p.stalls }, 1);
  return total;
}

/** The cost of `from` followed by `to` (undefined: the trace ended): its final branch taken or not, overlap into `to`. */
function edgeCost(model: TimingModel, from: Block, to: Block | undefined): Cost {
  const last = from.instructions[from.instructions.length - 1];
  const fallsThrough = to !== undefined && to.pc === from.end;
  const taken = to !== undefined && last.writesPc && (!last.conditional || !fallsThrough);
  const cost = model.blockCost(from.instructions, { taken, next: to?.instructions[0] });
  if (fallsThrough && !taken) addCost(cost, model.entryDelta(last, to.instructions));
  return cost;
}

/** Weight every counted block execution of a trace with a core's timing model. */
export function estimateCycles(profile: TraceProfile, model: TimingModel): TraceEstimate {
  const unclassified: Record<string, number> = {};
  const perSegment = profile.segments.map((edges) => {
    const estimate = empty();
    for (const [key, times] of edges) {
      const from = profile.blocks[edgeFrom(key) - 1];
      const toId = edgeTo(key);
      const to = toId === 0 ? undefined : profile.blocks[toId - 1];
      accumulate(estimate, from.instructions.length, edgeCost(model, from, to), times);
      for (const i of from.instructions) if (i.kind === 'unknown') unclassified[i.base] = (unclassified[i.base] ?? 0) + times;
    }
    return estimate;
  });
  const layers = Array.from({ length: profile.layerCount }, (_, k) => perSegment[layerSegment(k)] ?? empty());
  const betweenLayers = perSegment[BETWEEN_LAYERS] ?? empty();
  return {
    core: model.core,
    all: sum(perSegment),
    inference: profile.windows > 0 ? sum([betweenLayers, ...layers]) : undefined,
    layers,
    betweenLayers,
    unclassified,
  };
}

/** The share of cycles that are stalls (cycles beyond one per instruction, dual-issue savings netted). */
export function stallShare(e: CycleEstimate): number {
  return e.cycles > 0 ? (e.cycles - e.instructions) / e.cycles : 0;
}

