/**
 * A complete search for the smallest arena when every group is a plain rectangle (one address range over one
 * interval of steps — the case without in-place sharing).
 *
 * Why it is complete: take any optimal placement and let every rectangle fall down until it rests on the floor or
 * on a rectangle it meets in time. Sorted by (offset, index), each rectangle's offset is then the highest top, over
 * its steps, of the rectangles before it — the "skyline" of the prefix. So enumerating orders and dropping each
 * rectangle onto the skyline visits that placement. Orders that are not sorted by (offset, index) are skipped: they
 * only repeat placements reached in sorted order. That symmetry cut and a live-bytes bound keep the search small.
 */
export interface Rectangle {
  /** Bytes (already a multiple of the alignment). */
  size: number;
  first: number;
  last: number;
}

export interface SkylineResult {
  /** Offsets of the best placement found below `bestSize`, or undefined when none is smaller. */
  offsets?: number[];
  arenaSize: number;
  /** True when the search ran to its end (the result is optimal) rather than stopping at the deadline. */
  complete: boolean;
  nodesVisited: number;
}

/**
 * Finds a placement with arena < `bestSize` (the best known), stopping early once `target` (the lower bound) is
 * met or `deadline` (Date.now() value) passes.
 */
export function searchSkyline(rects: readonly Rectangle[], steps: number, bestSize: number, target: number, deadline: number): SkylineResult {
  const n = rects.length;
  const height = new Float64Array(steps);
  const offsets = new Array<number>(n).fill(-1);
  // Bytes of unplaced rectangles live at each step.
  const pending = new Float64Array(steps);
  for (const r of rects) for (let s = r.first; s <= r.last; s++) pending[s] += r.size;

  let best: number[] | undefined;
  let bestArena = bestSize;
  let nodesVisited = 0;
  let timedOut = false;

  const restingOffset = (r: Rectangle): number => {
    let o = 0;
    for (let s = r.first; s <= r.last; s++) o = Math.max(o, height[s]);
    return o;
  };

  /** No rectangle can end below this: the skyline plus what is still to come at each step. */
  const bound = (): number => {
    let b = 0;
    for (let s = 0; s < steps; s++) b = Math.max(b, height[s] + pending[s]);
    return b;
  };

  const search = (placed: number, level: number, lastIndex: number, top: number): boolean => {
    if (placed === n) {
      bestArena = top;
      best = [...offsets];
      return bestArena <= target;
    }
    if (++nodesVisited % 1024 === 0 && Date.now() > deadline) {
      timedOut = true;
      return true;
    }
    if (Math.max(top, bound()) >= bestArena) return false;
    for (let i = 0; i < n; i++) {
      if (offsets[i] >= 0) continue;
      const r = rects[i];
      const o = restingOffset(r);
      // Sorted by (offset, index): a lower offset, or an equal one with a lower index, belongs earlier.
      if (o < level || (o === level && i < lastIndex)) continue;
      if (Math.max(top, o + r.size) >= bestArena) continue;
      const saved = height.slice(r.first, r.last + 1);
      offsets[i] = o;
      for (let s = r.first; s <= r.last; s++) {
        height[s] = o + r.size;
        pending[s] -= r.size;
      }
      const done = search(placed + 1, o, i, Math.max(top, o + r.size));
      for (let s = r.first; s <= r.last; s++) {
        height[s] = saved[s - r.first];
        pending[s] += r.size;
      }
      offsets[i] = -1;
      if (done) return true;
    }
    return false;
  };

  search(0, 0, -1, 0);
  return { offsets: best, arenaSize: best ? bestArena : bestSize, complete: !timedOut, nodesVisited };
}
