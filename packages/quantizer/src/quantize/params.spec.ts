import { quantizeMultiplier } from '@tinyforge/interpreter';
import { seededUniform } from '@tinyforge/ir';
import { agreeingWeightScale } from './params';

/** TFLite's multiplier (double, 31-bit fixed point) equals onnxruntime's float32 (s_in·s_w)/s_out. */
function multipliersAgree(sIn: number, sw: number, sOut: number): boolean {
  const { multiplier, shift } = quantizeMultiplier((sIn * sw) / sOut);
  return multiplier * Math.pow(2, shift - 31) === Math.fround(Math.fround(sIn * sw) / sOut);
}

describe('agreeingWeightScale', () => {
  const next = seededUniform(7);
  const cases = Array.from({ length: 500 }, () => ({
    sIn: Math.fround(10 ** (-3 + 2 * next())),
    sw: Math.fround(10 ** (-4 + 2 * next())),
    sOut: Math.fround(10 ** (-2 + 2 * next())),
  }));

  it('finds, for almost every scale triple, a weight scale with one multiplier in both runtimes', () => {
    const before = cases.filter((c) => multipliersAgree(c.sIn, c.sw, c.sOut)).length;
    const after = cases.filter((c) => multipliersAgree(c.sIn, agreeingWeightScale(c.sIn, c.sw, c.sOut), c.sOut)).length;
    expect(before).toBeLessThan(25); // left alone, the two multipliers rarely agree
    expect(after).toBeGreaterThanOrEqual(495);
  });

  it('moves the scale by less than 5e-4 relative (max |w| still quantizes to 127) and returns float32 values', () => {
    for (const c of cases) {
      const s = agreeingWeightScale(c.sIn, c.sw, c.sOut);
      expect(Math.fround(s)).toBe(s);
      expect(Math.abs(s - c.sw) / c.sw).toBeLessThan(5e-4);
      expect(Math.round((127 * c.sw) / s)).toBe(127);
    }
  });

  it('keeps a scale that already agrees', () => {
    const c = cases.find((k) => multipliersAgree(k.sIn, k.sw, k.sOut))!;
    expect(agreeingWeightScale(c.sIn, c.sw, c.sOut)).toBe(c.sw);
  });
});
