/**
 * Float32 layers of float models (tfg_fully_connected_f32, tfg_softmax_f32), with the reference interpreter's float
 * arithmetic: products summed in double and rounded once, double exp. Plain C; weights stay float32.
 */
import { NodeOf, elementCount } from '@tinyforge/ir';
import { floatActivationRange } from '@tinyforge/interpreter';
import { blobOf, cFloat, cPtr, floatBits } from './c-text';
import { CallBase, defineFamily } from './family';
import { optionalInput, takesFloat32, typedConstant } from './s16-common';

export interface Float32Call extends CallBase {
  kernel: 'tfg_fully_connected_f32' | 'tfg_softmax_f32';
  rows: number;
  depth: number;
  channels: number;
  min: number;
  max: number;
  beta: number;
  weights?: Float32Array;
  bias?: Float32Array;
}

const FLOAT_MAX = 3.4028234663852886e38;
/** A clamp bound as C: an infinite one as +-FLT_MAX, which clamps no finite float. */
const cBound = (v: number): string => cFloat(Math.min(Math.max(v, -FLOAT_MAX), FLOAT_MAX));

export const float32Family = defineFamily<Float32Call>({
  name: 'float32',
  ops: ['FullyConnected', 'Softmax'],
  takes: takesFloat32,
  kernels: { tfg_fully_connected_f32: 33, tfg_softmax_f32: 33 },
  lower(ctx) {
    const { node } = ctx;
    const x = ctx.tensor(node.inputs[0]);
    if (ctx.tensor(node.outputs[0]).dtype !== 'float32') ctx.fail('KERNEL_UNSUPPORTED_TYPE', `float32 ${node.op} must write float32`);
    const base = { node: node.name, output: node.outputs[0], inputs: [node.inputs[0]], beta: 0, min: 0, max: 0 };
    if (node.op === 'Softmax') {
      const depth = x.shape[x.shape.length - 1] ?? 1;
      return { ...base, kernel: 'tfg_softmax_f32', rows: depth === 0 ? 0 : elementCount(x.shape) / depth, depth, channels: depth, beta: (node as NodeOf<'Softmax'>).attrs.beta };
    }
    const fc = node as NodeOf<'FullyConnected'>;
    const w = ctx.tensor(fc.inputs[1]);
    const [channels, depth] = w.shape;
    if (w.shape.length !== 2 || depth < 1 || elementCount(x.shape) % depth !== 0) ctx.fail('KERNEL_BAD_SHAPE', `weights ${JSON.stringify(w.shape)} do not fit input ${JSON.stringify(x.shape)}`);
    const range = floatActivationRange(fc.attrs.activation) ?? ctx.fail('KERNEL_UNSUPPORTED_OP', `fused ${fc.attrs.activation} is not supported`);
    const b = optionalInput(ctx, 2);
    return {
      ...base,
      kernel: 'tfg_fully_connected_f32',
      rows: elementCount(x.shape) / depth,
      depth,
      channels,
      min: range.min,
      max: range.max,
      weights: typedConstant(ctx, w, 'float32', 'weights'),
      bias: b === undefined ? undefined : typedConstant(ctx, b, 'float32', 'bias'),
    };
  },
  emit(c, out) {
    const x = cPtr(out.at(c.inputs[0]), 'float', false);
    const y = cPtr(out.at(c.output), 'float', true);
    if (c.kernel === 'tfg_softmax_f32') {
      out.line(`return tfg_softmax_f32(${cFloat(c.beta)}, ${c.rows}, ${c.depth}, ${x}, ${y});`);
      return;
    }
    const w = out.constant('filter', 'float', c.weights!, `${c.node}: weights`);
    const bias = c.bias === undefined ? '0' : out.constant('bias', 'float', c.bias, `${c.node}: bias`);
    out.line(`return tfg_fully_connected_f32(${c.rows}, ${c.depth}, ${c.channels}, ${cBound(c.min)}, ${cBound(c.max)}, ${x}, ${w}, ${bias}, ${y});`);
  },
  vector: (c, inputs) => ({
    ints: [c.kernel === 'tfg_softmax_f32' ? 1 : 0, c.rows, c.depth, c.channels, floatBits(Math.max(c.min, -FLOAT_MAX)), floatBits(Math.min(c.max, FLOAT_MAX)), floatBits(c.beta)],
    blobs: [blobOf(inputs[0]), blobOf(c.weights), blobOf(c.bias)],
  }),
});
