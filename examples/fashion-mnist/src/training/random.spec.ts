import { SeededRandom } from './random';

describe('SeededRandom', () => {
  it('repeats its sequence for one seed and differs for another', () => {
    const a = new SeededRandom(42);
    const b = new SeededRandom(42);
    const c = new SeededRandom(43);
    const seqA = Array.from({ length: 8 }, () => a.next());
    expect(Array.from({ length: 8 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 8 }, () => c.next())).not.toEqual(seqA);
    seqA.forEach((v) => expect(v >= 0 && v < 1).toBe(true));
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
