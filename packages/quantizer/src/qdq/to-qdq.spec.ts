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
    const qdq = toQdqGraph(int8Graph, { rounding: 'plain' });
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

  it.each(['tflite', 'plain'] as const)('writes each int8 output through exactly one Quantize and keeps the int8 tensor indices (%s rounding)', (rounding) => {
    const int8Graph = int8SmallCnn();
    const qdq = toQdqGraph(int8Graph, { rounding });
    for (const node of int8Graph.nodes) {
      const t = node.outputs[0];
      const writers = qdq.nodes.filter((n) => n.outputs.includes(t));
      expect(writers).toHaveLength(1);
      if (node.op !== 'Reshape') expect(writers[0].op).toBe('Quantize');
      expect(qdq.tensors[t].quant).toEqual(int8Graph.tensors[t].quant);
    }
    expect(qdq.outputs).toEqual(int8Graph.outputs);
  });

  it('with TFLite rounding, follows each requantizing op by its own integer requantization, read by nothing else', () => {
    const int8Graph = int8SmallCnn();
    const qdq = toQdqGraph(int8Graph);
    const producer = new Map(qdq.nodes.flatMap((n) => n.outputs.map((t) => [t, n] as const)));
    const readers = (t: number): string[] => qdq.nodes.filter((n) => n.inputs.includes(t)).map((n) => n.name);
    for (const op of ['Conv2D', 'DepthwiseConv2D', 'AveragePool2D', 'FullyConnected'] as const) {
      const source = int8Graph.nodes.find((n) => n.op === op)!;
      const node = qdq.nodes.find((n) => n.op === op)!;
      expect(producer.get(node.inputs[0])?.op).toBe('Dequantize');
      // the op writes its unrounded result without its fused activation ...
      expect((node.attrs as { activation: string }).activation).toBe('none');
      const chain = `${int8Graph.tensors[source.outputs[0]].name}/`;
      expect(readers(node.outputs[0]).every((name) => name.startsWith(chain))).toBe(true);
      // ... and the chain ends in the Quantize of the op's int8 output, with the activation on its last node
      const quantize = qdq.nodes.find((n) => n.op === 'Quantize' && n.outputs[0] === source.outputs[0])!;
      const last = producer.get(quantize.inputs[0])!;
      expect(last.name.startsWith(chain)).toBe(true);
      expect((last.attrs as { activation: string }).activation).toBe((source.attrs as { activation: string }).activation);
    }
    // requantizing ops run TFLite's integer arithmetic on int64; the average pool only breaks ties, in float
    const conv = int8Graph.tensors[int8Graph.nodes.find((n) => n.op === 'Conv2D')!.outputs[0]].name;
    const convChain = qdq.nodes.filter((n) => n.name.startsWith(`${conv}/`));
    expect(convChain.filter((n) => n.op === 'Div' && qdq.tensors[n.outputs[0]].dtype === 'int64')).toHaveLength(3);
    const pool = int8Graph.tensors[int8Graph.nodes.find((n) => n.op === 'AveragePool2D')!.outputs[0]].name;
    expect(qdq.nodes.filter((n) => n.name.startsWith(`${pool}/`) && n.op !== 'Quantize' && n.op !== 'Dequantize').every((n) => qdq.tensors[n.outputs[0]].dtype === 'float32')).toBe(true);
  });
});
