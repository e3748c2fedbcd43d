import { alignUp, InPlacePair, livesOverlap, PlanProblem } from './types';

/** Buffers whose offsets are tied together by in-place sharing; rel[k] is member k's offset within the group. */
export interface BufferGroup {
  members: number[];
  rel: number[];
  /** Bytes from the group's lowest to its highest member end. */
  extent: number;
  first: number;
  last: number;
}

export interface Grouping {
  groups: BufferGroup[];
  /** The sharing pairs that were applied (views always, candidates when safe). */
  applied: InPlacePair[];
}

/**
 * A candidate pair is not applied when the merged group would have more members than this: the overlap check of a
 * merge compares the two groups' members pairwise, and sharing along very long chains gains nothing further.
 */
const MAX_SHARED_GROUP = 64;

/** In-place candidates worth trying: the input dies at that step. Largest saving first. */
export function usableCandidates(problem: PlanProblem): InPlacePair[] {
  const { buffers } = problem;
  const saving = (p: InPlacePair): number => Math.min(buffers[p.input].size, buffers[p.output].size);
  return problem.candidates
    .filter((p) => buffers[p.input].last === p.step && buffers[p.input].kind !== 'scratch')
    .sort((a, b) => saving(b) - saving(a));
}

/**
 * Tie buffers together: views always, then each of `pairs` unless the merged group would overlap two buffers
 * live at the same time that are not a sharing pair (those pairs are left out of `applied`). Groups are linked
 * lists merged smaller-into-larger (each buffer moves O(log n) times), so chains of views stay near-linear.
 */
export function groupBuffers(problem: PlanProblem, align: number, pairs: readonly InPlacePair[]): Grouping {
  const { buffers } = problem;
  const n = buffers.length;
  const groupOf = new Int32Array(n);
  const head = new Int32Array(n);
  const tail = new Int32Array(n);
  const next = new Int32Array(n).fill(-1);
  const count = new Int32Array(n).fill(1);
  const rel = new Float64Array(n);
  for (let i = 0; i < n; i++) groupOf[i] = head[i] = tail[i] = i;
  /** Sharing pairs applied so far (either order), keyed a·n + b with a < b. */
  const allowed = new Set<number>();
  const key = (a: number, b: number): number => (a < b ? a * n + b : b * n + a);
  const applied: InPlacePair[] = [];
  const sized = (id: number): number => alignUp(buffers[id].size, align);

  const tryMerge = (pair: InPlacePair, force: boolean): boolean => {
    const gi = groupOf[pair.input];
    const go = groupOf[pair.output];
    if (gi === go) return false;
    const d = pair.rule.kind === 'same' ? 0 : alignUp(pair.rule.minDisplacement, align);
    // Shift the output's group so that rel(input) − rel(output) = d.
    const shift = rel[pair.input] - d - rel[pair.output];
    const pairKey = key(pair.input, pair.output);
    if (!force) {
      if (count[gi] + count[go] > MAX_SHARED_GROUP) return false;
      for (let a = head[gi]; a >= 0; a = next[a]) {
        for (let b = head[go]; b >= 0; b = next[b]) {
          if (!livesOverlap(buffers[a], buffers[b])) continue;
          const ra = rel[a];
          const rb = rel[b] + shift;
          const overlap = ra < rb + sized(b) && rb < ra + sized(a);
          if (overlap && key(a, b) !== pairKey && !allowed.has(key(a, b))) return false;
        }
      }
    }
    allowed.add(pairKey);
    // Move the smaller group into the larger; offsets within a group are relative, so either side may shift.
    const [keep, gone, delta] = count[gi] >= count[go] ? [gi, go, shift] : [go, gi, -shift];
    for (let m = head[gone]; m >= 0; m = next[m]) {
      groupOf[m] = keep;
      rel[m] += delta;
    }
    next[tail[keep]] = head[gone];
    tail[keep] = tail[gone];
    count[keep] += count[gone];
    count[gone] = 0;
    applied.push(pair);
    return true;
  };

  for (const v of problem.views) tryMerge(v, true);
  for (const c of pairs) tryMerge(c, false);

  // Groups in the order of their first buffer (as they have always been listed: placement breaks ties by it),
  // members in buffer order.
  const groups: BufferGroup[] = [];
  const listed = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const g = groupOf[i];
    if (listed[g]) continue;
    listed[g] = 1;
    const list: number[] = [];
    for (let m = head[g]; m >= 0; m = next[m]) list.push(m);
    if (list.length > 1) list.sort((a, b) => a - b);
    let low = Infinity;
    for (const m of list) low = Math.min(low, rel[m]);
    const r = list.map((m) => rel[m] - low);
    let extent = 0;
    let first = Infinity;
    let last = -Infinity;
    for (let k = 0; k < list.length; k++) {
      const b = buffers[list[k]];
      extent = Math.max(extent, r[k] + sized(list[k]));
      first = Math.min(first, b.first);
      last = Math.max(last, b.last);
    }
    groups.push({ members: list, rel: r, extent, first, last });
  }
  return { groups, applied };
}

/**
 * The lower bound for a fixed grouping: at every step, the union of the address ranges of each group's live
 * members (members of one group may overlap where sharing is allowed; different groups never do).
 */
export function groupLowerBound(problem: PlanProblem, groups: readonly BufferGroup[], align: number): number {
  return liveProfile(problem, groups, align).reduce((m, v) => Math.max(m, v), 0);
}

/**
 * Bytes that must be reserved at each step for a fixed grouping. One-member groups add their size over their
 * lifetime (a difference array); a larger group is swept over the steps where its set of live members changes.
 */
export function liveProfile(problem: PlanProblem, groups: readonly BufferGroup[], align: number): Float64Array {
  const steps = problem.steps + 1;
  const diff = new Float64Array(steps + 1);
  const add = (from: number, to: number, bytes: number): void => {
    diff[from] += bytes;
    diff[to + 1] -= bytes;
  };
  for (const g of groups) {
    if (g.members.length === 1) {
      const b = problem.buffers[g.members[0]];
      add(b.first, b.last, alignUp(b.size, align));
      continue;
    }
    if ((g.last - g.first + 1) * g.members.length <= 64) {
      // Small: the union at each step directly.
      for (let st = g.first; st <= g.last; st++) {
        const ranges: [number, number][] = [];
        g.members.forEach((m, k) => {
          const b = problem.buffers[m];
          if (b.first <= st && st <= b.last) ranges.push([g.rel[k], g.rel[k] + alignUp(b.size, align)]);
        });
        if (ranges.length > 0) add(st, st, unionLength(ranges));
      }
      continue;
    }
    // Sweep the steps where a member starts or ends a life: between two of them the union is constant.
    const events = new Set<number>();
    g.members.forEach((m) => {
      const b = problem.buffers[m];
      events.add(b.first);
      events.add(b.last + 1);
    });
    const points = [...events].sort((a, b) => a - b);
    const byFirst = g.members.map((_, k) => k).sort((a, b) => problem.buffers[g.members[a]].first - problem.buffers[g.members[b]].first);
    let active: number[] = [];
    let nextMember = 0;
    for (let i = 0; i + 1 < points.length; i++) {
      const s = points[i];
      while (nextMember < byFirst.length && problem.buffers[g.members[byFirst[nextMember]]].first <= s) active.push(byFirst[nextMember++]);
      active = active.filter((k) => problem.buffers[g.members[k]].last >= s);
      if (active.length === 0) continue;
      const ranges = active.map((k): [number, number] => [g.rel[k], g.rel[k] + alignUp(problem.buffers[g.members[k]].size, align)]);
      add(s, points[i + 1] - 1, unionLength(ranges));
    }
  }
  const live = new Float64Array(steps);
  let running = 0;
  for (let s = 0; s < steps; s++) {
    running += diff[s];
    live[s] = running;
  }
  return live;
}

function unionLength(ranges: [number, number][]): number {
  ranges.sort((a, b) => a[0] - b[0]);
  let total = 0;
  let end = -Infinity;
  for (const [lo, hi] of ranges) {
    if (hi <= end) continue;
    total += hi - Math.max(lo, end);
    end = hi;
  }
  return total;
}
