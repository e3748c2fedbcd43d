import { bytesOf, elementCount, Graph, GraphBuilder, validateGraph, viewAs } from '@tinyforge/ir';
import { Interpreter } from '@tinyforge/interpreter';
import { readModelFile, readTflite, writeTflite } from '@tinyforge/model-format';
import * as path from 'path';
import { Sample } from '../calibration/calibrate';
import { QuantizerError } from '../errors';
import { int8Inputs, measureQuantization } from '../report/measure';
import { describeWithShared, MODELS_DIR, randomFloats, seeded, smallCnn } from '../test-support/float-graphs';
import { quantizeModel } from './quantize-model';

function samplesFor(graph: Graph, n: number, seed: number, lo = -1, hi = 1): Sample[] {
  const r = seeded(seed);
  return Array.from({ length: n }, () => graph.inputs.map((t) => randomFloats(elementCount(graph.tensors[t].shape), r, lo, hi)));
}

function expectCode(f: () => unknown, code: string): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(QuantizerError);
    expect((e as QuantizerError).code).toBe(code);
    return;
  }
  throw new Error(`expected ${code}`);
}

describe('quantizeModel on a small CNN', () => {
  const g = smallCnn();
  const calib = samplesFor(g, 16, 11);
  const evalSet = samplesFor(g, 8, 12);
  const r = quantizeModel(g, calib);

  it('produces a valid all-int8 graph with the float graph’s tensor indices', () => {
    expect(validateGraph(r.int8Graph)).toEqual([]);
    for (const n of r.int8Graph.nodes) for (const t of n.outputs) expect(r.int8Graph.tensors[t].dtype).toBe('int8');
    expect(r.int8Graph.nodes.map((n) => n.op)).toEqual(r.floatGraph.nodes.map((n) => n.op));
  });

  it('quantizes conv weights per output channel (symmetric, max |w| → 127) and biases at scale_in × scale_w', () => {
    const conv = r.int8Graph.nodes[0];
    const w = r.int8Graph.tensors[conv.inputs[1]];
    const fw = Float32Array.from(viewAs(r.floatGraph.tensors[r.floatGraph.nodes[0].inputs[1]].data!, 'float32'));
    expect(w.quant!.scale).toHaveLength(4);
    expect(w.quant!.zeroPoint).toEqual([0, 0, 0, 0]);
    const q = viewAs(w.data!, 'int8');
    for (let c = 0; c < 4; c++) {
      const slice = Array.from(fw.slice(c * 27, (c + 1) * 27));
      const absMax = Math.max(...slice.map(Math.abs));
      expect(w.quant!.scale[c]).toBeCloseTo(absMax / 127, 7);
      expect(Math.max(...Array.from(q.slice(c * 27, (c + 1) * 27), Math.abs))).toBe(127);
    }
    const b = r.int8Graph.tensors[conv.inputs[2]];
    const fb = viewAs(r.floatGraph.tensors[r.floatGraph.nodes[0].inputs[2]].data!, 'float32');
    const inScale = r.int8Graph.tensors[conv.inputs[0]].quant!.scale[0];
    expect(b.dtype).toBe('int32');
    viewAs(b.data!, 'int32').forEach((v, c) => expect(v).toBe(Math.round(fb[c] / Math.fround(inScale * w.quant!.scale[c]))));
  });

  it('uses per-tensor weights with perTensor, depthwise scales along the last axis otherwise', () => {
    const dw = r.int8Graph.tensors[r.int8Graph.nodes[1].inputs[1]];
    expect(dw.quant!.scale).toHaveLength(8);
    expect(dw.quant!.axis).toBe(3);
    const pt = quantizeModel(g, calib, { perTensor: true });
    expect(pt.int8Graph.tensors[pt.int8Graph.nodes[0].inputs[1]].quant!.scale).toHaveLength(1);
    const fc = pt.int8Graph.tensors[pt.int8Graph.nodes[4].inputs[1]];
    expect(fc.quant!.scale).toHaveLength(1);
  });

  it('narrows fused activations, keeps pool/reshape scales, and fixes the softmax output at 1/256, −128', () => {
    const t = (k: number): NonNullable<Graph['tensors'][number]['quant']> => r.int8Graph.tensors[r.int8Graph.nodes[k].outputs[0]].quant!;
    expect(t(0).zeroPoint[0]).toBe(-128); // relu: min is 0
    expect(t(1).scale[0] * (127 - t(1).zeroPoint[0])).toBeLessThanOrEqual(6 + 1e-6); // relu6
    expect(t(2)).toEqual(t(1)); // average pool
    expect(t(3)).toEqual(t(2)); // reshape
    expect(t(5)).toEqual({ scale: [1 / 256], zeroPoint: [-128], axis: 0 });
  });

  it('runs bit-exactly after writeTflite → readTflite', () => {
    const back = readTflite(writeTflite(r.int8Graph));
    const a = new Interpreter(r.int8Graph);
    const b = new Interpreter(back);
    for (const s of evalSet) {
      const x = int8Inputs(r.int8Graph, r.floatGraph, s);
      expect(Buffer.from(b.run(x).outputs[0])).toEqual(Buffer.from(a.run(x).outputs[0]));
    }
  });

  it('tracks the float model closely (per-layer and output SQNR)', () => {
    const report = measureQuantization(r, evalSet);
    expect(report.layers.map((l) => l.node)).toEqual(['input', 'conv1', 'dw1', 'pool', 'flat', 'fc', 'probs']);
    for (const l of report.layers.slice(0, 6)) expect(l.sqnrDb).toBeGreaterThan(25);
    expect(report.outputSqnrDb).toBeGreaterThan(20);
    expect(report.top1Agreement).toBeGreaterThanOrEqual(0.75);
    expect(report.layers[0].clipping).toBe(0);
  });

  it('with io float, wraps the int8 graph in Quantize/Dequantize and takes float inputs', () => {
    const f = quantizeModel(g, calib, { io: 'float' });
    const ops = f.int8Graph.nodes.map((n) => n.op);
    expect(ops[0]).toBe('Quantize');
    expect(ops[ops.length - 1]).toBe('Dequantize');
    expect(f.int8Graph.tensors[f.int8Graph.inputs[0]].dtype).toBe('float32');
    expect(f.int8Graph.tensors[f.int8Graph.inputs[0]].name).toBe('input');
    const out = new Interpreter(f.int8Graph).run([bytesOf(evalSet[0][0])]).outputs[0];
    const ref = new Interpreter(r.int8Graph).run(int8Inputs(r.int8Graph, r.floatGraph, evalSet[0])).outputs[0];
    const deq = Array.from(viewAs(ref, 'int8'), (v) => (v + 128) / 256);
    expect(Array.from(viewAs(out, 'float32'))).toEqual(deq.map((v) => Math.fround(v)));
  });
});

describe('quantizeModel on other ops', () => {
  it('requantizes concatenation inputs to the union of their ranges', () => {
    const b = new GraphBuilder();
    const x = b.input({ name: 'x', shape: [1, 4], dtype: 'float32' });
    const big = b.node('Mul', { activation: 'none' }, [x, b.constant({ name: 'k', shape: [1], dtype: 'float32' }, Float32Array.of(8))], { name: 'big', dtype: 'float32' });
    const y = b.node('Concatenation', { axis: 1, activation: 'none' }, [x, big], { name: 'cat', dtype: 'float32' });
    const g = b.output(y).build();
    const r = quantizeModel(g, samplesFor(g, 8, 5));
    expect(r.int8Graph.nodes.map((n) => n.op)).toEqual(['Mul', 'Quantize', 'Concatenation']);
    const cat = r.int8Graph.nodes[2];
    const outQ = r.int8Graph.tensors[cat.outputs[0]].quant!;
    for (const t of cat.inputs) expect(r.int8Graph.tensors[t].quant).toEqual(outQ);
    const report = measureQuantization(r, samplesFor(g, 4, 6));
    expect(report.outputSqnrDb).toBeGreaterThan(30);
  });

  it('gives logistic 1/256, −128 and tanh 1/128, 0', () => {
    const b = new GraphBuilder();
    const x = b.input({ name: 'x', shape: [1, 6], dtype: 'float32' });
    const s = b.node('Logistic', {}, [x], { name: 's', dtype: 'float32' });
    const t = b.node('Tanh', {}, [s], { name: 't', dtype: 'float32' });
    const g = b.output(t).build();
    const r = quantizeModel(g, samplesFor(g, 4, 2, -4, 4));
    expect(r.int8Graph.tensors[r.int8Graph.nodes[0].outputs[0]].quant).toEqual({ scale: [1 / 256], zeroPoint: [-128], axis: 0 });
    expect(r.int8Graph.tensors[r.int8Graph.nodes[1].outputs[0]].quant).toEqual({ scale: [1 / 128], zeroPoint: [0], axis: 0 });
  });
});

describe('quantizeModel on a dead filter (weights ~1e-30, bias 0.5)', () => {
  // conv 1×1, channel 0 normal, channel 1 dead: its output is relu(0.5) whatever the input.
  const b = new GraphBuilder('dead_filter');
  const x = b.input({ name: 'x', shape: [1, 4, 4, 2], dtype: 'float32' });
  const w = b.constant({ name: 'w', shape: [2, 1, 1, 2], dtype: 'float32' }, Float32Array.of(0.4, -0.3, 1e-30, -2e-30));
  const bias = b.constant({ name: 'b', shape: [2], dtype: 'float32' }, Float32Array.of(0.1, 0.5));
  const conv = { strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padding: 'valid' as const, activation: 'relu' as const };
  const g = b.output(b.node('Conv2D', conv, [x, w, bias], { name: 'conv', dtype: 'float32' })).build();
  const r = quantizeModel(g, samplesFor(g, 8, 21));
  const node = r.int8Graph.nodes[0];

  it('raises the weight scale so that the int32 bias stays within ~±2^23 instead of saturating', () => {
    const qb = viewAs(r.int8Graph.tensors[node.inputs[2]].data!, 'int32');
    const sw = r.int8Graph.tensors[node.inputs[1]].quant!.scale;
    const sIn = r.int8Graph.tensors[node.inputs[0]].quant!.scale[0];
    expect(Math.abs(qb[1])).toBeLessThanOrEqual(2 ** 23 * (1 + 5e-4)); // agreeingWeightScale may lower the scale a hair
    expect(qb[1] * Math.fround(sIn * sw[1])).toBeCloseTo(0.5, 6);
    expect(Math.abs(sw[0] / (0.4 / 127) - 1)).toBeLessThan(5e-4); // the normal channel keeps max |w| → 127
  });

  it('so the dead channel still outputs its bias', () => {
    const out = r.int8Graph.tensors[node.outputs[0]].quant!;
    const input = int8Inputs(r.int8Graph, r.floatGraph, samplesFor(g, 1, 22)[0]);
    const y = viewAs(new Interpreter(r.int8Graph).run(input).outputs[0], 'int8');
    for (let p = 0; p < 16; p++) expect(out.scale[0] * (y[2 * p + 1] - out.zeroPoint[0])).toBeCloseTo(0.5, 2);
  });
});

describe('quantizeModel refuses bad input with typed errors', () => {
  const g = smallCnn();
  it('wrong sample shape', () => expectCode(() => quantizeModel(g, [[new Float32Array(10)]]), 'QUANT_CALIB_SHAPE'));
  it('no samples', () => expectCode(() => quantizeModel(g, []), 'QUANT_CALIB_EMPTY'));
  it('an op without an int8 rule', () => {
    const b = new GraphBuilder();
    const x = b.input({ name: 'x', shape: [1, 3], dtype: 'float32' });
    const c = (n: string): number => b.constant({ name: n, shape: [3], dtype: 'float32' }, Float32Array.of(1, 1, 1));
    const y = b.node('BatchNorm', { epsilon: 1e-5 }, [x, c('g'), c('b'), c('m'), c('v')], { name: 'lonely_bn', dtype: 'float32' });
    const bad = b.output(y).build();
    expectCode(() => quantizeModel(bad, samplesFor(bad, 1, 1)), 'QUANT_UNSUPPORTED');
  });
  it('an int8 model', () => {
    const b = new GraphBuilder();
    const x = b.input({ name: 'x', shape: [1, 3], dtype: 'int8', quant: { scale: [0.1], zeroPoint: [0], axis: 0 } });
    const y = b.node('Relu', {}, [x], { name: 'y', dtype: 'int8', quant: { scale: [0.1], zeroPoint: [0], axis: 0 } });
    expectCode(() => quantizeModel(b.output(y).build(), []), 'QUANT_NOT_FLOAT');
  });
});

describeWithShared()('quantizeModel on the MLPerf Tiny VWW float model', () => {
  it('writes a TFLite file our reader and interpreter run bit-exactly, close to the float model', () => {
    const g = readModelFile(path.join(MODELS_DIR, 'vww_mobilenet_float.tflite'));
    const r = quantizeModel(g, samplesFor(g, 6, 3, 0, 1), { io: 'int8' });
    const back = readTflite(writeTflite(r.int8Graph));
    const s = samplesFor(g, 2, 4, 0, 1);
    const a = new Interpreter(r.int8Graph);
    const b = new Interpreter(back);
    for (const sample of s) {
      const x = int8Inputs(r.int8Graph, r.floatGraph, sample);
      expect(Buffer.from(b.run(x).outputs[0])).toEqual(Buffer.from(a.run(x).outputs[0]));
    }
    const report = measureQuantization(r, s);
    expect(report.layers[1].sqnrDb).toBeGreaterThan(25);
  }, 60_000);
});
