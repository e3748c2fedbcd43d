import { GraphBuilder } from '@tinyforge/ir';
import { inputRangeWarnings } from './input-range';

function model(quant?: { scale: number[]; zeroPoint: number[]; axis: number }) {
  const b = new GraphBuilder();
  const x = b.input({ name: 'x', shape: [1, 4], dtype: 'float32', ...(quant ? { quant } : {}) });
  const y = b.node('Relu', {}, [x], { name: 'y', dtype: 'float32' });
  return b.output(y).build();
}
const samples = (...values: number[][]) => values.map((v) => [Float32Array.from(v)]);

describe('inputRangeWarnings', () => {
  it('flags whole numbers 0–255 as unscaled 8-bit data, and values beyond ±255 as unnormalized', () => {
    expect(inputRangeWarnings(model(), samples([0, 12, 200, 255], [3, 4, 5, 6]))).toEqual([expect.stringMatching(/spans \[0, 255\], whole numbers only: it looks like unscaled 8-bit data/)]);
    expect(inputRangeWarnings(model(), samples([-32768, 0, 100, 32767]))).toEqual([expect.stringMatching(/spans \[-32768, 32767\]: values this large/)]);
  });

  it('leaves scaled data, binary masks and small integers alone', () => {
    expect(inputRangeWarnings(model(), samples([0, 0.5, 1, 0.25]))).toEqual([]);
    expect(inputRangeWarnings(model(), samples([0, 1, 1, 0]))).toEqual([]);
    expect(inputRangeWarnings(model(), samples([-1, 0.3, 0.99, -0.5]))).toEqual([]);
  });

  it('compares with the range the model states for its input', () => {
    const stated = model({ scale: [1 / 255], zeroPoint: [-128], axis: 0 }); // [0, 1]
    expect(inputRangeWarnings(stated, samples([0, 0.2, 0.7, 1]))).toEqual([]);
    expect(inputRangeWarnings(stated, samples([0, 20, 70, 100]))).toEqual([expect.stringMatching(/spans \[0, 100\], far from the \[0, 1\] the model states for it/)]);
    expect(inputRangeWarnings(stated, samples([0.001, 0.002, 0.003, 0.004]))).toEqual([expect.stringMatching(/far from the \[0, 1\]/)]);
  });
});
