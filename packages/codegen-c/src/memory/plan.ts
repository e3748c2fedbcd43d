import { KernelPath } from '@tinyforge/kernels-cmsis';
import { Graph } from '@tinyforge/ir';
import { BufferGroup, groupBuffers, groupLowerBound, Grouping, liveProfile, usableCandidates } from './groups';
import { buildPlanProblem, lowerBound } from './liveness';
import { bySizeDescending, placeGreedy, placeOptimal } from './placement';
import { ArenaRegion, RegionUse, splitOverRegions } from './regions';
import { reorderForPeak } from './reorder';
import { planState, StateRegion } from './state';
import { InPlacePair, InPlaceRule, Placement, PlanBuffer, PlanProblem } from './types';

export type PlannerKind = 'greedy' | 'optimal';

export interface PlanOptions {
  planner?: PlannerKind;
  /** Byte alignment of every buffer offset (and size). Default 16. */
  align?: number;
  /** Let element-wise ops and row-streaming convolutions overwrite an input that dies there. Default true. */
  inPlace?: boolean;
  /** Search the execution order with the lowest peak. Default true. */
  reorder?: boolean;
  /** Time budget of the optimal planner's search; the best plan found so far is used after it. Default 500. */
  timeLimitMs?: number;
  /** Kernel paths whose scratch to reserve (kernels-cmsis kernelPathsFor(core)). Default: every path. */
  kernelPaths?: readonly KernelPath[];
  /**
   * Several RAM regions the arena may be split over (a board's `ram` and `extraRam`): each buffer goes to one
   * region (regions.ts says which), never straddling two. One region or none: one arena, as always.
   */
  regions?: readonly ArenaRegion[];
}

export interface PlannedBuffer extends PlanBuffer {
  /** Byte offset in the arena, or in its region's array when the plan has regions. */
  offset: number;
  /** Multi-region plans: index into MemoryPlan.regions. */
  region?: number;
}

export interface SharedPair {
  /** Buffer ids. */
  input: number;
  output: number;
  /** Node index in the graph. */
  node: number;
  rule: InPlaceRule;
}

export interface MemoryPlan {
  /** Node indices in execution order. */
  order: number[];
  align: number;
  arenaSize: number;
  /** Max over steps of the bytes live at that step, every tensor separate (the "plain" lower bound). */
  lowerBound: number;
  /** The same bound for the graph's own node order (before reordering). */
  lowerBoundOriginalOrder: number;
  /** The bound that holds for the sharing actually applied. */
  lowerBoundWithSharing: number;
  buffers: PlannedBuffer[];
  shared: SharedPair[];
  planner: PlannerKind;
  /** Optimal planner: true when the search met the bound or ran to completion within its time limit. */
  searchComplete: boolean;
  planningMs: number;
  /** Op state tensors: a static region of their own beside the arena (never reused; see state.ts). */
  state: StateRegion;
  /** Of planningMs, the time spent choosing the execution order. */
  reorderMs: number;
  /**
   * Multi-region plans only: each region's array (arenaSize is their sum) and the policy that placed the buffers.
   * Absent for a one-arena plan.
   */
  regions?: RegionUse[];
  regionPolicy?: string;
}

/** Execution order, lifetimes, sharing and offsets for every activation and scratch buffer of an int8 graph. */
export function planMemory(graph: Graph, options: PlanOptions = {}): MemoryPlan {
  const started = Date.now();
  const align = options.align ?? 16;
  const planner = options.planner ?? 'optimal';
  const identity = graph.nodes.map((_, i) => i);
  const paths = options.kernelPaths;
  const original = buildPlanProblem(graph, identity, paths);
  const lowerBoundOriginalOrder = lowerBound(original);
  const reorderStarted = performance.now();
  const order = options.reorder === false ? identity : reorderForPeak(graph, undefined, paths).order;
  const reorderMs = performance.now() - reorderStarted;
  const kept = order.every((v, i) => v === i);
  const problem = kept ? original : buildPlanProblem(graph, order, paths);
  const plainLowerBound = kept ? lowerBoundOriginalOrder : lowerBound(problem);
  // Several ways to share memory; each is placed and the smallest arena wins.
  const groupings = sharingOptions(problem, align, options.inPlace !== false);
  let chosen: { grouping: Grouping; placement: Placement; bound: number } | undefined;
  let searchComplete = true;
  for (const grouping of groupings) {
    const bound = groupLowerBound(problem, grouping.groups, align);
    let placement: Placement;
    if (planner === 'greedy') {
      placement = placeGreedy(problem, grouping.groups, bySizeDescending(grouping.groups), align);
    } else {
      const r = placeOptimal(problem, grouping.groups, align, bound, (options.timeLimitMs ?? 500) / groupings.length);
      placement = r.placement;
      searchComplete &&= r.complete;
    }
    if (chosen === undefined || placement.arenaSize < chosen.placement.arenaSize) chosen = { grouping, placement, bound };
  }
  const { placement } = chosen!;
  const regions = options.regions !== undefined && options.regions.length > 1 ? options.regions : undefined;
  const split = regions && splitOverRegions(graph, problem, groupings, groupings.indexOf(chosen!.grouping), placement, regions, align, options.timeLimitMs ?? 500);
  if (split !== undefined) searchComplete &&= split.searchComplete;
  // A split may have needed another in-place sharing choice than the one-arena plan's.
  const grouping = split !== undefined ? groupings[split.grouping] : chosen!.grouping;
  const bound = grouping === chosen!.grouping ? chosen!.bound : groupLowerBound(problem, grouping.groups, align);
  const applied = grouping.applied;
  return {
    order,
    align,
    arenaSize: split ? split.regions.reduce((s, r) => s + r.size, 0) : placement.arenaSize,
    lowerBound: plainLowerBound,
    lowerBoundOriginalOrder,
    lowerBoundWithSharing: bound,
    buffers: problem.buffers.map((b) => (split ? { ...b, offset: split.offsets[b.id], region: split.regionOf[b.id] } : { ...b, offset: placement.offsets[b.id] })),
    shared: applied.map((p) => ({ input: p.input, output: p.output, node: order[p.step], rule: p.rule })),
    planner,
    searchComplete,
    planningMs: Date.now() - started,
    state: planState(graph, align),
    reorderMs,
    ...(split ? { regions: split.regions, regionPolicy: split.policy } : {}),
  };
}

/**
 * Sharing ties buffers into rigid groups, which can also hurt packing (a long chain of shared convolutions
 * becomes a staircase). So each candidate is kept only if a quick greedy placement gets smaller, or equal with a
 * lower bound that dropped.
 */
function sharingOptions(problem: PlanProblem, align: number, inPlace: boolean): Grouping[] {
  const none = groupBuffers(problem, align, []);
  if (!inPlace) return [none];
  const selective = selectiveSharing(problem, align, none);
  return selective === none ? [none, groupBuffers(problem, align, usableCandidates(problem))] : [none, groupBuffers(problem, align, usableCandidates(problem)), selective];
}

/** Selective sharing re-plans once per candidate pair: above this many candidates it is left out (quadratic). */
const MAX_SELECTIVE_CANDIDATES = 200;

function selectiveSharing(problem: PlanProblem, align: number, none: Grouping): Grouping {
  if (usableCandidates(problem).length > MAX_SELECTIVE_CANDIDATES) return none;
  let best = none;
  let score = quickScore(problem, best.groups, align);
  const kept: InPlacePair[] = [];
  for (const pair of usableCandidates(problem)) {
    const trial = groupBuffers(problem, align, [...kept, pair]);
    if (!trial.applied.includes(pair)) continue;
    const s = quickScore(problem, trial.groups, align);
    const better = s.arena < score.arena || (s.arena === score.arena && (s.bound < score.bound || (s.bound === score.bound && s.profile < score.profile)));
    if (better) {
      kept.push(pair);
      best = trial;
      score = s;
    }
  }
  return best;
}

function quickScore(problem: PlanProblem, groups: BufferGroup[], align: number): { arena: number; bound: number; profile: number } {
  const profile = liveProfile(problem, groups, align);
  return {
    arena: placeGreedy(problem, groups, bySizeDescending(groups), align).arenaSize,
    bound: profile.reduce((m, v) => Math.max(m, v), 0),
    profile: profile.reduce((a, b) => a + b, 0),
  };
}
