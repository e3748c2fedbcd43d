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

const pairKey = (a: number, b: number): string => (a < b ? `${a},${b}` : `${b},${a}`);

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
 * live at the same time that are not a sharing pair (those pairs are left out of `applied`).
 */
export function groupBuffers(problem: PlanProblem, align: number, pairs: readonly InPlacePair[]): Grouping {
  const { buffers } = problem;
  const groupOf = buffers.map((_, i) => i);
  const rel = buffers.map(() => 0);
  const members: number[][] = buffers.map((_, i) => [i]);
  const allowed = new Set<string>();
  const applied: InPlacePair[] = [];
  const sized = (id: number): number => alignUp(buffers[id].size, align);

  const tryMerge = (pair: InPlacePair, force: boolean): boolean => {
    const gi = groupOf[pair.input];
    const go = groupOf[pair.output];
    if (gi === go) return false;
    const d = pair.rule.kind === 'same' ? 0 : alignUp(pair.rule.minDisplacement, align);
    // Shift the output's group so that rel(input) − rel(output) = d.
    const shift = rel[pair.input] - d - rel[pair.output];
    const merged = [...members[gi], ...members[go]];
    const newRel = new Map<number, number>();
    for (const m of members[gi]) newRel.set(m, rel[m]);
    for (const m of members[go]) newRel.set(m, rel[m] + shift);
    const key = pairKey(pair.input, pair.output);
    if (!force) {
      for (const a of members[gi]) {
        for (const b of members[go]) {
          if (!livesOverlap(buffers[a], buffers[b])) continue;
          const ra = newRel.get(a)!;
          const rb = newRel.get(b)!;
          const overlap = ra < rb + sized(b) && rb < ra + sized(a);
          if (overlap && pairKey(a, b) !== key && !allowed.has(pairKey(a, b))) return false;
        }
      }
    }
    allowed.add(key);
    for (const m of members[go]) groupOf[m] = gi;
    for (const [m, r] of newRel) rel[m] = r;
    members[gi] = merged;
    members[go] = [];
    applied.push(pair);
    return true;
  };

  for (const v of problem.views) tryMerge(v, true);
  for (const c of pairs) tryMerge(c, false);

  const groups: BufferGroup[] = [];
  for (const list of members) {
    if (list.length === 0) continue;
    const low = Math.min(...list.map((m) => rel[m]));
    const r = list.map((m) => rel[m] - low);
    groups.push({
      members: list,
      rel: r,
      extent: Math.max(...list.map((m, k) => r[k] + sized(m))),
      first: Math.min(...list.map((m) => buffers[m].first)),
      last: Math.max(...list.map((m) => buffers[m].last)),
    });
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

/** Bytes that must be reserved at each step for a fixed grouping. */
export function liveProfile(problem: PlanProblem, groups: readonly BufferGroup[], align: number): Float64Array {
  const live = new Float64Array(problem.steps + 1);
  for (const g of groups) {
    for (let s = g.first; s <= g.last; s++) {
      const ranges: [number, number][] = [];
      g.members.forEach((m, k) => {
        const b = problem.buffers[m];
        if (b.first <= s && s <= b.last) ranges.push([g.rel[k], g.rel[k] + alignUp(b.size, align)]);
      });
      live[s] += unionLength(ranges);
    }
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
