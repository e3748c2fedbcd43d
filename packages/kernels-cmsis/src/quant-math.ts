/**
 * The host-side half of TFLite's quantization arithmetic: turning float scales into the integer multipliers,
 * shifts and clamps the C kernels take. Matches TFLite's QuantizeMultiplier (frexp + round half away from zero)
 * and CalculateActivationRangeQuantized (float32 division). Kept here until @tinyforge/interpreter exports its
 * fixed-point module; the two must agree (the gold-vector tests check both against TFLite Micro).
 */
import { FusedActivation } from '@tinyforge/ir';

export interface QuantizedMultiplier {
  /** Q31 mantissa in [2^30, 2^31) (or 0). */
  multiplier: number;
  /** Power-of-two exponent: real ≈ multiplier · 2^(shift − 31). */
  shift: number;
}

const TWO_POW_31 = 2 ** 31;

function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** std::frexp for finite non-zero x: x = m · 2^e, 0.5 ≤ |m| < 1 (exact: only powers of two are applied). */
function frexp(x: number): { mantissa: number; exponent: number } {
  let e = Math.floor(Math.log2(Math.abs(x))) + 1;
  let m = x / 2 ** e;
  while (Math.abs(m) < 0.5) {
    m *= 2;
    e -= 1;
  }
  while (Math.abs(m) >= 1) {
    m /= 2;
    e += 1;
  }
  return { mantissa: m, exponent: e };
}

export function quantizeMultiplier(real: number): QuantizedMultiplier {
  if (real === 0 || !Number.isFinite(real)) return { multiplier: 0, shift: 0 };
  const { mantissa, exponent } = frexp(real);
  let q = roundHalfAway(mantissa * TWO_POW_31);
  let shift = exponent;
  if (q === TWO_POW_31) {
    q /= 2;
    shift += 1;
  }
  if (shift < -31) return { multiplier: 0, shift: 0 };
  return { multiplier: q, shift };
}

/** The int8 clamp of a fused activation, in output units. */
export function activationRangeS8(
  activation: FusedActivation,
  scale: number,
  zeroPoint: number,
): { min: number; max: number } | undefined {
  const quantize = (f: number): number => zeroPoint + roundHalfAway(Math.fround(f / Math.fround(scale)));
  switch (activation) {
    case 'none':
      return { min: -128, max: 127 };
    case 'relu':
      return { min: Math.max(-128, quantize(0)), max: 127 };
    case 'relu6':
      return { min: Math.max(-128, quantize(0)), max: Math.min(127, quantize(6)) };
    case 'relu_n1_to_1':
      return { min: Math.max(-128, quantize(-1)), max: Math.min(127, quantize(1)) };
    default:
      return undefined;
  }
}

/** TFLite's softmax input scaling: beta · input_scale into Q5.26 (multiplier, left shift, diff_min). */
export function softmaxScaling(beta: number, inputScale: number): { multiplier: number; leftShift: number; diffMin: number } {
  const integerBits = 5;
  const real = Math.min(beta * inputScale * 2 ** (31 - integerBits), TWO_POW_31 - 1);
  const { multiplier, shift } = quantizeMultiplier(real);
  const radius = Math.floor(((2 ** integerBits - 1) * 2 ** (31 - integerBits)) / 2 ** shift);
  return { multiplier, leftShift: shift, diffMin: -radius };
}
