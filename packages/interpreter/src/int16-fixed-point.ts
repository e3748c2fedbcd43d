/**
 * The 16-bit side of TFLite's fixed-point arithmetic, bit for bit: the int64 MultiplyByQuantizedMultiplier of the
 * 16x8 kernels, CheckedLog2, the 256-entry sigmoid table of the int16 LOGISTIC/TANH kernels and the 513-entry
 * interpolated lookup tables of the int16 SOFTMAX.
 */
import { roundHalfAway } from './fixed-point';

const f = Math.fround;
const TWO_POW_52 = 2 ** 52;

/**
 * TFLite's MultiplyByQuantizedMultiplier(int64_t x, …): the multiplier rounded to 16 bits, one rounding shift.
 * x = acc + bias: `acc` a number (an exact integer), `bias` an int64; the result is cast to int32 as the C++ does.
 */
export function multiplyByQuantizedMultiplierInt64(acc: number, bias: bigint, multiplier: number, shift: number): number {
  const reduced = multiplier < 0x7fff0000 ? (multiplier + 32768) >> 16 : 0x7fff;
  const totalShift = 15 - shift;
  const b = Number(bias);
  const x = acc + b;
  if (Number.isSafeInteger(b) && Math.abs(x) * reduced < TWO_POW_52 && totalShift <= 52) {
    // Exact in a double: |x · reduced| + 2^(totalShift − 1) < 2^53.
    const scaled = Math.floor((x * reduced + 2 ** (totalShift - 1)) / 2 ** totalShift);
    return scaled | 0;
  }
  const big = (BigInt(acc) + bias) * BigInt(reduced) + (1n << BigInt(totalShift - 1));
  return Number(BigInt.asIntN(32, big >> BigInt(totalShift)));
}

/** TFLite CheckedLog2 (float arithmetic): round(log2 x) and whether x is a power of two within 1e-3 in the log. */
export function checkedLog2(x: number): { log2: number; isPowerOfTwo: boolean } {
  const xLog2 = f(f(Math.log(f(x))) * f(1 / f(Math.log(2))));
  const rounded = roundHalfAway(xLog2);
  return { log2: rounded, isPowerOfTwo: Math.abs(f(xLog2 - rounded)) < f(1e-3) };
}

/**
 * TFLite's sigmoid_table_uint16: sigmoid(i / 24) in 0.16 fixed point for i = 0 … 255, each sample lowered by half
 * the error linear interpolation to the next sample makes at the midpoint (so the interpolated curve straddles the
 * true one), the last entry saturated at 65535. This generator reproduces all 256 entries of TFLite's table.
 */
export const SIGMOID_TABLE_UINT16: Uint16Array = Uint16Array.from({ length: 256 }, (_, i) => {
  if (i === 255) return 65535;
  const s = (x: number): number => 65536 / (1 + Math.exp(-x / 24));
  const midpointError = (s(i) + s(i + 1)) / 2 - s(i + 0.5);
  return Math.round(s(i) - midpointError / 2);
});

/**
 * The input rescaling of the int16 LOGISTIC and TANH kernels (TFLite Micro's Prepare): a power-of-two input scale
 * at the kernel's native Q3.12 (logistic; tanh also accepts one more fractional bit) takes the fast path, any other
 * scale becomes a 15-bit multiplier of scale · 3 · 4096 with a right shift.
 */
export function int16ActivationInputScaling(inputScale: number, fn: 'logistic' | 'tanh'): { multiplier: number; leftShift: number } {
  const { log2, isPowerOfTwo } = checkedLog2(inputScale);
  let leftShift = 15 - 3 + log2;
  const pot = isPowerOfTwo && (leftShift === 0 || (fn === 'tanh' && leftShift === 1));
  if (pot) return { multiplier: 0, leftShift };
  let multiplier = inputScale * 4096 * 3;
  leftShift = 0;
  while (multiplier <= 32767 / 2 && leftShift <= 30) {
    leftShift++;
    multiplier *= 2;
  }
  return { multiplier: Math.trunc(multiplier), leftShift };
}

/** The per-element input step both int16 kernels share: x · multiplier, rounded right shift (POT: multiplier 3). */
function scaledInput(v: number, multiplier: number, leftShift: number): number {
  const m = multiplier === 0 ? 3 << leftShift : multiplier;
  const shift = multiplier === 0 ? 0 : leftShift;
  const round = shift > 0 ? 1 << (shift - 1) : 0;
  return (v * m + round) >> shift;
}

/** reference_integer_ops::Logistic on one int16 (Q0.15 result in [0, 32767]). */
export function logisticInt16(v: number, multiplier: number, leftShift: number): number {
  const x = scaledInput(v, multiplier, leftShift);
  const abs = Math.abs(x);
  const uh = abs >>> 9;
  let result: number;
  if (uh >= 255) result = 0x7fff << 10;
  else {
    const ua = SIGMOID_TABLE_UINT16[uh];
    const ub = SIGMOID_TABLE_UINT16[uh + 1];
    result = ua * 512 + (abs & 0x1ff) * (ub - ua);
  }
  result = x >= 0 ? result + (1 << 9) : (1 << 25) - result + (1 << 9) - 1;
  return result >>> 10;
}

/** reference_integer_ops::Tanh on one int16 (Q0.15 result). */
export function tanhInt16(v: number, multiplier: number, leftShift: number): number {
  const x = scaledInput(v, multiplier, leftShift);
  const abs = Math.abs(x);
  const uh = abs >>> 8;
  let result: number;
  if (uh >= 255) result = 0xffff << 8;
  else {
    const ua = SIGMOID_TABLE_UINT16[uh];
    const ub = SIGMOID_TABLE_UINT16[uh + 1];
    result = ua * 256 + (abs & 0xff) * (ub - ua);
  }
  result = x >= 0 ? result - (1 << 23) + (1 << 7) : -result + (1 << 23) + (1 << 7) - 1;
  return (result >> 8) << 16 >> 16;
}

/**
 * TFLite's LUTPopulate<int16_t> (float arithmetic throughout): 512 samples of `fn` over the int16 input range, each
 * corrected by half its interpolation error at the midpoint, plus one end sample.
 */
export function populateInt16Lut(inputScale: number, inputZeroPoint: number, outputScale: number, outputZeroPoint: number, fn: (v: number) => number): Int16Array {
  const inMin = f(f(inputScale) * (-32768 - inputZeroPoint));
  const inMax = f(f(inputScale) * (32767 - inputZeroPoint));
  const outMin = f(f(outputScale) * (-32768 - outputZeroPoint));
  const outMax = f(f(outputScale) * (32767 - outputZeroPoint));
  const steps = 512;
  const step = f(f(inMax - inMin) / steps);
  const halfStep = f(step / 2);
  const scalingInv = f(65536 / f(outMax - outMin));
  const clamp = (v: number): number => Math.min(Math.max(v, -32768), 32767);
  const lut = new Int16Array(steps + 1);
  for (let i = 0; i < steps; i++) {
    const at = f(inMin + f(i * step));
    const val = fn(at);
    const midpoint = fn(f(at + halfStep));
    const next = fn(f(inMin + f((i + 1) * step)));
    const sample = roundHalfAway(f(val * scalingInv));
    const interpolated = roundHalfAway(f(f(f(next * scalingInv) + sample) / 2));
    const exact = roundHalfAway(f(midpoint * scalingInv));
    const bias = roundHalfAway(f(f(interpolated - exact) / 2));
    lut[i] = clamp(f(sample - bias));
  }
  lut[steps] = clamp(roundHalfAway(f(fn(inMax) * scalingInv)));
  return lut;
}

/** TFLite's int16 LUTLookup: the upper 9 bits index, the lower 7 interpolate. */
export function lookupInt16(value: number, lut: Int16Array): number {
  const index = 256 + (value >> 7);
  const offset = value & 0x7f;
  const base = lut[index];
  const slope = ((lut[index + 1] - base) << 16) >> 16;
  const delta = (slope * offset + 64) >> 7;
  return ((base + delta) << 16) >> 16;
}
