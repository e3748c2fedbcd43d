/**
 * mulberry32, the seeded 32-bit generator the TFLite Micro gold inputs were made with (../shared/gold/README.md).
 * Every seeded test, fuzzer and fixture in the project draws from it, so a failure replays from its seed on any
 * machine (Math.random cannot be seeded).
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
