import { BufferGroup } from './groups';
import { searchSkyline } from './skyline-search';
import { alignUp, Placement, PlanProblem } from './types';

interface Rect {
  lo: number;
  hi: number;
  first: number;
  last: number;
}

/** Address ranges already taken, with their lifetimes; answers "where may this group go". */
class Occupancy {
  readonly rects: Rect[] = [];

  constructor(
    private readonly problem: PlanProblem,
    private readonly align: number,
  ) {}

  private memberRect(g: BufferGroup, k: number, offset: number): Rect {
    const b = this.problem.buffers[g.members[k]];
    const lo = offset + g.rel[k];
    return { lo, hi: lo + alignUp(b.size, this.align), first: b.first, last: b.last };
  }

  fits(g: BufferGroup, offset: number): boolean {
    for (let k = 0; k < g.members.length; k++) {
      const m = this.memberRect(g, k, offset);
      for (const r of this.rects) {
        if (r.first <= m.last && m.first <= r.last && r.lo < m.hi && m.lo < r.hi) return false;
      }
    }
    return true;
  }

  /** Every offset where the group rests on the floor or on top of a buffer it meets in time, ascending. */
  candidates(g: BufferGroup): number[] {
    const set = new Set<number>([0]);
    for (let k = 0; k < g.members.length; k++) {
      const b = this.problem.buffers[g.members[k]];
      for (const r of this.rects) {
        if (r.first <= b.last && b.first <= r.last) {
          const o = alignUp(r.hi - g.rel[k], this.align);
          if (o >= 0) set.add(o);
        }
      }
    }
    return [...set].sort((a, b) => a - b);
  }

  place(g: BufferGroup, offset: number): number {
    for (let k = 0; k < g.members.length; k++) this.rects.push(this.memberRect(g, k, offset));
    return g.members.length;
  }

  unplace(count: number): void {
    this.rects.length -= count;
  }
}

function toPlacement(problem: PlanProblem, groups: readonly BufferGroup[], groupOffsets: number[], align: number): Placement {
  const offsets = problem.buffers.map(() => 0);
  let arenaSize = 0;
  groups.forEach((g, i) => {
    g.members.forEach((m, k) => {
      offsets[m] = groupOffsets[i] + g.rel[k];
      arenaSize = Math.max(arenaSize, offsets[m] + alignUp(problem.buffers[m].size, align));
    });
  });
  return { offsets, arenaSize };
}

/** Place groups in the given order, each at the lowest offset where it fits (TFLite Micro's greedy planner). */
export function placeGreedy(problem: PlanProblem, groups: readonly BufferGroup[], order: readonly number[], align: number): Placement {
  const occ = new Occupancy(problem, align);
  const groupOffsets = groups.map(() => 0);
  for (const gi of order) {
    const g = groups[gi];
    const offset = occ.candidates(g).find((o) => occ.fits(g, o))!;
    groupOffsets[gi] = offset;
    occ.place(g, offset);
  }
  return toPlacement(problem, groups, groupOffsets, align);
}

/** Largest first, as TFLite Micro's GreedyMemoryPlanner orders its buffers. */
export function bySizeDescending(groups: readonly BufferGroup[]): number[] {
  return groups.map((_, i) => i).sort((a, b) => groups[b].extent - groups[a].extent || groups[a].first - groups[b].first);
}

export interface SearchResult {
  placement: Placement;
  /** True when the placement is proven optimal: it meets the lower bound, or a complete search ran to its end. */
  complete: boolean;
  nodesVisited: number;
}

/**
 * The smallest arena the search can find: the best of several greedy orders first; then, when every group is a
 * plain rectangle (no in-place sharing), a complete search (skyline-search.ts) that either meets the lower bound or
 * proves the best found optimal; otherwise an exact search of each greedy order (every resting offset of each
 * group, pruned at the best found), which is not complete. Stops at the lower bound or the time limit.
 */
export function placeOptimal(
  problem: PlanProblem,
  groups: readonly BufferGroup[],
  align: number,
  lowerBound: number,
  timeLimitMs: number,
): SearchResult {
  const orders = heuristicOrders(groups);
  let best = placeGreedy(problem, groups, orders[0], align);
  for (const order of orders.slice(1)) {
    const p = placeGreedy(problem, groups, order, align);
    if (p.arenaSize < best.arenaSize) best = p;
  }
  const target = alignUp(lowerBound, align);
  if (best.arenaSize <= target) return { placement: best, complete: true, nodesVisited: 0 };

  const deadline = Date.now() + timeLimitMs;
  if (groups.every((g) => g.rel.every((r) => r === 0))) {
    const rects = groups.map((g) => ({ size: g.extent, first: g.first, last: g.last }));
    const r = searchSkyline(rects, problem.steps + 1, best.arenaSize, target, deadline);
    if (r.offsets) best = toPlacement(problem, groups, r.offsets, align);
    return { placement: best, complete: r.complete || best.arenaSize <= target, nodesVisited: r.nodesVisited };
  }

  // Rigid groups: an exact search in each heuristic order in turn, sharing the budget. A fixed order is not
  // complete, so the result counts as complete only when it meets the bound.
  let nodesVisited = 0;
  let timedOut = false;
  let bestSize = best.arenaSize;
  for (const order of orders) {
    if (bestSize <= target || timedOut) break;
    const occ = new Occupancy(problem, align);
    const groupOffsets = groups.map(() => 0);
    const search = (depth: number, high: number): boolean => {
      if (depth === order.length) {
        bestSize = high;
        best = toPlacement(problem, groups, groupOffsets, align);
        return bestSize <= target;
      }
      const gi = order[depth];
      const g = groups[gi];
      for (const o of occ.candidates(g)) {
        if (Math.max(high, o + g.extent) >= bestSize) break;
        if (++nodesVisited % 256 === 0 && Date.now() > deadline) {
          timedOut = true;
          return true;
        }
        if (!occ.fits(g, o)) continue;
        groupOffsets[gi] = o;
        const n = occ.place(g, o);
        const done = search(depth + 1, Math.max(high, o + g.extent));
        occ.unplace(n);
        if (done) return true;
      }
      return false;
    };
    search(0, 0);
  }
  return { placement: best, complete: bestSize <= target, nodesVisited };
}

function heuristicOrders(groups: readonly BufferGroup[]): number[][] {
  const idx = groups.map((_, i) => i);
  const span = (g: BufferGroup): number => g.last - g.first + 1;
  return [
    bySizeDescending(groups),
    [...idx].sort((a, b) => groups[b].extent * span(groups[b]) - groups[a].extent * span(groups[a])),
    [...idx].sort((a, b) => span(groups[b]) - span(groups[a]) || groups[b].extent - groups[a].extent),
    [...idx].sort((a, b) => groups[a].first - groups[b].first || groups[b].extent - groups[a].extent),
  ];
}
