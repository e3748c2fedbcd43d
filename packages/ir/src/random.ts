/**
 * mulberry32, the seeded 32-bit generator the TFLite Micro gold inputs were made with (../shared/gold/README.md).
 * Every seeded test, fuzzer and fixture in the project draws from it, so a failure replays from its seed on any
 * machine (Math.random cannot be seeded). Tests take it from '@tinyforge/ir/testing'; code draws through
 * seededUniform or SeededRandom.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** Uniform numbers in [0, 1) from mulberry32. */
export function seededUniform(seed: number): () => number {
  const next = mulberry32(seed);
  return () => next() / 4294967296;
}

/** Int8 input bytes made the way the gold inputs were: one draw r per element, (r >>> 24) − 128. */
export function goldStyleInt8(seed: number, length: number): Uint8Array {
  const next = mulberry32(seed);
  const out = new Int8Array(length);
  for (let i = 0; i < length; i++) out[i] = (next() >>> 24) - 128;
  return new Uint8Array(out.buffer);
}

/**
 * The project's seeded generator as an object: uniform, integer, pick, log-uniform and normal draws and a shuffle,
 * all from one mulberry32 stream, so that fault injection, fuzzing, training and property tests replay exactly
 * from their seed.
 */
export class SeededRandom {
  /** Uniform in [0, 1). */
  readonly next: () => number;
  private spareNormal: number | undefined;

  constructor(seed: number) {
    this.next = seededUniform(seed);
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + this.next() * (hi - lo);
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** Log-uniform in [lo, hi] (float32): values spread over orders of magnitude, like quantization scales. */
  logUniform(lo: number, hi: number): number {
    return Math.fround(lo * Math.exp(this.next() * Math.log(hi / lo)));
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
