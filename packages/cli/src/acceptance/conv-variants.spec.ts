import * as fs from 'fs';
import { Graph, seededUniform } from '@tinyforge/ir';
import { readOnnx } from '@tinyforge/model-format';
import { OnnxTestModel, onnxTestModel } from '@tinyforge/model-format/testing';
import { quantizeModel } from '@tinyforge/quantizer';
import { hasArmToolchain, hasQemu } from '@tinyforge/boards/testing';
import { argmax, Engines, float32, int8 } from '../test-support/acceptance';
import { runBoardEngine, runHostEngine, runReference } from './engines';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { hasOnnxChecker, checkOnnx } = require('../../../../tools/testing/onnx-checker') as { hasOnnxChecker: () => boolean; checkOnnx: (bytes: Uint8Array) => void };

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runOrtJobs } = require('../../../../tools/testing/ort-runner') as {
  runOrtJobs: (jobs: { model: Uint8Array; feeds: { dtype: string; dims: number[]; data: Float32Array }[] }[]) => ({ dims: number[]; data: Float32Array }[] | Error)[];
};

/**
 * Acceptance of issue 18 on 1-D, grouped and transposed convolutions: ONNX models written here as PyTorch exports
 * them (checked by onnx.checker where python3-onnx is installed) match onnxruntime in float, quantize, and run int8
 * on the reference engine; int8 on the host engine and on qemu-m4 (where arm-none-eabi-gcc, QEMU and socat are
 * installed) gives the reference engine's bytes (tfg_convolve_grouped_s8, tfg_transpose_conv_s8).
 */

const SAMPLES = 40;
const haveBoard = hasArmToolchain() && hasQemu() && fs.existsSync('/usr/bin/socat');
if (!haveBoard) console.warn('conv variants on qemu-m4 skipped: needs arm-none-eabi-gcc, qemu-system-arm and socat');

/** Weights ~ U(−1, 1)·√(3 / fan-in), so activations keep their scale through the layers. */
function init(seed: number) {
  const r = seededUniform(seed);
  return (name: string, dims: number[], fanIn = dims.slice(1).reduce((p, d) => p * d, 1)) => ({
    name,
    dims,
    values: Array.from({ length: dims.reduce((p, d) => p * d, 1) }, () => (r() * 2 - 1) * Math.sqrt(3 / fanIn)),
  });
}

/** A 1-D CNN as PyTorch exports one (IMU / audio shapes: [N, C, L]). */
function plain1d(): OnnxTestModel {
  const w = init(1);
  return {
    inputs: [{ name: 'signal', dims: ['N', 3, 64] }],
    outputs: [{ name: 'logits', dims: ['N', 5] }],
    opset: 13,
    nodes: [
      { op: 'Conv', inputs: ['signal', 'c1.w', 'c1.b'], outputs: ['c1'], attrs: { kernel_shape: [5], pads: [2, 2] } },
      { op: 'BatchNormalization', inputs: ['c1', 'bn.g', 'bn.b', 'bn.m', 'bn.v'], outputs: ['bn'] },
      { op: 'Relu', inputs: ['bn'], outputs: ['r1'] },
      { op: 'MaxPool', inputs: ['r1'], outputs: ['p1'], attrs: { kernel_shape: [2], strides: [2] } },
      { op: 'Conv', inputs: ['p1', 'c2.w', 'c2.b'], outputs: ['c2'], attrs: { kernel_shape: [3], pads: [1, 1], strides: [2] } },
      { op: 'Relu', inputs: ['c2'], outputs: ['r2'] },
      { op: 'AveragePool', inputs: ['r2'], outputs: ['p2'], attrs: { kernel_shape: [2], strides: [2] } },
      { op: 'Flatten', inputs: ['p2'], outputs: ['flat'] },
      { op: 'Gemm', inputs: ['flat', 'fc.w', 'fc.b'], outputs: ['logits'], attrs: { transB: 1 } },
    ],
    initializers: [
      w('c1.w', [8, 3, 5]), w('c1.b', [8], 4), { name: 'bn.g', dims: [8], values: [1, 0.9, 1.1, 1.2, 0.8, 1, 1.05, 0.95] }, w('bn.b', [8], 4), w('bn.m', [8], 4),
      { name: 'bn.v', dims: [8], values: [1, 0.5, 2, 1.5, 0.8, 1.2, 0.9, 1.1] },
      w('c2.w', [8, 8, 3]), w('c2.b', [8], 4), w('fc.w', [5, 64]), w('fc.b', [5], 4),
    ],
  };
}

/** 2-D and 1-D grouped and transposed convolutions (ConvTranspose as in a decoder, with output_padding). */
function groupedTransposed(): OnnxTestModel {
  const w = init(2);
  return {
    inputs: [{ name: 'image', dims: ['N', 4, 12, 12] }],
    outputs: [{ name: 'logits', dims: ['N', 6] }],
    opset: 13,
    nodes: [
      { op: 'Conv', inputs: ['image', 'c1.w', 'c1.b'], outputs: ['c1'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
      { op: 'Relu', inputs: ['c1'], outputs: ['r1'] },
      { op: 'Conv', inputs: ['r1', 'g.w', 'g.b'], outputs: ['g'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1], group: 4, strides: [2, 2] } },
      { op: 'Relu', inputs: ['g'], outputs: ['r2'] },
      { op: 'ConvTranspose', inputs: ['r2', 't.w', 't.b'], outputs: ['t'], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] } },
      { op: 'Relu', inputs: ['t'], outputs: ['r3'] },
      // a 1-D pass over the rows: [N, 4·12, 12] → grouped 1-D conv → 1-D transposed conv
      { op: 'Reshape', inputs: ['r3', 'rows'], outputs: ['seq'] },
      { op: 'Conv', inputs: ['seq', 'g1.w'], outputs: ['g1'], attrs: { kernel_shape: [3], pads: [1, 1], group: 4 } },
      { op: 'Relu', inputs: ['g1'], outputs: ['r4'] },
      { op: 'ConvTranspose', inputs: ['r4', 't1.w'], outputs: ['t1'], attrs: { kernel_shape: [4], strides: [2], pads: [1, 1] } },
      { op: 'Unsqueeze', inputs: ['t1', 'axis3'], outputs: ['t1_4d'] },
      { op: 'GlobalAveragePool', inputs: ['t1_4d'], outputs: ['gap'] },
      { op: 'Flatten', inputs: ['gap'], outputs: ['flat'] },
      { op: 'Gemm', inputs: ['flat', 'fc.w', 'fc.b'], outputs: ['logits'], attrs: { transB: 1 } },
    ],
    initializers: [
      w('c1.w', [8, 4, 3, 3]), w('c1.b', [8], 4), w('g.w', [8, 2, 3, 3]), w('g.b', [8], 4), w('t.w', [8, 4, 3, 3]), w('t.b', [4], 4),
      { name: 'rows', dims: [3], values: [0, 48, 12], int64: true },
      w('g1.w', [16, 12, 3]), w('t1.w', [16, 6, 4]), w('fc.w', [6, 6]), w('fc.b', [6], 4),
      { name: 'axis3', dims: [1], values: [3], int64: true },
    ],
  };
}

/** Smooth random inputs (sums of sinusoids plus noise), one per sample. */
function inputs(shape: number[], seed: number): Float32Array[] {
  const r = seededUniform(seed);
  const n = shape.reduce((p, d) => p * d, 1);
  return Array.from({ length: SAMPLES }, () => {
    const [f1, f2, p] = [r() * 0.5, r() * 0.2, r() * 6];
    return Float32Array.from({ length: n }, (_, i) => Math.sin(i * f1 + p) + 0.5 * Math.cos(i * f2) + 0.3 * (r() * 2 - 1));
  });
}

const hasOnnx = hasOnnxChecker();
if (!hasOnnx) console.warn('onnx.checker step skipped: /usr/bin/python3 cannot import onnx');

describe.each([
  ['1-D CNN (Conv1d, BatchNorm1d, MaxPool1d, AvgPool1d)', plain1d, [1, 3, 64]],
  ['grouped and transposed convolutions, 2-D and 1-D', groupedTransposed, [1, 4, 12, 12]],
] as const)('%s', (_name, build, shape) => {
  const bytes = onnxTestModel(build());
  const graph: Graph = readOnnx(bytes, { file: 'model.onnx' });
  const xs = inputs([...shape], 7);
  const calibration = inputs([...shape], 8).map((x) => [x]);

  (hasOnnx ? it : it.skip)('is a valid ONNX model (onnx.checker, full check)', () => {
    expect(() => checkOnnx(bytes)).not.toThrow();
  });

  it('float: the reference engine equals onnxruntime within 1e-4 of the output range', () => {
    const engines = new Engines(graph);
    const batch = new Float32Array(SAMPLES * xs[0].length);
    xs.forEach((x, k) => batch.set(x, k * x.length));
    const [ort] = runOrtJobs([{ model: bytes, feeds: [{ dtype: 'float32', dims: [SAMPLES, ...shape.slice(1)], data: batch }] }]);
    if (ort instanceof Error) throw ort;
    const per = ort[0].data.length / SAMPLES;
    xs.forEach((x, k) => {
      const got = float32(engines.ref(new Uint8Array(x.buffer)));
      const want = ort[0].data.subarray(k * per, (k + 1) * per);
      const range = Math.max(...want) - Math.min(...want);
      got.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThanOrEqual(1e-4 * range));
    });
    engines.dispose();
  });

  it('int8: quantizes and runs on the reference engine, close to float (SQNR ≥ 20 dB, top-1 on most samples)', () => {
    const { int8Graph } = quantizeModel(graph, calibration, { io: 'int8' });
    const engines = new Engines(int8Graph);
    const inQ = int8Graph.tensors[int8Graph.inputs[0]].quant!;
    const outQ = int8Graph.tensors[int8Graph.outputs[0]].quant!;
    const floatEngine = new Engines(graph);
    let signal = 0;
    let noise = 0;
    let agree = 0;
    for (const x of xs) {
      const want = float32(floatEngine.ref(new Uint8Array(x.buffer)));
      const q = new Uint8Array(Int8Array.from(x, (v) => Math.max(-128, Math.min(127, Math.round(v / inQ.scale[0]) + inQ.zeroPoint[0]))).buffer);
      const got = Array.from(int8(engines.ref(q)), (v) => outQ.scale[0] * (v - outQ.zeroPoint[0]));
      want.forEach((v, i) => {
        signal += v * v;
        noise += (v - got[i]) ** 2;
      });
      if (argmax(got) === argmax(want)) agree++;
    }
    const sqnr = 10 * Math.log10(signal / noise);
    console.log(`${_name}: int8 vs float SQNR ${sqnr.toFixed(1)} dB, top-1 ${agree} of ${SAMPLES}`);
    expect(sqnr).toBeGreaterThanOrEqual(20);
    expect(agree / SAMPLES).toBeGreaterThanOrEqual(0.85);
    engines.dispose();
    floatEngine.dispose();
  });

  it('int8 on the host engine and qemu-m4: byte-identical with the reference engine', async () => {
    const { int8Graph } = quantizeModel(graph, calibration, { io: 'int8' });
    const inQ = int8Graph.tensors[int8Graph.inputs[0]].quant!;
    const qs = xs.slice(0, 10).map((x) => new Uint8Array(Int8Array.from(x, (v) => Math.max(-128, Math.min(127, Math.round(v / inQ.scale[0]) + inQ.zeroPoint[0]))).buffer));
    const ref = runReference(int8Graph, qs);
    expect(runHostEngine(int8Graph, qs)).toEqual(ref);
    if (!haveBoard) return;
    const board = await runBoardEngine(int8Graph, 'qemu-m4', qs);
    console.log(`${_name}: int8 on qemu-m4, ${qs.length} inputs byte-identical with ref and host; ${board.instructions[0]} instructions per inference`);
    expect(board.outputs).toEqual(ref);
  }, 900_000);
});

it('int8 TransposeConv2D alone: host engine and qemu-m4 give the reference bytes', async () => {
  const graph = readOnnx(
    onnxTestModel({
      inputs: [{ name: 'x', dims: [1, 4, 6, 6] }],
      outputs: [{ name: 'y', dims: [1, 2, 12, 12] }],
      nodes: [{ op: 'ConvTranspose', name: 'up', inputs: ['x', 'w'], outputs: ['y'], attrs: { kernel_shape: [2, 2], strides: [2, 2] } }],
      initializers: [init(3)('w', [4, 2, 2, 2])],
    }),
  );
  const { int8Graph } = quantizeModel(graph, inputs([1, 4, 6, 6], 9).map((x) => [x]), { io: 'int8' });
  expect(int8Graph.nodes.map((n) => n.op)).toContain('TransposeConv2D');
  const qs = [3, 4, 5].map((seed) => new Uint8Array(Int8Array.from(inputs([1, 4, 6, 6], seed)[0], (v) => Math.max(-128, Math.min(127, Math.round(v * 40)))).buffer));
  const ref = runReference(int8Graph, qs);
  expect(new Set(ref.map((b) => Buffer.from(b).toString('hex'))).size).toBe(qs.length);
  expect(runHostEngine(int8Graph, qs)).toEqual(ref);
  if (haveBoard) expect((await runBoardEngine(int8Graph, 'qemu-m4', qs)).outputs).toEqual(ref);
}, 600_000);
