import { classMetrics, compareOutputs, differingOutputs, top1 } from './metrics';

describe('validate metrics, checked against a hand computation', () => {
  // Two samples, three classes. Float outputs f, engine outputs e:
  //   f0 = [1, 2, 3]   e0 = [1, 2, 2]   differences [0, 0, -1]   top-1: float 2, engine 1 (tie 2 = 2 → first: 1)
  //   f1 = [0, 4, 0]   e1 = [0, 3, 1]   differences [0, -1, 1]   top-1: both 1
  const f = [new Float32Array([1, 2, 3]), new Float32Array([0, 4, 0])];
  const e = [new Float32Array([1, 2, 2]), new Float32Array([0, 3, 1])];

  it('computes RMSE, MAE, cosine, L2 relative error and top-1 agreement', () => {
    const c = compareOutputs(e, f, 3);
    // squared differences 0+0+1+0+1+1 = 3 over 6 values; absolute 3 / 6
    expect(c.rmse).toBeCloseTo(Math.sqrt(3 / 6), 12);
    expect(c.mae).toBeCloseTo(0.5, 12);
    // e·f = 1+4+6 + 0+12+0 = 23; |e|² = 1+4+4+0+9+1 = 19; |f|² = 1+4+9+0+16+0 = 30
    expect(c.cosine).toBeCloseTo(23 / Math.sqrt(19 * 30), 12);
    expect(c.l2Relative).toBeCloseTo(Math.sqrt(3 / 30), 12);
    expect(c.top1Agreement).toBe(0.5);
  });

  it('computes accuracy and the confusion matrix (rows: label, columns: prediction)', () => {
    const m = classMetrics(e, [2, 1], 3);
    expect(m.accuracy).toBe(0.5);
    expect(m.confusion).toEqual([
      [0, 0, 0],
      [0, 1, 0],
      [0, 1, 0],
    ]);
    // a label outside the classes is wrong and out of the matrix
    expect(classMetrics(f, [2, 7], 3)).toEqual({ accuracy: 0.5, confusion: [[0, 0, 0], [0, 0, 0], [0, 0, 1]] });
  });

  it('takes the first of equal scores as top-1 and looks at the class scores only', () => {
    expect(top1([5, 5, 1])).toBe(0);
    expect(top1([1, 2, 9], 2)).toBe(1);
  });

  it('counts differing samples and bytes byte for byte', () => {
    const a = [Uint8Array.of(1, 2, 3), Uint8Array.of(4, 5, 6), Uint8Array.of(7)];
    const b = [Uint8Array.of(1, 2, 3), Uint8Array.of(4, 0, 0), Uint8Array.of(7, 8)];
    expect(differingOutputs(a, b)).toEqual({ samples: 2, bytes: 3 });
    expect(differingOutputs(a, a)).toEqual({ samples: 0, bytes: 0 });
  });

  it('treats identical outputs as perfect and zero vectors without dividing by zero', () => {
    const c = compareOutputs(f, f, 3);
    expect(c).toEqual({ rmse: 0, mae: 0, cosine: 1, l2Relative: 0, top1Agreement: 1 });
    const z = compareOutputs([new Float32Array(2)], [new Float32Array(2)], 2);
    expect(z.cosine).toBe(1);
    expect(z.l2Relative).toBe(0);
  });
});
