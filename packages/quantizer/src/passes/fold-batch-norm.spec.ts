import { GraphBuilder, validateGraph } from '@tinyforge/ir';
import { maxAbsDiff, randomFloats, runFloat, seeded, smallCnn } from '../test-support/float-graphs';
import { foldBatchNorm } from './fold-batch-norm';

const input = [randomFloats(8 * 8 * 3, seeded(7))];

describe('fold-batch-norm', () => {
  it('fold-batch-norm removes the batch norm and changes outputs by float rounding only', () => {
    const g = smallCnn();
    const folded = foldBatchNorm(g);
    expect(validateGraph(folded)).toEqual([]);
    expect(folded.nodes.map((n) => n.op)).not.toContain('BatchNorm');
    expect(folded.nodes.length).toBe(g.nodes.length - 1);
    expect(maxAbsDiff(runFloat(g, input)[0], runFloat(folded, input)[0])).toBeLessThan(1e-6);
  });

  it('fold-batch-norm turns a batch norm on a graph input into a 1x1 depthwise conv', () => {
    const b = new GraphBuilder();
    const r = seeded(3);
    const x = b.input({ name: 'x', shape: [1, 2, 2, 3], dtype: 'float32' });
    const c = (n: string, lo: number, hi: number): number => b.constant({ name: n, shape: [3], dtype: 'float32' }, randomFloats(3, r, lo, hi));
    const y = b.node('BatchNorm', { epsilon: 1e-5 }, [x, c('g', 0.5, 2), c('b', -1, 1), c('m', -1, 1), c('v', 0.1, 3)], { name: 'bn', dtype: 'float32' });
    const g = b.output(y).build();
    const folded = foldBatchNorm(g);
    expect(folded.nodes.map((n) => n.op)).toEqual(['DepthwiseConv2D']);
    const xs = [randomFloats(12, r, -3, 3)];
    expect(maxAbsDiff(runFloat(g, xs)[0], runFloat(folded, xs)[0])).toBeLessThan(1e-5);
  });
});
