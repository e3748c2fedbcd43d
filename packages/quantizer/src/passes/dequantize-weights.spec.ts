import { GraphBuilder } from '@tinyforge/ir';
import { quantizeModel } from '../quantize/quantize-model';
import { runFloat } from '../test-support/float-graphs';
import { dequantizeWeights, hybridWeights } from './dequantize-weights';

/** A hybrid fully connected layer: int8 weights with one scale per output channel, float bias and activations. */
function hybridFc() {
  const b = new GraphBuilder();
  const x = b.input({ name: 'x', shape: [1, 3], dtype: 'float32' });
  const w = b.constant({ name: 'w', shape: [2, 3], dtype: 'int8', quant: { scale: [0.5, 0.25], zeroPoint: [0, 0], axis: 0 } }, Int8Array.of(2, -4, 6, 8, 10, -12));
  const bias = b.constant({ name: 'bias', shape: [2], dtype: 'float32' }, Float32Array.of(0.5, -1));
  const y = b.node('FullyConnected', { activation: 'none', keepNumDims: false }, [x, w, bias], { name: 'y', dtype: 'float32' });
  return { graph: b.output(y).build(), w };
}

describe('dequantize-weights: hybrid models become float models', () => {
  it('finds the int8 weights a float layer reads and replaces them by scale × (q − zero point), per channel', () => {
    const { graph, w } = hybridFc();
    expect(hybridWeights(graph)).toEqual([w]);
    const float = dequantizeWeights(graph);
    const t = float.tensors[w];
    expect(t.dtype).toBe('float32');
    expect(t.quant).toBeUndefined();
    expect(Array.from(new Float32Array(t.data!.slice().buffer))).toEqual([1, -2, 3, 2, 2.5, -3]);
    // y = x·Wᵀ + bias with the real weights.
    expect(Array.from(runFloat(float, [Float32Array.of(1, 2, 3)])[0])).toEqual([1 - 4 + 9 + 0.5, 2 + 5 - 9 - 1]);
    expect(hybridWeights(float)).toEqual([]);
  });

  it('quantizes a hybrid model fully and says what it did', () => {
    const { graph } = hybridFc();
    const samples = [[Float32Array.of(1, 2, 3)], [Float32Array.of(-1, 0.5, 2)]];
    const r = quantizeModel(graph, samples);
    expect(r.notes).toEqual([expect.stringMatching(/^hybrid model \(int8 weights, float activations\): 1 int8 weight tensor dequantized to float32/)]);
    const fc = r.int8Graph.nodes.find((n) => n.op === 'FullyConnected')!;
    expect(r.int8Graph.tensors[fc.inputs[1]].dtype).toBe('int8');
    expect(r.int8Graph.tensors[fc.outputs[0]].dtype).toBe('int8');
  });

  it('leaves a float model and an int8 model alone', () => {
    const b = new GraphBuilder();
    const x = b.input({ name: 'x', shape: [1, 2], dtype: 'int8', quant: { scale: [1], zeroPoint: [0], axis: 0 } });
    const w = b.constant({ name: 'w', shape: [1, 2], dtype: 'int8', quant: { scale: [1], zeroPoint: [0], axis: 0 } }, Int8Array.of(1, 1));
    const y = b.node('FullyConnected', { activation: 'none', keepNumDims: false }, [x, w], { name: 'y', dtype: 'int8', quant: { scale: [1], zeroPoint: [0], axis: 0 } });
    const int8 = b.output(y).build();
    expect(hybridWeights(int8)).toEqual([]);
    expect(dequantizeWeights(int8)).toBe(int8);
  });
});
