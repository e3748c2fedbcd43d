import * as fs from 'fs';
import * as path from 'path';
import { goldStyleInt8, mulberry32, SeededRandom, seededUniform } from './random';

describe('mulberry32', () => {
  it('seededUniform is the same stream scaled into [0, 1)', () => {
    const ints = mulberry32(42);
    const floats = seededUniform(42);
    for (let i = 0; i < 1000; i++) {
      const f = floats();
      expect(f).toBe(ints() / 4294967296);
      expect(f >= 0 && f < 1).toBe(true);
    }
    expect(mulberry32(7)()).not.toBe(mulberry32(8)());
  });

  const gold = path.resolve(__dirname, '../../../../shared/gold/kws_dscnn_int8');
  (fs.existsSync(gold) ? it : it.skip)('regenerates the gold inputs byte for byte (seed 1000 + k)', () => {
    for (let k = 0; k < 4; k++) {
      const want = fs.readFileSync(path.join(gold, `input_${k}.bin`));
      expect(Buffer.from(goldStyleInt8(1000 + k, want.length)).equals(want)).toBe(true);
    }
  });
});

describe('SeededRandom', () => {
  it('repeats its sequence for one seed and differs for another', () => {
    const a = new SeededRandom(42);
    const b = new SeededRandom(42);
    const c = new SeededRandom(43);
    const seqA = Array.from({ length: 8 }, () => a.next());
    expect(Array.from({ length: 8 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 8 }, () => c.next())).not.toEqual(seqA);
    seqA.forEach((v) => expect(v >= 0 && v < 1).toBe(true));
    expect(seqA[0]).toBe(seededUniform(42)());
  });

  it('integers, picks and log-uniform draws stay in range and reach both ends', () => {
    const r = new SeededRandom(5);
    const ints = Array.from({ length: 2000 }, () => r.int(-2, 3));
    expect(Math.min(...ints)).toBe(-2);
    expect(Math.max(...ints)).toBe(3);
    expect(new Set(Array.from({ length: 200 }, () => r.pick(['a', 'b', 'c'])))).toEqual(new Set(['a', 'b', 'c']));
    for (let i = 0; i < 200; i++) {
      const v = r.logUniform(1e-4, 1);
      expect(v >= Math.fround(1e-4) && v <= 1).toBe(true);
      const u = r.uniform(-1, 1);
      expect(u >= -1 && u < 1).toBe(true);
    }
  });

  it('draws normals with mean ≈ 0 and variance ≈ 1', () => {
    const r = new SeededRandom(1);
    const n = 20000;
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < n; i++) {
      const v = r.normal();
      sum += v;
      sq += v * v;
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.03);
    expect(Math.abs(sq / n - 1)).toBeLessThan(0.05);
  });

  it('shuffles into a permutation', () => {
    const items = Int32Array.from({ length: 100 }, (_, i) => i);
    new SeededRandom(3).shuffle(items);
    expect(Array.from(items).sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(Array.from(items)).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});
