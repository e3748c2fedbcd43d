import { seededUniform } from '@tinyforge/ir';

/**
 * Seeded draws (mulberry32, via @tinyforge/ir) so that initialisation and shuffling, and with them the trained
 * model, are the same on every run with the same seed. Math.random cannot be seeded.
 */
export class SeededRandom {
  /** Uniform in [0, 1). */
  readonly next: () => number;
  private spareNormal: number | undefined;

  constructor(seed: number) {
    this.next = seededUniform(seed);
  }

  /** Standard normal (Box–Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const v = this.spareNormal;
      this.spareNormal = undefined;
      return v;
    }
    const u = 1 - this.next(); // (0, 1]: log(0) would be -Infinity
    const r = Math.sqrt(-2 * Math.log(u));
    const a = 2 * Math.PI * this.next();
    this.spareNormal = r * Math.sin(a);
    return r * Math.cos(a);
  }

  /** Fisher–Yates shuffle in place. */
  shuffle<T extends { length: number; [i: number]: number }>(items: T): T {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const t = items[i];
      items[i] = items[j];
      items[j] = t;
    }
    return items;
  }
}
