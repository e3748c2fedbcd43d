import * as fs from 'fs';
import * as path from 'path';
import { Graph, NHWC_TO_NCHW, transposeData } from '@tinyforge/ir';
import { Interpreter } from '@tinyforge/interpreter';
import { readModelFile, readOnnx, writeOnnx } from '@tinyforge/model-format';
import { pruneTensors } from '../passes';
import { quantizeInput } from '../report/measure';
import { quantizeModel } from '../quantize/quantize-model';
import { MODELS_DIR, randomFloats, seeded, smallCnn } from '../test-support/float-graphs';
import { toQdqGraph } from './to-qdq';

function int8SmallCnn(): Graph {
  const g = smallCnn();
  const r = seeded(3);
  const samples = Array.from({ length: 8 }, () => [randomFloats(8 * 8 * 3, r)]);
  // The QDQ export is int8 throughout: on random inputs the small CNN's softmax head would go 16-bit (classifier-head.ts).
  return quantizeModel(g, samples, { io: 'int8', head: 'int8' }).int8Graph;
}

describe('the QDQ export of a graph with int16 tensors', () => {
  it('is refused with a typed error naming the tensor (a 16-bit classifier head has no QDQ form here)', () => {
    const r = seeded(3);
    const { int8Graph } = quantizeModel(smallCnn(), Array.from({ length: 8 }, () => [randomFloats(8 * 8 * 3, r)]), { io: 'int8', head: 'int16' });
    expect(() => toQdqGraph(int8Graph)).toThrow(expect.objectContaining({ code: 'QUANT_UNSUPPORTED', message: expect.stringMatching(/'.*' is int16: it has no 16x8 form/) }));
  });
});

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

/** Our int8 interpreter vs our ONNX reader + interpreter on the written export: differing output elements. */
function readBackDifferences(g: Graph, int8Graph: Graph, rounding: 'tflite' | 'plain', inputs: number, seed: number): { differing: number; total: number } {
  const back = readOnnx(writeOnnx(pruneTensors(toQdqGraph(int8Graph, { rounding }))));
  const ours = new Interpreter(int8Graph);
  const theirs = new Interpreter(back);
  const r = seeded(seed);
  const n = g.tensors[g.inputs[0]].shape.reduce((p, d) => p * d, 1);
  let differing = 0;
  let total = 0;
  for (let k = 0; k < inputs; k++) {
    const x = quantizeInput(randomFloats(n, r), int8Graph.tensors[int8Graph.inputs[0]].quant!);
    const bytes = new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
    // The writer declares a 4-D input NCHW, and the reader keeps what the file declares.
    const shape = int8Graph.tensors[int8Graph.inputs[0]].shape;
    const declared = shape.length === 4 ? transposeData(bytes, shape, NHWC_TO_NCHW, 1) : bytes;
    const a = new Int8Array(ours.run([bytes]).outputs[0].slice().buffer);
    const b = new Int8Array(theirs.run([declared]).outputs[0].slice().buffer);
    a.forEach((v, i) => (differing += v === b[i] ? 0 : 1));
    total += a.length;
  }
  return { differing, total };
}

describe('the export read back by our ONNX reader and run by our interpreter (a second runtime)', () => {
  it('small CNN: equal to the int8 graph on every element', () => {
    const g = smallCnn();
    const int8Graph = int8SmallCnn();
    expect(readBackDifferences(g, int8Graph, 'tflite', 8, 5)).toEqual({ differing: 0, total: 80 });
  });

  const ad = path.join(MODELS_DIR, 'ad_autoencoder_float.tflite');
  const haveAd = fs.existsSync(ad);
  if (!haveAd) console.warn(`skipping the read-back check on the MLPerf Tiny AD model: ${ad} not found`);
  (haveAd ? it : it.skip)('MLPerf Tiny AD: equal with TFLite rounding, not with the plain export', () => {
    const g = readModelFile(ad);
    const r = seeded(8);
    const { int8Graph } = quantizeModel(g, Array.from({ length: 16 }, () => [randomFloats(640, r, -4, 4)]), { io: 'int8', head: 'int8' });
    expect(readBackDifferences(g, int8Graph, 'tflite', 2, 9)).toEqual({ differing: 0, total: 1280 });
    // the plain export rounds once: ten layers of TFLite's double rounding apart
    expect(readBackDifferences(g, int8Graph, 'plain', 2, 9).differing).toBeGreaterThan(50);
  });
});

