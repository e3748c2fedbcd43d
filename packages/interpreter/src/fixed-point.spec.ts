import {
  expOnNegativeValues,
  getReciprocal,
  INT32_MAX,
  INT32_MIN,
  logisticFixed,
  multiplyByQuantizedMultiplier,
  quantizeMultiplier,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul,
  tanhFixed,
} from './fixed-point';
import { mulberry32 } from './test-support/shared';

/** The C++ definition with 64-bit integers, written with BigInt as an independent check. */
function srdhmBigInt(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  const ab = BigInt(a) * BigInt(b);
  const nudge = ab >= 0n ? 1n << 30n : 1n - (1n << 30n);
  return Number((ab + nudge) / (1n << 31n)); // BigInt division truncates like C++
}

describe('fixed-point helpers', () => {
  it('quantizeMultiplier gives a Q31 mantissa and a power-of-two shift', () => {
    expect(quantizeMultiplier(0.5)).toEqual({ multiplier: 1 << 30, shift: 0 });
    expect(quantizeMultiplier(1)).toEqual({ multiplier: 1 << 30, shift: 1 });
    expect(quantizeMultiplier(0.25)).toEqual({ multiplier: 1 << 30, shift: -1 });
    expect(quantizeMultiplier(0)).toEqual({ multiplier: 0, shift: 0 });
    // Rounds up to 2^31 → halved, shift incremented.
    expect(quantizeMultiplier(1 - 2 ** -40)).toEqual({ multiplier: 1 << 30, shift: 1 });
    const q = quantizeMultiplier(0.0123);
    expect(q.multiplier * 2 ** (q.shift - 31)).toBeCloseTo(0.0123, 9);
    expect(quantizeMultiplier(1e-12)).toEqual({ multiplier: 0, shift: 0 });
  });

  it('saturatingRoundingDoublingHighMul equals the 64-bit definition on edge cases and random pairs', () => {
    const edges = [0, 1, -1, 2, -2, INT32_MAX, INT32_MIN, 1 << 30, -(1 << 30), 12345678, -987654321];
    for (const a of edges) for (const b of edges) expect(saturatingRoundingDoublingHighMul(a, b)).toBe(srdhmBigInt(a, b));
    const next = mulberry32(7);
    for (let i = 0; i < 20000; i++) {
      const a = next() | 0;
      const b = next() | 0;
      expect(saturatingRoundingDoublingHighMul(a, b)).toBe(srdhmBigInt(a, b));
    }
  });

  it('roundingDivideByPOT rounds half away from zero', () => {
    expect([5, -5, 4, -3, 3, -1, 1].map((x) => roundingDivideByPOT(x, 1))).toEqual([3, -3, 2, -2, 2, -1, 1]);
    expect(roundingDivideByPOT(1000, 3)).toBe(125);
    expect(roundingDivideByPOT(-1004, 3)).toBe(-126); // -125.5 → -126
    expect(roundingDivideByPOT(INT32_MIN, 31)).toBe(-1);
  });

  it('multiplyByQuantizedMultiplier matches x·real within one unit (TFLite rounds twice)', () => {
    const next = mulberry32(11);
    for (let i = 0; i < 2000; i++) {
      const real = (next() / 2 ** 32) * 0.9 + 0.001;
      const x = (next() % 200001) - 100000;
      const { multiplier, shift } = quantizeMultiplier(real);
      expect(Math.abs(multiplyByQuantizedMultiplier(x, multiplier, shift) - x * real)).toBeLessThanOrEqual(1 + Math.abs(x) * 2 ** -30);
    }
    // The high multiply rounds ties up (1.5 → 2, −1.5 → −1: C++ truncation after a negative nudge); the
    // power-of-two division rounds them away from zero (−1.5 → −2).
    expect(multiplyByQuantizedMultiplier(3, 1 << 30, 0)).toBe(2);
    expect(multiplyByQuantizedMultiplier(-3, 1 << 30, 0)).toBe(-1);
    expect(multiplyByQuantizedMultiplier(-3, 1 << 30, -1)).toBe(-1); // −0.75
    expect(multiplyByQuantizedMultiplier(-6, 1 << 30, -1)).toBe(-2); // −1.5 after an exact −3·2^-1
    expect(multiplyByQuantizedMultiplier(100, 1 << 30, 2)).toBe(200);
  });

  it('exp, logistic, tanh and reciprocal approximate their real functions', () => {
    const q31 = 2 ** 31;
    expect(expOnNegativeValues(0, 5)).toBe(INT32_MAX);
    for (const v of [-0.01, -0.25, -1, -2.5, -7, -20]) {
      expect(expOnNegativeValues(Math.round(v * 2 ** 26), 5) / q31).toBeCloseTo(Math.exp(v), 6);
    }
    expect(logisticFixed(0, 4)).toBe(1 << 30);
    for (const v of [-6, -1, 0.5, 1, 3]) {
      expect(logisticFixed(Math.round(v * 2 ** 27), 4) / q31).toBeCloseTo(1 / (1 + Math.exp(-v)), 6);
      expect(tanhFixed(Math.round(v * 2 ** 27), 4) / q31).toBeCloseTo(Math.tanh(v), 6);
    }
    // Sum 3.0 in Q12 → 1/3 = scale · 2^-numBitsOverUnit.
    const { reciprocal, numBitsOverUnit } = getReciprocal(3 * 2 ** 19, 12);
    expect((reciprocal / q31) * 2 ** -numBitsOverUnit).toBeCloseTo(1 / 3, 7);
  });
});
