/**
 * The real FFT of TFLite Micro's Signal library for int16 samples: KISS FFT (v130, the version TFLite Micro
 * downloads) built with FIXED_POINT=16, bit for bit. Its arithmetic, from KISS FFT's fixed-point definitions:
 * - products are int32, rounded back to Q15: sround(p) = (p + 2^14) >> 15 stored as int16 (C_MUL, S_MUL);
 * - each radix-p stage first divides its inputs by p: DIVSCALAR(x, p) = sround(x · (32767 / p)) (C_FIXDIV);
 * - complex add/sub store into int16 (wrapping);
 * - twiddles are floor(0.5 + 32767 · cos/sin(phase)) of double phases (kf_cexp);
 * - the N/2-point complex FFT factors N/2 into 4s, then 2s, then odd primes (kf_factor), and recurses decimating
 *   in time (kf_work); the real FFT splits the result with "super twiddles" and halves (HALF_OF = >> 1).
 * Only power-of-two lengths are accepted (the IR's rule), so only the radix-4 and radix-2 butterflies occur.
 */

export interface FftrTables {
  /** The real FFT's length N. */
  n: number;
  /** Complex FFT twiddles for N/2 points, interleaved (re, im). */
  twiddles: Int16Array;
  /** Super twiddles for the real split, N/4 of them, interleaved. */
  superTwiddles: Int16Array;
  /** (radix, remaining length) pairs of N/2 (kf_factor). */
  factors: number[];
}

const SAMP_MAX = 32767;
const cexp = (phase: number): [number, number] => [Math.floor(0.5 + SAMP_MAX * Math.cos(phase)), Math.floor(0.5 + SAMP_MAX * Math.sin(phase))];

function factor(n: number): number[] {
  const out: number[] = [];
  const floorSqrt = Math.floor(Math.sqrt(n));
  let p = 4;
  do {
    while (n % p !== 0) {
      p = p === 4 ? 2 : p === 2 ? 3 : p + 2;
      if (p > floorSqrt) p = n;
    }
    n /= p;
    out.push(p, n);
  } while (n > 1);
  return out;
}

export function kissFftrTables(n: number): FftrTables {
  const half = n / 2;
  const twiddles = new Int16Array(2 * half);
  for (let i = 0; i < half; i++) {
    const [re, im] = cexp((-2 * Math.PI * i) / half);
    twiddles[2 * i] = re;
    twiddles[2 * i + 1] = im;
  }
  const superTwiddles = new Int16Array(2 * (half / 2));
  for (let i = 0; i < half / 2; i++) {
    const [re, im] = cexp(-Math.PI * ((i + 1) / half + 0.5));
    superTwiddles[2 * i] = re;
    superTwiddles[2 * i + 1] = im;
  }
  return { n, twiddles, superTwiddles, factors: factor(half) };
}

const i16 = (v: number): number => (v << 16) >> 16;
/** sround: a Q30 int32 product back to Q15, stored as int16. */
const sround = (p: number): number => i16((p + (1 << 14)) >> 15);
/** C_FIXDIV's per-component division by the stage's radix. */
const fixdiv = (v: number, p: number): number => sround(v * Math.trunc(SAMP_MAX / p));

/** In-place radix stages over `out` (interleaved int16 pairs): kf_work on the N/2-point complex signal `input`. */
function work(out: Int16Array, o: number, input: Int16Array, f: number, fstride: number, factors: number[], fi: number, tw: Int16Array): void {
  const p = factors[fi];
  const m = factors[fi + 1];
  if (m === 1) {
    for (let k = 0; k < p; k++) {
      out[2 * (o + k)] = input[2 * (f + k * fstride)];
      out[2 * (o + k) + 1] = input[2 * (f + k * fstride) + 1];
    }
  } else {
    for (let k = 0; k < p; k++) work(out, o + k * m, input, f + k * fstride, fstride * p, factors, fi + 2, tw);
  }
  if (p === 2) butterfly2(out, o, fstride, m, tw);
  else if (p === 4) butterfly4(out, o, fstride, m, tw);
  else throw new RangeError(`radix ${p}: only power-of-two FFT lengths are supported`);
}

/** C_MUL of element `a` of `x` by twiddle `t`: [re, im]. */
function cmul(x: Int16Array, a: number, tw: Int16Array, t: number): [number, number] {
  const [ar, ai, br, bi] = [x[2 * a], x[2 * a + 1], tw[2 * t], tw[2 * t + 1]];
  return [sround(ar * br - ai * bi), sround(ar * bi + ai * br)];
}

function divide(x: Int16Array, a: number, p: number): void {
  x[2 * a] = fixdiv(x[2 * a], p);
  x[2 * a + 1] = fixdiv(x[2 * a + 1], p);
}

function butterfly2(x: Int16Array, o: number, fstride: number, m: number, tw: Int16Array): void {
  for (let k = 0; k < m; k++) {
    const [a, b] = [o + k, o + k + m];
    divide(x, a, 2);
    divide(x, b, 2);
    const [tr, ti] = cmul(x, b, tw, k * fstride);
    x[2 * b] = x[2 * a] - tr;
    x[2 * b + 1] = x[2 * a + 1] - ti;
    x[2 * a] += tr;
    x[2 * a + 1] += ti;
  }
}

function butterfly4(x: Int16Array, o: number, fstride: number, m: number, tw: Int16Array): void {
  for (let k = 0; k < m; k++) {
    const [a0, a1, a2, a3] = [o + k, o + k + m, o + k + 2 * m, o + k + 3 * m];
    for (const a of [a0, a1, a2, a3]) divide(x, a, 4);
    const [s0r, s0i] = cmul(x, a1, tw, k * fstride);
    const [s1r, s1i] = cmul(x, a2, tw, 2 * k * fstride);
    const [s2r, s2i] = cmul(x, a3, tw, 3 * k * fstride);
    const s5r = i16(x[2 * a0] - s1r);
    const s5i = i16(x[2 * a0 + 1] - s1i);
    x[2 * a0] += s1r;
    x[2 * a0 + 1] += s1i;
    const s3r = i16(s0r + s2r);
    const s3i = i16(s0i + s2i);
    const s4r = i16(s0r - s2r);
    const s4i = i16(s0i - s2i);
    x[2 * a2] = x[2 * a0] - s3r;
    x[2 * a2 + 1] = x[2 * a0 + 1] - s3i;
    x[2 * a0] += s3r;
    x[2 * a0 + 1] += s3i;
    x[2 * a1] = s5r + s4i;
    x[2 * a1 + 1] = s5i - s4r;
    x[2 * a3] = s5r - s4i;
    x[2 * a3 + 1] = s5i + s4r;
  }
}

/** kiss_fftr: N real int16 samples → N/2 + 1 bins, interleaved (re, im) int16. */
export function kissFftrInt16(t: FftrTables, samples: Int16Array): Int16Array {
  const half = t.n / 2;
  const spectrum = new Int16Array(2 * half);
  // The samples read as N/2 complex values (even samples real, odd imaginary).
  work(spectrum, 0, samples, 0, 1, t.factors, 0, t.twiddles);
  const out = new Int16Array(t.n + 2);
  const dcr = fixdiv(spectrum[0], 2);
  const dci = fixdiv(spectrum[1], 2);
  out[0] = dcr + dci;
  out[2 * half] = dcr - dci;
  for (let k = 1; k <= half / 2; k++) {
    const fpkr = fixdiv(spectrum[2 * k], 2);
    const fpki = fixdiv(spectrum[2 * k + 1], 2);
    const fpnkr = fixdiv(spectrum[2 * (half - k)], 2);
    const fpnki = fixdiv(i16(-spectrum[2 * (half - k) + 1]), 2);
    const f1kr = i16(fpkr + fpnkr);
    const f1ki = i16(fpki + fpnki);
    const f2kr = i16(fpkr - fpnkr);
    const f2ki = i16(fpki - fpnki);
    const [br, bi] = [t.superTwiddles[2 * (k - 1)], t.superTwiddles[2 * (k - 1) + 1]];
    const twr = sround(f2kr * br - f2ki * bi);
    const twi = sround(f2kr * bi + f2ki * br);
    out[2 * k] = (f1kr + twr) >> 1;
    out[2 * k + 1] = (f1ki + twi) >> 1;
    out[2 * (half - k)] = (f1kr - twr) >> 1;
    out[2 * (half - k) + 1] = (twi - f1ki) >> 1;
  }
  return out;
}
