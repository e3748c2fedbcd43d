import { seededUniform } from '@tinyforge/ir';
import { BufferGroup } from './groups';
import { bySizeDescending, placeGreedy } from './placement';
import { alignUp, PlanBuffer, PlanProblem } from './types';

/**
 * The greedy placement puts each buffer at the lowest aligned offset where it meets no buffer placed before it that
 * is live at the same time. Checked against a direct search of that definition on seeded problems long enough that
 * lifetimes span many of the occupancy's time buckets (long-lived buffers over short ones: a wide graph's shape),
 * with sizes that are not multiples of the alignment and a few empty buffers.
 */
function randomProblem(seed: number, buffers: number, steps: number): PlanProblem {
  const next = seededUniform(seed);
  const list: PlanBuffer[] = [];
  for (let id = 0; id < buffers; id++) {
    const first = Math.floor(next() * steps);
    const long = next() < 0.15;
    const span = long ? Math.floor(next() * steps) : Math.floor(next() * 4);
    const size = next() < 0.02 ? 0 : 1 + Math.floor(next() * (next() < 0.2 ? 900 : 130));
    list.push({ id, name: `b${id}`, kind: 'activation', size, first, last: Math.min(steps - 1, first + span) });
  }
  return { buffers: list, steps, candidates: [], views: [] };
}

function lowestFitByDefinition(problem: PlanProblem, order: readonly number[], align: number): number[] {
  const offsets: number[] = problem.buffers.map(() => -1);
  const placed: { lo: number; hi: number; first: number; last: number }[] = [];
  for (const id of order) {
    const b = problem.buffers[id];
    const size = alignUp(b.size, align);
    const meeting = placed.filter((r) => r.first <= b.last && b.first <= r.last);
    // The lowest free offset is 0 or just above some buffer (rounded up to the alignment).
    const candidates = [0, ...meeting.map((r) => alignUp(r.hi, align))].sort((x, y) => x - y);
    const x = candidates.find((c) => meeting.every((r) => !(c < r.hi && r.lo < c + size)))!;
    offsets[id] = x;
    placed.push({ lo: x, hi: x + size, first: b.first, last: b.last });
  }
  return offsets;
}

describe('greedy placement', () => {
  it('puts every buffer at its lowest fit, on problems of long and short lifetimes over many time buckets', () => {
    const mismatches: string[] = [];
    for (let seed = 1; seed <= 40; seed++) {
      const problem = randomProblem(seed, 120 + seed * 5, 40 + seed * 12);
      const groups: BufferGroup[] = problem.buffers.map((b) => ({ members: [b.id], rel: [0], extent: b.size, first: b.first, last: b.last }));
      for (const align of [4, 16]) {
        for (const order of [bySizeDescending(groups), groups.map((_, i) => i)]) {
          const got = placeGreedy(problem, groups, order, align).offsets;
          const want = lowestFitByDefinition(problem, order, align);
          const at = got.findIndex((o, i) => o !== want[i]);
          if (at >= 0) mismatches.push(`seed ${seed} align ${align}: buffer ${at} at ${got[at]}, its lowest fit is ${want[at]}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
  });
});
