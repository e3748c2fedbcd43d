import { GraphBuilder, validateGraph } from '@tinyforge/ir';
import { maxAbsDiff, randomFloats, runFloat, seeded, smallCnn } from '../test-support/float-graphs';
import { foldBatchNorm } from './fold-batch-norm';
import { foldConstants } from './fold-constants';
import { fuseActivations } from './fuse-activation';
import { removeIdentity } from './remove-identity';
import { runFloatPasses } from './index';

const input = [randomFloats(8 * 8 * 3, seeded(7))];

describe('float passes keep the function of the graph', () => {
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

  it('remove-identity drops Identity nodes, and a final one hands its name to its input', () => {
    const b = new GraphBuilder();
    const x = b.input({ name: 'x', shape: [1, 4], dtype: 'float32' });
    const i1 = b.node('Identity', {}, [x], { name: 'dropout', dtype: 'float32' });
    const s = b.node('Add', { activation: 'none' }, [i1, i1], { name: 'sum', dtype: 'float32' });
    const out = b.node('Identity', {}, [s], { name: 'output', dtype: 'float32' });
    const g = b.output(out).build();
    const cleaned = removeIdentity(g);
    expect(validateGraph(cleaned)).toEqual([]);
    expect(cleaned.nodes.map((n) => n.op)).toEqual(['Add']);
    expect(cleaned.tensors[cleaned.outputs[0]].name).toBe('output');
    const xs = [Float32Array.of(1, -2, 3, 4)];
    expect(Array.from(runFloat(cleaned, xs)[0])).toEqual([2, -4, 6, 8]);
  });

  it('fold-constants evaluates constant subgraphs (a transposed weight) into constants', () => {
    const b = new GraphBuilder();
    const x = b.input({ name: 'x', shape: [1, 3], dtype: 'float32' });
    const wT = b.constant({ name: 'wT', shape: [3, 2], dtype: 'float32' }, Float32Array.of(1, 2, 3, 4, 5, 6));
    const perm = b.constant({ name: 'perm', shape: [2], dtype: 'int32' }, Int32Array.of(1, 0));
    const w = b.node('Transpose', {}, [wT, perm], { name: 'w', dtype: 'float32' });
    const y = b.node('FullyConnected', { activation: 'none', keepNumDims: false }, [x, w], { name: 'y', dtype: 'float32' });
    const g = b.output(y).build();
    const folded = foldConstants(g);
    expect(folded.nodes.map((n) => n.op)).toEqual(['FullyConnected']);
    const wTensor = folded.tensors[folded.nodes[0].inputs[1]];
    expect(Array.from(new Float32Array(wTensor.data!.slice().buffer))).toEqual([1, 3, 5, 2, 4, 6]);
    expect(Array.from(runFloat(folded, [Float32Array.of(1, 1, 1)])[0])).toEqual([9, 12]);
  });

  it('the pipeline leaves the small CNN with six nodes and the same outputs', () => {
    const g = smallCnn();
    const out = runFloatPasses(g);
    expect(out.nodes).toHaveLength(6);
    expect(maxAbsDiff(runFloat(g, input)[0], runFloat(out, input)[0])).toBeLessThan(1e-6);
  });
});
