import { GraphBuilder, validateGraph } from '@tinyforge/ir';
import { maxAbsDiff, randomFloats, runFloat, seeded, smallCnn } from '../test-support/float-graphs';
import { foldBatchNorm } from './fold-batch-norm';
import { fuseActivations } from './fuse-activation';

const input = [randomFloats(8 * 8 * 3, seeded(7))];

describe('fuse-activation', () => {
  it('fuse-activation folds Relu and Relu6 into their producers', () => {
    const g = foldBatchNorm(smallCnn());
    const fused = fuseActivations(g);
    expect(validateGraph(fused)).toEqual([]);
    expect(fused.nodes.map((n) => n.op)).toEqual(['Conv2D', 'DepthwiseConv2D', 'AveragePool2D', 'Reshape', 'FullyConnected', 'Softmax']);
    expect(fused.nodes.map((n) => (n.attrs as { activation?: string }).activation)).toEqual(['relu', 'relu6', 'none', undefined, 'none', undefined]);
    expect(maxAbsDiff(runFloat(g, input)[0], runFloat(fused, input)[0])).toBe(0);
  });

  it('fuse-activation leaves a relu alone when its producer output has another reader', () => {
    const b = new GraphBuilder();
    const x = b.input({ name: 'x', shape: [1, 4], dtype: 'float32' });
    const s = b.node('Add', { activation: 'none' }, [x, x], { name: 's', dtype: 'float32' });
    const r = b.node('Relu', {}, [s], { name: 'r', dtype: 'float32' });
    const m = b.node('Mul', { activation: 'none' }, [s, r], { name: 'm', dtype: 'float32' });
    const g = b.output(m).build();
    expect(fuseActivations(g).nodes.map((n) => n.op)).toEqual(['Add', 'Relu', 'Mul']);
  });

  it('fuse-activation turns Clip(0, 6) into relu6 and leaves Clip(−2, 2) standalone', () => {
    const b = new GraphBuilder();
    const x = b.input({ name: 'x', shape: [1, 4], dtype: 'float32' });
    const w = b.constant({ name: 'w', shape: [4, 4], dtype: 'float32' }, randomFloats(16, seeded(5), -2, 2));
    const fc = b.node('FullyConnected', { activation: 'none', keepNumDims: false }, [x, w], { name: 'fc', dtype: 'float32' });
    const c1 = b.node('Clip', { min: 0, max: 6 }, [fc], { name: 'c1', dtype: 'float32' });
    const add = b.node('Add', { activation: 'none' }, [c1, c1], { name: 'add', dtype: 'float32' });
    const c2 = b.node('Clip', { min: -2, max: 2 }, [add], { name: 'c2', dtype: 'float32' });
    const g = b.output(c2).build();
    const fused = fuseActivations(g);
    expect(validateGraph(fused)).toEqual([]);
    expect(fused.nodes.map((n) => n.op)).toEqual(['FullyConnected', 'Add', 'Clip']);
    expect((fused.nodes[0].attrs as { activation: string }).activation).toBe('relu6');
    const xs = [Float32Array.of(3, -1, 2, 0.5)];
    expect(maxAbsDiff(runFloat(g, xs)[0], runFloat(fused, xs)[0])).toBe(0);
  });
});
