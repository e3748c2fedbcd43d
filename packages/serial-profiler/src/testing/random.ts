/** An integer in [lo, hi] from a seeded uniform source (`seededUniform` from @tinyforge/ir). */
export function randomInt(rand: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1));
}
