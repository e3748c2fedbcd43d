import { BufferGroup } from './groups';
import { searchSkyline } from './skyline-search';
import { alignUp, Placement, PlanProblem } from './types';

interface Rect {
  lo: number;
  hi: number;
  first: number;
  last: number;
}

/** Steps per bucket of the time index. */
const BUCKET_STEPS = 32;
/** A rectangle living across more buckets than this is kept in one list of its own instead of in each bucket. */
const LONG_BUCKETS = 4;

/**
 * The exact searches (every resting offset of each group, backtracking; the skyline search) are exponential: they
 * run only on problems up to this many groups. Larger graphs get the best of the greedy orders, which is what a
 * search would start from anyway.
 */
export const MAX_SEARCH_GROUPS = 1500;

/**
 * Address ranges already taken, with their lifetimes; answers "where may this group go". Rectangles are indexed by
 * time: each bucket of BUCKET_STEPS steps lists the rectangles live in it, sorted by address, so a query looks only
 * at what is live at the same steps and, for a buffer within one bucket, needs no sorting. Long-lived rectangles
 * (a wide graph's branch ends, waiting for their concatenation) are one list of their own, sorted by address,
 * read once per query: listed in every bucket they would be read once per bucket by a query across many.
 */
class Occupancy {
  readonly rects: Rect[] = [];
  private readonly buckets: number[][] = [];
  private readonly long: number[] = [];
  private readonly seen: number[] = [];
  private stamp = 0;

  constructor(
    private readonly problem: PlanProblem,
    private readonly align: number,
  ) {}

  private memberRect(g: BufferGroup, k: number, offset: number): Rect {
    const b = this.problem.buffers[g.members[k]];
    const lo = offset + g.rel[k];
    return { lo, hi: lo + alignUp(b.size, this.align), first: b.first, last: b.last };
  }

  private static isLong(r: Rect): boolean {
    return Math.floor(r.last / BUCKET_STEPS) - Math.floor(r.first / BUCKET_STEPS) >= LONG_BUCKETS;
  }

  /** Ids of the placed rectangles live at some step of [first, last], sorted by address. */
  private meeting(first: number, last: number): number[] {
    const b0 = Math.floor(first / BUCKET_STEPS);
    const b1 = Math.floor(last / BUCKET_STEPS);
    const out: number[] = [];
    const meets = (id: number): boolean => this.rects[id].first <= last && first <= this.rects[id].last;
    if (b0 === b1) {
      // Two lists in address order: merged.
      const list = this.buckets[b0] ?? [];
      let j = 0;
      for (const id of list) {
        if (!meets(id)) continue;
        for (; j < this.long.length && this.rects[this.long[j]].lo <= this.rects[id].lo; j++) if (meets(this.long[j])) out.push(this.long[j]);
        out.push(id);
      }
      for (; j < this.long.length; j++) if (meets(this.long[j])) out.push(this.long[j]);
      return out;
    }
    const stamp = ++this.stamp;
    for (let k = b0; k <= b1; k++) {
      for (const id of this.buckets[k] ?? []) {
        if (this.seen[id] === stamp) continue;
        this.seen[id] = stamp;
        const r = this.rects[id];
        if (r.first <= last && first <= r.last) out.push(id);
      }
    }
    for (const id of this.long) if (meets(id)) out.push(id);
    return out.sort((a, b) => this.rects[a].lo - this.rects[b].lo);
  }

  fits(g: BufferGroup, offset: number): boolean {
    for (let k = 0; k < g.members.length; k++) {
      const m = this.memberRect(g, k, offset);
      for (const id of this.meeting(m.first, m.last)) {
        const r = this.rects[id];
        if (r.lo < m.hi && m.lo < r.hi) return false;
      }
    }
    return true;
  }

  /** Every offset where the group rests on the floor or on top of a buffer it meets in time, ascending. */
  candidates(g: BufferGroup): number[] {
    const set = new Set<number>([0]);
    for (let k = 0; k < g.members.length; k++) {
      const b = this.problem.buffers[g.members[k]];
      for (const id of this.meeting(b.first, b.last)) {
        const o = alignUp(this.rects[id].hi - g.rel[k], this.align);
        if (o >= 0) set.add(o);
      }
    }
    return [...set].sort((a, b) => a - b);
  }

  /**
   * The lowest aligned offset where the group fits — the first of `candidates` that `fits` — found in one sweep over
   * the offsets each meeting rectangle forbids: (lo − rel − size, hi − rel), in the order of lo.
   */
  lowestFit(g: BufferGroup): number {
    if (g.members.length === 1) {
      const b = this.problem.buffers[g.members[0]];
      const size = alignUp(b.size, this.align);
      // Within one bucket and without long rectangles its list is already in address order (no copy); otherwise the
      // meeting rectangles in address order.
      const oneBucket = Math.floor(b.first / BUCKET_STEPS) === Math.floor(b.last / BUCKET_STEPS);
      const ids = oneBucket && this.long.length === 0 ? (this.buckets[Math.floor(b.first / BUCKET_STEPS)] ?? []) : this.meeting(b.first, b.last);
      let x = 0;
      let reach = -Infinity;
      for (const id of ids) {
        const r = this.rects[id];
        if (r.first > b.last || b.first > r.last) continue;
        if (r.lo - size >= x) {
          if (reach <= x) return x;
          x = alignUp(reach, this.align);
          if (r.lo - size >= x) return x;
        }
        reach = Math.max(reach, r.hi);
      }
      return reach <= x ? x : alignUp(reach, this.align);
    }
    const forbidden: [number, number][] = [];
    for (let k = 0; k < g.members.length; k++) {
      const b = this.problem.buffers[g.members[k]];
      const size = alignUp(b.size, this.align);
      const rel = g.rel[k];
      for (const id of this.meeting(b.first, b.last)) forbidden.push([this.rects[id].lo - rel - size, this.rects[id].hi - rel]);
    }
    forbidden.sort((a, b) => a[0] - b[0]);
    let x = 0;
    let i = 0;
    let reach = -Infinity;
    for (;;) {
      while (i < forbidden.length && forbidden[i][0] < x) reach = Math.max(reach, forbidden[i++][1]);
      if (reach <= x) return x;
      x = alignUp(reach, this.align);
    }
  }

  place(g: BufferGroup, offset: number): number {
    for (let k = 0; k < g.members.length; k++) {
      const r = this.memberRect(g, k, offset);
      const id = this.rects.length;
      this.rects.push(r);
      if (Occupancy.isLong(r)) {
        this.long.splice(this.positionOf(this.long, r.lo), 0, id);
        continue;
      }
      for (let b = Math.floor(r.first / BUCKET_STEPS); b <= Math.floor(r.last / BUCKET_STEPS); b++) {
        const list = (this.buckets[b] ??= []);
        list.splice(this.positionOf(list, r.lo), 0, id);
      }
    }
    return g.members.length;
  }

  unplace(count: number): void {
    for (let n = 0; n < count; n++) {
      const id = this.rects.length - 1;
      const r = this.rects.pop()!;
      if (Occupancy.isLong(r)) {
        this.long.splice(this.long.lastIndexOf(id), 1);
        continue;
      }
      for (let b = Math.floor(r.first / BUCKET_STEPS); b <= Math.floor(r.last / BUCKET_STEPS); b++) {
        const list = this.buckets[b];
        list.splice(list.lastIndexOf(id), 1);
      }
    }
  }

  /** Where a rectangle at address `lo` goes in a bucket sorted by address (after equal ones). */
  private positionOf(list: number[], lo: number): number {
    let a = 0;
    let b = list.length;
    while (a < b) {
      const mid = (a + b) >> 1;
      if (this.rects[list[mid]].lo <= lo) a = mid + 1;
      else b = mid;
    }
    return a;
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
    const offset = occ.lowestFit(g);
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
 * group, pruned at the best found), which is not complete. Stops at the lower bound or the time limit; problems of
 * more than MAX_SEARCH_GROUPS groups keep the best greedy placement (not complete unless it meets the bound).
 */
export function placeOptimal(
  problem: PlanProblem,
  groups: readonly BufferGroup[],
  align: number,
  lowerBound: number,
  timeLimitMs: number,
): SearchResult {
  const orders = heuristicOrders(groups);
  const target = alignUp(lowerBound, align);
  let best = placeGreedy(problem, groups, orders[0], align);
  // An order that meets the lower bound cannot be beaten: stop there (the same plan as trying every order).
  for (const order of orders.slice(1)) {
    if (best.arenaSize <= target) break;
    const p = placeGreedy(problem, groups, order, align);
    if (p.arenaSize < best.arenaSize) best = p;
  }
  if (best.arenaSize <= target) return { placement: best, complete: true, nodesVisited: 0 };
  if (groups.length > MAX_SEARCH_GROUPS) return { placement: best, complete: false, nodesVisited: 0 };

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
  // Large problems get the two orders that matter most (largest first, as TFLite Micro; by start time).
  if (groups.length > MAX_SEARCH_GROUPS) return [bySizeDescending(groups), [...idx].sort((a, b) => groups[a].first - groups[b].first || groups[b].extent - groups[a].extent)];
  return [
    bySizeDescending(groups),
    [...idx].sort((a, b) => groups[b].extent * span(groups[b]) - groups[a].extent * span(groups[a])),
    [...idx].sort((a, b) => span(groups[b]) - span(groups[a]) || groups[b].extent - groups[a].extent),
    [...idx].sort((a, b) => groups[a].first - groups[b].first || groups[b].extent - groups[a].extent),
  ];
}

/**
 * First fit over several arenas (the RAM regions of a multi-region plan): each group goes to the lowest offset of
 * the first arena, in the order the caller lists, where it ends within that arena's room — so a group never
 * straddles two arenas. Offsets are relative to the group's arena.
 */
export class ArenaFill {
  private readonly occupancy: Occupancy[];
  /** Arena index per group (-1: not placed yet). */
  readonly arenaOf: number[];
  readonly offsets: number[];

  constructor(
    problem: PlanProblem,
    private readonly groups: readonly BufferGroup[],
    align: number,
    private readonly rooms: readonly number[],
  ) {
    this.occupancy = rooms.map(() => new Occupancy(problem, align));
    this.arenaOf = groups.map(() => -1);
    this.offsets = groups.map(() => 0);
  }

  /** Place group `gi` in the first of `arenas` that has room for it; false (and nothing placed) when none has. */
  tryPlace(gi: number, arenas: readonly number[]): boolean {
    const g = this.groups[gi];
    for (const a of arenas) {
      const offset = this.occupancy[a].lowestFit(g);
      if (offset + g.extent > this.rooms[a]) continue;
      this.occupancy[a].place(g, offset);
      this.arenaOf[gi] = a;
      this.offsets[gi] = offset;
      return true;
    }
    return false;
  }
}
