import { bytesOf, NodeOf, SIGNAL_FILTER_BANK_INPUT } from '@tinyforge/ir';
import { Evaluate, KernelContext } from './context';
import { kissFftrInt16, kissFftrTables } from './signal-fft';

/**
 * TFLite Micro's Signal library (signal/src/*.cc) on integers, bit for bit: C's uint32/uint64 wrap-around and
 * truncating shifts are spelled out with `>>> 0` and BigInt. MostSignificantBit32(0) is 32, as in TFLite Micro's
 * builds (its __builtin_clz branch); only FFT_AUTO_SCALE's scale-bits output can tell.
 */

/** The number of bits up to and including the highest set bit; 32 for 0 (TFLite Micro's GCC/Clang branch). */
export function mostSignificantBit32(x: number): number {
  return x === 0 ? 32 : 32 - Math.clz32(x);
}

const toInt16 = (v: number): number => (v << 16) >> 16;

export function signalWindow(ctx: KernelContext<'SignalWindow'>): Evaluate {
  const [x, w, o] = [ctx.input<Int16Array>(0), ctx.input<Int16Array>(1), ctx.outputArray<Int16Array>()];
  const shift = ctx.node.attrs.shift;
  return () => {
    for (let i = 0; i < x.length; i++) {
      const raw = (x[i] * w[i % w.length]) >> shift;
      o[i] = raw < -32768 ? -32768 : raw > 32767 ? 32767 : raw;
    }
  };
}

/**
 * FftAutoScale's shift: 16 − msb(max |x|) − 1, at least 0. MaxAbs16 keeps its maximum in an int16, so a sample of
 * −32768 stores max = −32768, which later samples above it replace, and a negative max (msb of its uint32 pattern
 * is 32) gives no shift.
 */
export function fftScaleBits(x: Int16Array): number {
  let max = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (v > max) max = v;
    else if (-v > max) max = toInt16(-v);
  }
  return Math.max(0, 16 - mostSignificantBit32(max >>> 0) - 1);
}

export function signalFftScaleBits(ctx: KernelContext<'SignalFftScaleBits'>): Evaluate {
  const [x, o] = [ctx.input<Int16Array>(0), ctx.outputArray<Int32Array>()];
  return () => {
    o[0] = fftScaleBits(x);
  };
}

export function signalFftAutoScale(ctx: KernelContext<'SignalFftAutoScale'>): Evaluate {
  const [x, bits, o] = [ctx.input<Int16Array>(0), ctx.input<Int32Array>(1), ctx.outputArray<Int16Array>()];
  return () => {
    const scale = 2 ** bits[0];
    for (let i = 0; i < x.length; i++) o[i] = x[i] * scale; // int16 store wraps, as C's conversion does
  };
}

export function signalRfft(ctx: KernelContext<'SignalRfft'>): Evaluate {
  const [x, o] = [ctx.input<Int16Array>(0), ctx.outputArray<Int16Array>()];
  const n = ctx.node.attrs.fftLength;
  const frame = ctx.tensor(0).shape[ctx.tensor(0).shape.length - 1];
  const frames = x.length / frame;
  const tables = kissFftrTables(n);
  const work = new Int16Array(n);
  return () => {
    for (let f = 0; f < frames; f++) {
      work.fill(0);
      work.set(x.subarray(f * frame, (f + 1) * frame));
      o.set(kissFftrInt16(tables, work), f * (n + 2));
    }
  };
}

export function signalEnergy(ctx: KernelContext<'SignalEnergy'>): Evaluate {
  const [x, o] = [ctx.input<Int16Array>(0), ctx.outputArray<Uint32Array>()];
  const { startIndex, endIndex } = ctx.node.attrs;
  return () => {
    // Bins outside [start, end) are not written by TFLite Micro (they keep whatever the arena held); here they are 0.
    o.fill(0);
    for (let i = startIndex; i < endIndex; i++) o[i] = (x[2 * i] * x[2 * i] + x[2 * i + 1] * x[2 * i + 1]) >>> 0;
  };
}

export function signalFilterBank(ctx: KernelContext<'SignalFilterBank'>): Evaluate {
  const I = SIGNAL_FILTER_BANK_INPUT;
  const x = ctx.input<Uint32Array>(I.input);
  const [weights, unweights] = [ctx.input<Int16Array>(I.weights), ctx.input<Int16Array>(I.unweights)];
  const [starts, weightStarts, widths] = [ctx.input<Int16Array>(I.channelFrequencyStarts), ctx.input<Int16Array>(I.channelWeightStarts), ctx.input<Int16Array>(I.channelWidths)];
  const o = ctx.outputArray<BigUint64Array>();
  const channels = ctx.node.attrs.numChannels;
  const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);
  return () => {
    let weighted = 0n;
    let unweighted = 0n;
    // Band i adds into channel i (weights) and channel i + 1 (unweights); band 0's own sum is dropped.
    for (let i = 0; i <= channels; i++) {
      for (let j = 0; j < widths[i]; j++) {
        const e = BigInt(x[starts[i] + j]);
        weighted = u64(weighted + u64(BigInt(weights[weightStarts[i] + j]) * e));
        unweighted = u64(unweighted + u64(BigInt(unweights[weightStarts[i] + j]) * e));
      }
      if (i > 0) o[i - 1] = weighted;
      weighted = unweighted;
      unweighted = 0n;
    }
  };
}

/** TFLite Micro's Sqrt32/Sqrt64: bit-by-bit integer square root, then rounded up when the remainder exceeds the root. */
export function sqrt64(value: bigint): number {
  if (value === 0n) return 0;
  const top = value >> 32n === 0n ? 32 : 64;
  const msb = value.toString(2).length;
  let maxBit = top - msb;
  maxBit |= 1;
  let bit = 1n << BigInt(top - 1 - maxBit);
  let iterations = Math.floor((top - 1 - maxBit) / 2) + 1;
  let num = value;
  let res = 0n;
  while (iterations-- > 0) {
    if (num >= res + bit) {
      num -= res + bit;
      res = (res >> 1n) + bit;
    } else {
      res >>= 1n;
    }
    bit >>= 2n;
  }
  const cap = top === 32 ? 0xffffn : 0xffffffffn;
  if (num > res && res !== cap) res++;
  return Number(res);
}

export function signalFilterBankSquareRoot(ctx: KernelContext<'SignalFilterBankSquareRoot'>): Evaluate {
  const [x, bits, o] = [ctx.input<BigUint64Array>(0), ctx.input<Int32Array>(1), ctx.outputArray<Uint32Array>()];
  return () => {
    for (let i = 0; i < x.length; i++) o[i] = sqrt64(x[i]) >>> bits[0];
  };
}

/** The smoothing constants of channel i: even channels the main pair, odd ones the alternate pair. */
function smoothingOf(a: NodeOf<'SignalNoiseEstimate'>['attrs'], i: number): [number, number] {
  return i % 2 === 0 ? [a.smoothing >>> 0, a.oneMinusSmoothing >>> 0] : [a.alternateSmoothing >>> 0, a.alternateOneMinusSmoothing >>> 0];
}

export function signalNoiseEstimate(ctx: KernelContext<'SignalNoiseEstimate'>): Evaluate {
  const [x, state, o] = [ctx.input<Uint32Array>(0), ctx.input<Uint32Array>(1), ctx.outputArray<Uint32Array>()];
  const a = ctx.node.attrs;
  const down = 2n ** BigInt(a.spectralSubtractionBits);
  return () => {
    for (let i = 0; i < x.length; i++) {
      const [s, oneMinus] = smoothingOf(a, i);
      const up = (x[i] << a.smoothingBits) >>> 0;
      const estimate = Number(BigInt.asUintN(64, BigInt(up) * BigInt(s) + BigInt(state[i]) * BigInt(oneMinus)) / down) >>> 0;
      state[i] = a.clamping && estimate > up ? up : estimate;
      o[i] = state[i];
    }
  };
}

export function signalSpectralSubtraction(ctx: KernelContext<'SignalSpectralSubtraction'>): Evaluate {
  const [x, noise, o] = [ctx.input<Uint32Array>(0), ctx.input<Uint32Array>(1), ctx.outputArray<Uint32Array>()];
  const a = ctx.node.attrs;
  const down = BigInt(a.spectralSubtractionBits);
  const minRemaining = BigInt(a.minSignalRemaining >>> 0);
  return () => {
    for (let i = 0; i < x.length; i++) {
      const up = (x[i] << a.smoothingBits) >>> 0;
      const estimate = noise[i] > up ? up : noise[i];
      const floor = Number(BigInt.asUintN(64, BigInt(x[i]) * minRemaining) >> down) >>> 0;
      const subtracted = (up - estimate) >>> a.smoothingBits;
      o[i] = subtracted > floor ? subtracted : floor;
    }
  };
}

const PCAN_SNR_BITS = 12;
const PCAN_OUTPUT_BITS = 6;

/** PCAN's gain: a piecewise quadratic in the gain table, 4 entries per octave of x (x ≤ 2 reads the table directly). */
export function wideDynamicFunction(x: number, lut: Int16Array): number {
  if (x <= 2) return lut[x];
  const interval = mostSignificantBit32(x);
  const base = 4 * interval - 6;
  const frac = ((interval < 11 ? x << (11 - interval) : x >>> (interval - 11)) & 0x3ff) >>> 0;
  let result = (lut[base + 2] * frac) >> 5;
  result = (result + ((lut[base + 1] << 5) | 0)) | 0;
  result = Math.imul(result, frac);
  result = (result + (1 << 14)) >> 15;
  result += lut[base];
  return toInt16(result);
}

export function pcanShrink(x: number): number {
  if (x < 2 << PCAN_SNR_BITS) return Math.floor((x * x) / 2 ** (2 + 2 * PCAN_SNR_BITS - PCAN_OUTPUT_BITS)) >>> 0;
  return ((x >>> (PCAN_SNR_BITS - PCAN_OUTPUT_BITS)) - (1 << PCAN_OUTPUT_BITS)) >>> 0;
}

export function signalPcan(ctx: KernelContext<'SignalPcan'>): Evaluate {
  const [x, noise, lut, o] = [ctx.input<Uint32Array>(0), ctx.input<Uint32Array>(1), ctx.input<Int16Array>(2), ctx.outputArray<Uint32Array>()];
  const shift = BigInt(ctx.node.attrs.snrShift);
  return () => {
    for (let i = 0; i < x.length; i++) {
      const gain = wideDynamicFunction(noise[i], lut) >>> 0; // int16 → uint32, as C converts it
      const snr = Number(BigInt.asUintN(32, (BigInt(x[i]) * BigInt(gain)) >> shift));
      o[i] = pcanShrink(snr);
    }
  };
}

/** log2(1 + i/128) − i/128 in 1/65536 units, i = 0…128 (TFLite Micro's kLogLut, whose values are this formula rounded), and a 0 after it. */
export const LOG_LUT: readonly number[] = [...Array.from({ length: 129 }, (_, i) => Math.round((Math.log2(1 + i / 128) - i / 128) * 65536)), 0];

const LOG_SCALE_BITS = 16;
const LOG_SEGMENTS_BITS = 7;
/** ln 2 in 1/65536 units. */
const LOG_COEFF = 45426;

/** TFLite Micro's Log32: out_scale · ln(x) in fixed point (x > 1), through a piecewise linear log2 fraction. */
export function log32(x: number, outScale: number): number {
  const integer = mostSignificantBit32(x) - 1;
  let frac = (x - 2 ** integer) | 0;
  frac = integer < LOG_SCALE_BITS ? frac << (LOG_SCALE_BITS - integer) : frac >> (integer - LOG_SCALE_BITS);
  const segment = frac >>> (LOG_SCALE_BITS - LOG_SEGMENTS_BITS);
  const unit = (1 << LOG_SCALE_BITS) >>> LOG_SEGMENTS_BITS;
  const [c0, c1] = [LOG_LUT[segment], LOG_LUT[segment + 1]];
  const rel = Math.imul(c1 - c0, frac - unit * segment) >> LOG_SCALE_BITS;
  const fraction = (frac + c0 + rel) >>> 0;
  const log2 = ((integer << LOG_SCALE_BITS) + fraction) >>> 0;
  const round = 1 << (LOG_SCALE_BITS - 1);
  const loge = Math.floor((LOG_COEFF * log2 + round) / 2 ** LOG_SCALE_BITS) >>> 0;
  return Math.floor((((Math.imul(outScale, loge) >>> 0) + round) >>> 0) / 2 ** LOG_SCALE_BITS);
}

export function signalFilterBankLog(ctx: KernelContext<'SignalFilterBankLog'>): Evaluate {
  const [x, o] = [ctx.input<Uint32Array>(0), ctx.outputArray<Int16Array>()];
  const { inputCorrectionBits, outputScale } = ctx.node.attrs;
  return () => {
    for (let i = 0; i < x.length; i++) {
      const scaled = (x[i] << inputCorrectionBits) >>> 0;
      o[i] = scaled > 1 ? Math.min(log32(scaled, outputScale), 32767) : 0;
    }
  };
}

/** FeatureWindow: the window (op state, [rows, features]) moves up one row, x becomes its last row; out = window. */
export function featureWindow(ctx: KernelContext<'FeatureWindow'>): Evaluate {
  const [x, window, o] = [bytesOf(ctx.input(0)), bytesOf(ctx.input(1)), bytesOf(ctx.outputArray())];
  const row = x.byteLength;
  return () => {
    window.copyWithin(0, row);
    window.set(x, window.byteLength - row);
    o.set(window);
  };
}
