import { seededUniform } from '@tinyforge/ir';
import { Rectangle, searchSkyline } from './skyline-search';

const overlaps = (a: Rectangle, oa: number, b: Rectangle, ob: number): boolean =>
  a.first <= b.last && b.first <= a.last && oa < ob + b.size && ob < oa + a.size;

/** Independent oracle: every offset of every rectangle on a grid of `unit`, smallest arena. */
function bruteForce(rects: readonly Rectangle[], unit: number): number {
  const total = rects.reduce((s, r) => s + r.size, 0);
  const offsets: number[] = [];
  let best = Infinity;
  const go = (i: number, top: number): void => {
    if (top >= best) return;
    if (i === rects.length) {
      best = top;
      return;
    }
    for (let o = 0; o + rects[i].size <= total && o + rects[i].size < best; o += unit) {
      if (rects.slice(0, i).some((r, k) => overlaps(r, offsets[k], rects[i], o))) continue;
      offsets[i] = o;
      go(i + 1, Math.max(top, o + rects[i].size));
    }
  };
  go(0, 0);
  return best;
}

function randomRects(rand: () => number, count: number, steps: number, unit: number): Rectangle[] {
  return Array.from({ length: count }, () => {
    const first = Math.floor(rand() * steps);
    const last = Math.min(steps - 1, first + Math.floor(rand() * 3));
    return { size: unit * (1 + Math.floor(rand() * 3)), first, last };
  });
}

function expectValid(rects: readonly Rectangle[], offsets: readonly number[], arena: number): void {
  rects.forEach((r, i) => {
    expect(offsets[i] + r.size).toBeLessThanOrEqual(arena);
    rects.slice(0, i).forEach((q, k) => expect(overlaps(q, offsets[k], r, offsets[i])).toBe(false));
  });
}

describe('searchSkyline', () => {
  it('finds the optimal arena of 150 random instances (checked against brute force over every offset)', () => {
    const rand = seededUniform(20261125);
    for (let t = 0; t < 150; t++) {
      const rects = randomRects(rand, 4 + (t % 3), 5, 16);
      const result = searchSkyline(rects, 5, Infinity, 0, Date.now() + 10_000);
      expect(result.complete).toBe(true);
      expect(result.arenaSize).toBe(bruteForce(rects, 16));
      expectValid(rects, result.offsets!, result.arenaSize);
    }
  });

  it('meets the lower bound of the sww model without sharing, where every largest-first order misses it by 512 bytes', () => {
    // sww_int8's buffers (bytes, first and last step) in tinyforge's execution order, without in-place sharing.
    const rects: Rectangle[] = [
      [1200, 0, 0], [1120, 0, 1], [3584, 1, 2], [320, 1, 1], [3072, 2, 3], [3072, 3, 4], [1024, 3, 3], [1920, 4, 5],
      [1920, 5, 6], [1024, 5, 5], [128, 6, 7], [32, 7, 8], [1024, 7, 7], [32, 8, 9], [16, 9, 10], [16, 10, 10],
    ].map(([size, first, last]) => ({ size, first, last }));
    const result = searchSkyline(rects, 11, 7680, 7168, Date.now() + 10_000);
    expect(result.arenaSize).toBe(7168);
    expectValid(rects, result.offsets!, 7168);
  });

  it('proves a placement optimal by finding nothing smaller than the best known', () => {
    // A chain: neighbours live together, the first and the last never; 32 bytes is optimal.
    const rects: Rectangle[] = [
      { size: 16, first: 0, last: 1 },
      { size: 16, first: 1, last: 2 },
      { size: 16, first: 2, last: 3 },
    ];
    expect(searchSkyline(rects, 4, 32, 0, Date.now() + 1000)).toEqual({ offsets: undefined, arenaSize: 32, complete: true, nodesVisited: expect.any(Number) });
    expect(searchSkyline(rects, 4, 48, 0, Date.now() + 1000).arenaSize).toBe(32);
  });

  it('stops at the deadline and says so', () => {
    const rand = seededUniform(7);
    const rects = randomRects(rand, 40, 12, 16);
    const result = searchSkyline(rects, 12, Infinity, 0, Date.now() - 1);
    expect(result.complete).toBe(false);
  });
});
