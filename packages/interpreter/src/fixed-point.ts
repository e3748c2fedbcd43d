/**
 * TFLite / gemmlowp fixed-point arithmetic, bit for bit. All values are int32 held in JS numbers; products of two
 * int32 (up to 2^62) are split so that every intermediate stays exact in a double.
 */

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;
const TWO_POW_31 = 2147483648;
const TWO_POW_15 = 32768;

/** A real multiplier as TFLite stores it: value ≈ multiplier · 2^(shift − 31). */
export interface QuantizedMultiplier {
  multiplier: number;
  shift: number;
}

/** std::frexp: x = m · 2^e with 0.5 ≤ |m| < 1. */
export function frexp(x: number): { mantissa: number; exponent: number } {
  if (x === 0 || !Number.isFinite(x)) return { mantissa: x, exponent: 0 };
  let e = Math.max(-1073, Math.floor(Math.log2(Math.abs(x))) + 1);
  let m = x * Math.pow(2, -e);
  // log2 can be off by one near powers of two; fix up exactly.
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

/** TfLiteRound / std::round: half away from zero. */
export function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** QuantizeMultiplier from TFLite's quantization_util (double in, int32 multiplier and shift out). */
export function quantizeMultiplier(realMultiplier: number): QuantizedMultiplier {
  if (realMultiplier === 0) return { multiplier: 0, shift: 0 };
  const { mantissa, exponent } = frexp(realMultiplier);
  let shift = exponent;
  let q = roundHalfAway(mantissa * TWO_POW_31);
  if (q === TWO_POW_31) {
    q /= 2;
    shift += 1;
  }
  if (shift < -31) return { multiplier: 0, shift: 0 };
  if (shift > 30) return { multiplier: INT32_MAX, shift: 30 };
  return { multiplier: q, shift };
}

/** gemmlowp SaturatingRoundingDoublingHighMul: (a·b·2 + round) >> 32, saturating the one overflow case. */
export function saturatingRoundingDoublingHighMul(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  // a·b = p1·2^16 + p0 with both parts exact in a double.
  const bHi = b >> 16;
  const bLo = b & 0xffff;
  const p1 = a * bHi;
  const p0 = a * bLo;
  const negative = (a < 0) !== (b < 0) && a !== 0 && b !== 0;
  const nudge = negative ? 1 - (1 << 30) : 1 << 30;
  // p1·2^16 = q1·2^31 + r1·2^16 with 0 ≤ r1 < 2^15.
  const q1 = Math.floor(p1 / TWO_POW_15);
  const r1 = p1 - q1 * TWO_POW_15;
  const s = r1 * 65536 + p0 + nudge;
  const sq = Math.floor(s / TWO_POW_31);
  const floorQ = q1 + sq;
  const rem = s - sq * TWO_POW_31;
  // C++ int64 division truncates toward zero.
  return floorQ < 0 && rem !== 0 ? floorQ + 1 : floorQ;
}

/** gemmlowp RoundingDivideByPOT: x / 2^exponent rounded half away from zero (0 ≤ exponent ≤ 31). */
export function roundingDivideByPOT(x: number, exponent: number): number {
  if (exponent === 0) return x;
  const mask = exponent >= 31 ? 0x7fffffff : (1 << exponent) - 1;
  const remainder = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/** MultiplyByQuantizedMultiplier (TFLite's default double-rounding form). */
export function multiplyByQuantizedMultiplier(x: number, multiplier: number, shift: number): number {
  const leftShift = shift > 0 ? shift : 0;
  const rightShift = shift > 0 ? 0 : -shift;
  // x * (1 << left_shift) in int32 (wraps like the C++ on two's-complement targets).
  return roundingDivideByPOT(saturatingRoundingDoublingHighMul(leftShift > 0 ? Math.imul(x, 1 << leftShift) : x, multiplier), rightShift);
}

/** MultiplyByQuantizedMultiplierGreaterThanOne: left shift then high multiply. */
export function multiplyByQuantizedMultiplierGreaterThanOne(x: number, multiplier: number, leftShift: number): number {
  return saturatingRoundingDoublingHighMul(Math.imul(x, 1 << leftShift), multiplier);
}

/** gemmlowp SaturatingRoundingMultiplyByPOT: exponent > 0 shifts left with saturation, < 0 rounds right. */
export function saturatingRoundingMultiplyByPOT(x: number, exponent: number): number {
  if (exponent === 0) return x;
  if (exponent < 0) return roundingDivideByPOT(x, -exponent);
  const threshold = (1 << (31 - exponent)) - 1;
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return x << exponent;
}

/** Rescale a Q(srcIntegerBits) raw value to Q(dstIntegerBits). */
export function rescale(x: number, srcIntegerBits: number, dstIntegerBits: number): number {
  return saturatingRoundingMultiplyByPOT(x, srcIntegerBits - dstIntegerBits);
}

/** gemmlowp RoundingHalfSum for int32: (a + b + sign) / 2, truncating. */
export function roundingHalfSum(a: number, b: number): number {
  const sum = a + b;
  return Math.trunc((sum + (sum >= 0 ? 1 : -1)) / 2);
}

/** Int32 wrapping add/sub, as gemmlowp's FixedPoint operators do. */
const add32 = (a: number, b: number): number => (a + b) | 0;
const sub32 = (a: number, b: number): number => (a - b) | 0;
const mul = saturatingRoundingDoublingHighMul;

/** exp(x) for x in [-1/4, 0), Q0 in and out (Taylor series around -1/8). */
export function expOnIntervalBetweenNegativeOneQuarterAnd0Excl(a: number): number {
  const constantTerm = 1895147668; // exp(-1/8)
  const constantOneThird = 715827883;
  const x = add32(a, 1 << 28);
  const x2 = mul(x, x);
  const x3 = mul(x2, x);
  const x4 = mul(x2, x2);
  const x4Over4 = roundingDivideByPOT(x4, 2);
  const poly = roundingDivideByPOT(add32(mul(add32(x4Over4, x3), constantOneThird), x2), 1);
  return add32(constantTerm, mul(constantTerm, add32(x, poly)));
}

/** exp(-2^k) in Q0 for the barrel shifter of expOnNegativeValues, k = -2..4. */
const EXP_BARREL: ReadonlyArray<[number, number]> = [
  [-2, 1672461947],
  [-1, 1302514674],
  [0, 790015084],
  [1, 290630308],
  [2, 39332535],
  [3, 720401],
  [4, 242],
];

/** gemmlowp exp_on_negative_values: input Q(integerBits) ≤ 0, result Q0. */
export function expOnNegativeValues(a: number, integerBits: number): number {
  const fractionalBits = 31 - integerBits;
  const oneQuarter = 1 << (fractionalBits - 2);
  const mask = oneQuarter - 1;
  const aModQuarterMinusOneQuarter = sub32(a & mask, oneQuarter);
  let result = expOnIntervalBetweenNegativeOneQuarterAnd0Excl(rescale(aModQuarterMinusOneQuarter, integerBits, 0));
  const remainder = sub32(aModQuarterMinusOneQuarter, a);
  for (const [exponent, multiplier] of EXP_BARREL) {
    if (integerBits > exponent) {
      const bit = fractionalBits + exponent;
      if (remainder & (1 << bit)) result = mul(result, multiplier);
    }
  }
  if (integerBits > 5) {
    const clamp = -(1 << (36 - integerBits));
    if (a < clamp) result = 0;
  }
  return a === 0 ? INT32_MAX : result;
}

/** Newton–Raphson 1/(1+x) for x in [0, 1): Q0 in, Q0 out (the result lies in [1/2, 1]). */
export function oneOverOnePlusXForXIn01(a: number): number {
  return rescale(newtonReciprocalQ2(a), 1, 0);
}

/** (1-x)/(1+x) for x in [0, 1): Q0 in and out. */
export function oneMinusXOverOnePlusXForXIn01(a: number): number {
  return rescale(sub32(newtonReciprocalQ2(a), 1 << 29), 2, 0);
}

/** The Newton–Raphson iteration both reciprocal helpers share: 1/((1+a)/2) in Q2. */
function newtonReciprocalQ2(a: number): number {
  const halfDenominator = roundingHalfSum(a, INT32_MAX);
  const c48Over17 = 1515870810;
  const cNeg32Over17 = -1010580540;
  let x = add32(c48Over17, mul(halfDenominator, cNeg32Over17));
  for (let i = 0; i < 3; i++) {
    const halfDenominatorTimesX = mul(halfDenominator, x);
    const oneMinus = sub32(1 << 29, halfDenominatorTimesX);
    x = add32(x, rescale(mul(x, oneMinus), 4, 2));
  }
  return x;
}

/** gemmlowp logistic: Q(integerBits) in, Q0 out. */
export function logisticFixed(a: number, integerBits: number): number {
  if (a === 0) return 1 << 30;
  const abs = a > 0 ? a : -a | 0;
  const positive = oneOverOnePlusXForXIn01(expOnNegativeValues(-abs | 0, integerBits));
  return a > 0 ? positive : sub32(INT32_MAX, positive);
}

/** gemmlowp tanh: Q(integerBits) in, Q0 out. */
export function tanhFixed(a: number, integerBits: number): number {
  if (a === 0) return 0;
  const negativeOfAbs = a < 0 ? a : -a | 0;
  // ExactMulByPot<1>: same raw bits read with one more integer bit.
  const t = oneMinusXOverOnePlusXForXIn01(expOnNegativeValues(negativeOfAbs, integerBits + 1));
  return a < 0 ? -t | 0 : t;
}

/** TFLite GetReciprocal: 1/x for a Q(integerDigits) sum, as a Q0 scale plus the extra shift. */
export function getReciprocal(x: number, integerDigits: number): { reciprocal: number; numBitsOverUnit: number } {
  const headroomPlusOne = Math.clz32(x);
  const numBitsOverUnit = integerDigits - headroomPlusOne;
  const shiftedSumMinusOne = ((x << headroomPlusOne) - INT32_MIN) | 0;
  return { reciprocal: oneOverOnePlusXForXIn01(shiftedSumMinusOne), numBitsOverUnit };
}

/** TFLite CalculateInputRadius: largest |input − zero point| that does not saturate the fixed-point input. */
export function calculateInputRadius(inputIntegerBits: number, inputLeftShift: number, totalSignedBits = 31): number {
  const maxInputRescaled =
    (((1 << inputIntegerBits) - 1) * Math.pow(2, totalSignedBits - inputIntegerBits)) / Math.pow(2, inputLeftShift);
  return Math.floor(maxInputRescaled);
}
