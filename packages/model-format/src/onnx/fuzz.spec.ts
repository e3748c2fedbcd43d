import { Graph, GraphBuilder, isTinyforgeError, validateGraph } from '@tinyforge/ir';
import { ModelFormatError } from '../errors';
import { mutateBytes } from '../tflite';
import { readOnnx, writeOnnx } from '.';
import { onnxTestModel } from './onnx-test-model';

/**
 * A QDQ model like the quantizer's --onnx-qdq export: int8 input, DequantizeLinear of per-channel int8 weights and an
 * int32 bias, a Conv, its requantization on int64 (Round, Cast, Abs, Sign, Div, Mul, Add), a QuantizeLinear.
 */
function qdqModel(): Graph {
  const b = new GraphBuilder('qdq_fuzz');
  const q = (scale: number[], zp: number[]) => ({ scale, zeroPoint: zp, axis: 0 });
  const x = b.input({ name: 'x', shape: [1, 4, 4, 2], dtype: 'int8', quant: q([0.05], [3]) });
  const xf = b.node('Dequantize', {}, [x], { name: 'x_f', dtype: 'float32' });
  const wq = b.constant({ name: 'wq', shape: [3, 3, 3, 2], dtype: 'int8', quant: q([0.01, 0.02, 0.03], [0, 0, 0]) }, Int8Array.from({ length: 54 }, (_, i) => ((i * 37) % 255) - 127));
  const bq = b.constant({ name: 'bq', shape: [3], dtype: 'int32', quant: q([0.0005, 0.001, 0.0015], [0, 0, 0]) }, Int32Array.of(100, -200, 300));
  const w = b.node('Dequantize', {}, [wq], { name: 'w', dtype: 'float32' });
  const bias = b.node('Dequantize', {}, [bq], { name: 'bias', dtype: 'float32' });
  const y = b.node('Conv2D', { strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padding: 'same', activation: 'none' }, [xf, w, bias], { name: 'y', dtype: 'float32' });
  const f = (name: string, v: number[]): number => b.constant({ name, shape: [v.length], dtype: 'float32' }, Float32Array.from(v));
  const i64 = (name: string, v: number[]): number => b.constant({ name, shape: [v.length], dtype: 'int64' }, BigInt64Array.from(v.map(BigInt)));
  const acc = b.node('Cast', {}, [b.node('Round', {}, [b.node('Div', { activation: 'none' }, [y, f('acc_scale', [0.0005, 0.001, 0.0015])], { name: 'unscaled', dtype: 'float32' })], { name: 'rounded', dtype: 'float32' })], { name: 'acc', dtype: 'int64' });
  const sign = b.node('Sign', {}, [acc], { name: 'sign', dtype: 'int64' });
  const product = b.node('Mul', { activation: 'none' }, [b.node('Abs', {}, [acc], { name: 'abs', dtype: 'int64' }), i64('m', [1518500250, 1200000000, 2000000000])], { name: 'product', dtype: 'int64' });
  const high = b.node('Div', { activation: 'none' }, [b.node('Add', { activation: 'none' }, [product, i64('nudge', [2 ** 30])], { name: 'nudged', dtype: 'int64' }), i64('pow31', [2 ** 31])], { name: 'high', dtype: 'int64' });
  const r = b.node('Cast', {}, [b.node('Mul', { activation: 'none' }, [high, sign], { name: 'signed', dtype: 'int64' })], { name: 'r', dtype: 'float32' });
  const real = b.node('Mul', { activation: 'relu' }, [r, f('out_scale', [0.1])], { name: 'real', dtype: 'float32' });
  return b.output(b.node('Quantize', {}, [real], { name: 'out', dtype: 'int8', quant: q([0.1], [-128]) })).build();
}

const BASE_SEED = 20261125;
const MUTATIONS = 800;
/** Hang guard only (a mutant normally takes well under 10 ms); timings belong to `npm run bench -- read-model`. */
const MAX_MS_PER_CASE = 60_000;

/**
 * What issue 18 added to the reader, in one model stored out of order: an NHWC input behind a Transpose, 1-D Conv
 * (grouped) and ConvTranspose, Tile, Sum, and a Shape → Gather → Unsqueeze → Concat reshape target.
 */
function exporterModel(): Uint8Array {
  const w = (name: string, dims: number[]): { name: string; dims: number[]; values: number[] } => ({ name, dims, values: Array.from({ length: dims.reduce((p, d) => p * d, 1) }, (_, i) => Math.sin(i)) });
  return onnxTestModel({
    inputs: [{ name: 'x', dims: ['N', 16, 4] }],
    outputs: [{ name: 'y', dims: ['N', 64] }],
    nodes: [
      { op: 'Reshape', inputs: ['t2', 'target'], outputs: ['y'] },
      { op: 'Transpose', inputs: ['x'], outputs: ['ncl'], attrs: { perm: [0, 2, 1] } },
      { op: 'Conv', inputs: ['ncl', 'w1'], outputs: ['c1'], attrs: { kernel_shape: [3], pads: [1, 1], group: 2 } },
      { op: 'ConvTranspose', inputs: ['c1', 'w2'], outputs: ['t1'], attrs: { kernel_shape: [2], strides: [2] } },
      { op: 'Tile', inputs: ['t1', 'reps'], outputs: ['tiled'] },
      { op: 'Sum', inputs: ['tiled', 'tiled', 'tiled'], outputs: ['t2'] },
      { op: 'Shape', inputs: ['t2'], outputs: ['shape'] },
      { op: 'Gather', inputs: ['shape', 'zero'], outputs: ['n'], attrs: { axis: 0 } },
      { op: 'Unsqueeze', inputs: ['n', 'axes0'], outputs: ['n1'] },
      { op: 'Concat', inputs: ['n1', 'minus1'], outputs: ['target'], attrs: { axis: 0 } },
    ],
    initializers: [
      w('w1', [4, 2, 3]),
      w('w2', [4, 2, 2]),
      { name: 'reps', dims: [3], values: [1, 1, 1], int64: true },
      { name: 'zero', dims: [], values: [0], int64: true },
      { name: 'axes0', dims: [1], values: [0], int64: true },
      { name: 'minus1', dims: [1], values: [-1], int64: true },
    ],
  });
}

describe('ONNX reader under seeded mutations', () => {
  it.each([['QDQ', () => writeOnnx(qdqModel())], ['exporter-style', exporterModel]] as const)('every mutant of a %s model gives a valid graph or a ModelFormatError', (kind, make) => {
    const original = make();
    expect(validateGraph(readOnnx(original))).toEqual([]);
    const outcome = { parsed: 0, rejected: {} as Record<string, number> };
    for (let k = 0; k < MUTATIONS; k++) {
      const seed = BASE_SEED + k;
      const mutant = mutateBytes(original, seed);
      const t0 = performance.now();
      try {
        const g = readOnnx(mutant.bytes, { file: 'model.onnx' });
        expect(validateGraph(g)).toEqual([]);
        outcome.parsed++;
      } catch (e) {
        if (!(e instanceof ModelFormatError)) throw new Error(`seed ${seed} (${mutant.description}) threw ${isTinyforgeError(e) ? e.code : String(e)}`);
        expect(e.location.file).toBe('model.onnx');
        outcome.rejected[e.code] = (outcome.rejected[e.code] ?? 0) + 1;
      }
      const ms = performance.now() - t0;
      if (ms > MAX_MS_PER_CASE) throw new Error(`seed ${seed} (${mutant.description}) took ${ms.toFixed(0)} ms`);
    }
    console.log(`ONNX ${kind} model: ${outcome.parsed} mutants parsed, rejected ${JSON.stringify(outcome.rejected)}`);
    expect(Object.values(outcome.rejected).reduce((a, b) => a + b, 0)).toBeGreaterThan(MUTATIONS / 10);
  });
});
