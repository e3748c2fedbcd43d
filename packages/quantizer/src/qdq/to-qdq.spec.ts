import { Graph } from '@tinyforge/ir';
import { quantizeModel } from '../quantize/quantize-model';
import { randomFloats, seeded, smallCnn } from '../test-support/float-graphs';
import { toQdqGraph } from './to-qdq';

function int8SmallCnn(): Graph {
  const g = smallCnn();
  const r = seeded(3);
  const samples = Array.from({ length: 8 }, () => [randomFloats(8 * 8 * 3, r)]);
  return quantizeModel(g, samples, { io: 'int8' }).int8Graph;
}

describe('toQdqGraph', () => {
  it('feeds every computing op the dequantized int8 value of its input, never the float result of its producer', () => {
    const int8Graph = int8SmallCnn();
    const qdq = toQdqGraph(int8Graph);
    const producer = new Map(qdq.nodes.flatMap((n) => n.outputs.map((t) => [t, n] as const)));
    const computing = qdq.nodes.filter((n) => !['Quantize', 'Dequantize', 'Reshape'].includes(n.op));
    expect(computing.map((n) => n.op)).toEqual(['Conv2D', 'DepthwiseConv2D', 'AveragePool2D', 'FullyConnected', 'Softmax']);
    for (const node of computing) {
      const x = producer.get(node.inputs[0]);
      // The first input comes from a Dequantize whose source is an int8 tensor written by a Quantize (or the
      // graph input): a float model with quantized taps would read the producer's float output directly.
      expect(x?.op).toBe('Dequantize');
      const source = x!.inputs[0];
      expect(qdq.tensors[source].dtype).toBe('int8');
      expect(qdq.inputs.includes(source) || ['Quantize', 'Reshape'].includes(producer.get(source)!.op)).toBe(true);
    }
  });

  it('writes each int8 output through exactly one Quantize and keeps the int8 tensor indices', () => {
    const int8Graph = int8SmallCnn();
    const qdq = toQdqGraph(int8Graph);
    for (const node of int8Graph.nodes) {
      const t = node.outputs[0];
      const writers = qdq.nodes.filter((n) => n.outputs.includes(t));
      expect(writers).toHaveLength(1);
      if (node.op !== 'Reshape') expect(writers[0].op).toBe('Quantize');
      expect(qdq.tensors[t].quant).toEqual(int8Graph.tensors[t].quant);
    }
    expect(qdq.outputs).toEqual(int8Graph.outputs);
  });
});
