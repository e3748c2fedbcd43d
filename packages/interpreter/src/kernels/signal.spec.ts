import { seededUniform } from '@tinyforge/ir';
import { fftScaleBits, LOG_LUT, log32, mostSignificantBit32, pcanShrink, sqrt64, wideDynamicFunction } from './signal';
import { kissFftrInt16, kissFftrTables } from './signal-fft';

/**
 * The Signal library's arithmetic checked against what its sources document each function to compute (signal/src:
 * comments and definitions), through independent formulations: exact integer square roots, the log of powers of two,
 * a float DFT for the fixed-point FFT. The whole front end is checked bit for bit against TFLite Micro's own expected
 * features in audio-preprocessor.spec.ts.
 */
describe('Signal library arithmetic', () => {
  it('MostSignificantBit32 counts bits up to the highest set one; 0 gives 32 (the __builtin_clz branch TFLite Micro builds)', () => {
    expect([1, 2, 3, 255, 256, 0x80000000, 0xffffffff].map(mostSignificantBit32)).toEqual([1, 2, 2, 8, 9, 32, 32]);
    expect(mostSignificantBit32(0)).toBe(32);
  });

  it('Sqrt64 is the integer square root rounded to nearest (up when the remainder exceeds the root), capped at the type', () => {
    const rnd = seededUniform(7);
    const cases = [0n, 1n, 2n, 3n, 4n, 8n, 15n, 16n, 17n, 0xffffffffn, 0x100000000n, (1n << 64n) - 1n];
    for (let i = 0; i < 300; i++) cases.push(BigInt(Math.floor(rnd() * 2 ** 32)) * BigInt(Math.floor(rnd() * 2 ** 32)));
    for (const v of cases) {
      let r = BigInt(Math.floor(Math.sqrt(Number(v))));
      while (r * r > v) r--;
      while ((r + 1n) * (r + 1n) <= v) r++;
      const cap = v >> 32n === 0n ? 0xffffn : 0xffffffffn;
      const expected = v - r * r > r && r !== cap ? r + 1n : r;
      expect({ v, root: sqrt64(v) }).toEqual({ v, root: Number(expected) });
    }
  });

  it('Log32 of a power of two is out_scale · k · ln 2 in fixed point (the fraction is 0 there), and the table ends at 0', () => {
    expect(LOG_LUT[0]).toBe(0);
    expect(LOG_LUT[128]).toBe(0);
    expect(LOG_LUT).toHaveLength(130);
    for (const k of [1, 5, 16, 20, 31]) {
      const loge = Math.floor((45426 * k * 65536 + 32768) / 65536);
      expect(log32(2 ** k, 64)).toBe(Math.floor((64 * loge + 32768) / 65536));
    }
    // Between powers of two it follows 64 · ln x within one unit.
    for (const x of [3, 1000, 123456, 2 ** 31 + 12345]) expect(Math.abs(log32(x, 64) - 64 * Math.log(x))).toBeLessThanOrEqual(1);
  });

  it('FftAutoScale shifts the largest magnitude to the top of int16; a -32768 sample wraps the int16 maximum (no shift)', () => {
    expect(fftScaleBits(Int16Array.from([0, 0]))).toBe(0);
    expect(fftScaleBits(Int16Array.from([1, -1]))).toBe(14);
    expect(fftScaleBits(Int16Array.from([100, -3000]))).toBe(3);
    expect(fftScaleBits(Int16Array.from([16384]))).toBe(0);
    expect(fftScaleBits(Int16Array.from([-32768]))).toBe(0);
  });

  it("PCAN's shrink is quadratic below 2·2^12 and linear above; the gain table is read directly for x <= 2", () => {
    expect(pcanShrink(0)).toBe(0);
    expect(pcanShrink(4096)).toBe(16);
    expect(pcanShrink(8191)).toBe(Math.floor((8191 * 8191) / 2 ** 20));
    expect(pcanShrink(8192)).toBe(64);
    expect(pcanShrink(65536)).toBe(1024 - 64);
    const lut = Int16Array.from({ length: 125 }, (_, i) => 1000 + i);
    expect([0, 1, 2].map((x) => wideDynamicFunction(x, lut))).toEqual([1000, 1001, 1002]);
    // At the start of an octave the fraction is 0: the segment's first entry.
    expect(wideDynamicFunction(1024, lut)).toBe(lut[4 * 11 - 6]);
  });

  it('the int16 real FFT is the DFT divided by N (KISS FFT scales each stage by its radix), within a few LSB', () => {
    for (const n of [8, 16, 64, 512]) {
      const tables = kissFftrTables(n);
      const rnd = seededUniform(n);
      const x = Int16Array.from({ length: n }, () => Math.floor((rnd() - 0.5) * 60000));
      const out = kissFftrInt16(tables, x);
      expect(out).toHaveLength(n + 2);
      let worst = 0;
      for (let k = 0; k <= n / 2; k++) {
        let re = 0;
        let im = 0;
        for (let t = 0; t < n; t++) {
          re += (x[t] * Math.cos((-2 * Math.PI * k * t) / n)) / n;
          im += (x[t] * Math.sin((-2 * Math.PI * k * t) / n)) / n;
        }
        worst = Math.max(worst, Math.abs(out[2 * k] - re), Math.abs(out[2 * k + 1] - im));
      }
      expect({ n, within: worst <= 2 + Math.log2(n) }).toEqual({ n, within: true });
    }
  });

  it('the FFT of an impulse is flat and of a constant is all DC, exactly', () => {
    const tables = kissFftrTables(16);
    const impulse = new Int16Array(16);
    impulse[0] = 16 * 1000;
    const flat = kissFftrInt16(tables, impulse);
    for (let k = 0; k <= 8; k++) expect([flat[2 * k], flat[2 * k + 1]]).toEqual([Math.round(flat[0]), 0]);
    expect(Math.abs(flat[0] - 1000)).toBeLessThanOrEqual(1);
    const dc = kissFftrInt16(tables, new Int16Array(16).fill(1600));
    expect(Math.abs(dc[0] - 1600)).toBeLessThanOrEqual(1);
    expect(Array.from(dc.subarray(2)).every((v) => Math.abs(v) <= 1)).toBe(true);
  });
});
