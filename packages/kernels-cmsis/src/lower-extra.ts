/**
 * Lowering of the one-input activations (as 256-entry tables), quantize/dequantize, pad, transpose,
 * concatenation and mean. Split from lower-node.ts, which dispatches here.
 */
import { GraphBuilder, Node, NodeOf, Quantization, Tensor, constantInts } from '@tinyforge/ir';
import { Interpreter, quantizeMultiplier } from '@tinyforge/interpreter';
import { ConcatCall, Dims4, KernelCall, LutCall, MeanCall, PadCall, QuantizeCall, TransposeCall } from './kernel-call';

export type QuantTensor = Tensor & { quant: Quantization };

export interface LoweringContext {
  graph: { tensors: Tensor[] };
  node: Node;
  fail(code: string, message: string): never;
  tensor(i: number): Tensor;
  /** An int8 tensor with one per-tensor scale. */
  activation(i: number): QuantTensor;
}

const TABLE_OPS = new Set(['Logistic', 'Tanh', 'HardSwish', 'Relu', 'Relu6', 'LeakyRelu', 'Clip']);

export function isExtraOp(op: string): boolean {
  return TABLE_OPS.has(op) || ['Quantize', 'Dequantize', 'Pad', 'Transpose', 'Concatenation', 'Mean'].includes(op);
}

const count = (shape: number[]): number => shape.reduce((p, d) => p * d, 1);

/** Right-align a shape of rank <= 4 to NHWC. */
function rightAligned(shape: number[], ctx: LoweringContext, name: string): Dims4 {
  if (shape.length > 4) ctx.fail('KERNEL_BAD_SHAPE', `tensor '${name}' has rank ${shape.length}; kernels take rank <= 4`);
  const [n, h, w, c] = [1, 1, 1, 1, ...shape].slice(-4);
  return { n, h, w, c };
}

export function lowerExtra(ctx: LoweringContext): KernelCall {
  const { node } = ctx;
  const base = { node: node.name, output: node.outputs[0] };
  if (TABLE_OPS.has(node.op) || (node.op === 'Quantize' && ctx.tensor(node.inputs[0]).dtype === 'int8')) {
    const x = ctx.activation(node.inputs[0]);
    const y = ctx.activation(node.outputs[0]);
    return { kernel: 'tfg_lut_s8', ...base, inputs: [node.inputs[0]], size: count(x.shape), table: lookupTable(ctx, x, y) } satisfies LutCall;
  }
  switch (node.op) {
    case 'Quantize':
    case 'Dequantize': {
      const quantize = node.op === 'Quantize';
      const fp = ctx.tensor(quantize ? node.inputs[0] : node.outputs[0]);
      const q = ctx.activation(quantize ? node.outputs[0] : node.inputs[0]);
      if (fp.dtype !== 'float32') ctx.fail('KERNEL_UNSUPPORTED_TYPE', `${node.op} between ${fp.dtype} and int8 has no kernel`);
      return {
        kernel: quantize ? 'tfg_quantize_f32_s8' : 'tfg_dequantize_s8_f32',
        ...base,
        inputs: [node.inputs[0]],
        size: count(q.shape),
        scale: Math.fround(q.quant.scale[0]),
        zeroPoint: q.quant.zeroPoint[0],
      } satisfies QuantizeCall;
    }
    case 'Pad': {
      const x = ctx.activation(node.inputs[0]);
      const y = ctx.activation(node.outputs[0]);
      const paddings = constantOf(ctx, node.inputs[1]);
      if (paddings.length !== 2 * x.shape.length) ctx.fail('KERNEL_BAD_SHAPE', `paddings have ${paddings.length} values for rank ${x.shape.length}`);
      const before = rightAligned(x.shape.map((_, d) => paddings[2 * d]), ctx, 'paddings');
      const fillTensor = node.inputs[2] !== undefined && node.inputs[2] >= 0 ? ctx.tensor(node.inputs[2]) : undefined;
      const fill = fillTensor === undefined ? y.quant.zeroPoint[0] : constantOf(ctx, node.inputs[2])[0];
      if (fillTensor !== undefined && fillTensor.dtype !== 'int8') ctx.fail('KERNEL_UNSUPPORTED_TYPE', 'the pad value must be int8');
      // Leading axes added by right-alignment have no padding.
      const padBefore = { ...before, ...Object.fromEntries(['n', 'h', 'w', 'c'].slice(0, 4 - x.shape.length).map((k) => [k, 0])) };
      return {
        kernel: 'tfg_pad_s8',
        ...base,
        inputs: [node.inputs[0]],
        input: rightAligned(x.shape, ctx, x.name),
        padBefore,
        outputDims: rightAligned(y.shape, ctx, y.name),
        fill,
      } satisfies PadCall;
    }
    case 'Transpose': {
      const x = ctx.activation(node.inputs[0]);
      const perm = constantOf(ctx, node.inputs[1]);
      const rank = x.shape.length;
      if (perm.length !== rank || [...perm].sort().some((p, i) => p !== i)) ctx.fail('KERNEL_BAD_SHAPE', `perm ${JSON.stringify(perm)} is not a permutation of rank ${rank}`);
      const lead = 4 - rank;
      const full = [...Array.from({ length: lead }, (_, i) => i), ...perm.map((p) => p + lead)] as [number, number, number, number];
      return { kernel: 'tfg_transpose_s8', ...base, inputs: [node.inputs[0]], input: rightAligned(x.shape, ctx, x.name), perm: full } satisfies TransposeCall;
    }
    case 'Concatenation': {
      const attrs = (node as NodeOf<'Concatenation'>).attrs;
      const y = ctx.activation(node.outputs[0]);
      if (attrs.activation !== 'none') ctx.fail('KERNEL_UNSUPPORTED_OP', 'fused activations on int8 concatenation are not supported');
      const axis = attrs.axis < 0 ? attrs.axis + y.shape.length : attrs.axis;
      const outer = count(y.shape.slice(0, axis));
      if (node.inputs.length > 8) ctx.fail('KERNEL_UNSUPPORTED_OP', `concatenation of ${node.inputs.length} inputs (at most 8)`);
      const outScale = Math.fround(y.quant.scale[0]);
      const parts = node.inputs.map((t) => {
        const x = ctx.activation(t);
        const sx = Math.fround(x.quant.scale[0]);
        const requantize = sx !== outScale || x.quant.zeroPoint[0] !== y.quant.zeroPoint[0];
        // TFLite's ConcatenationWithScaling: float32 scale = in / out, bias = -zero_point · scale.
        const scale = Math.fround(sx * Math.fround(1 / outScale));
        return { row: count(x.shape) / Math.max(outer, 1), requantize, scale, bias: Math.fround(-x.quant.zeroPoint[0] * scale) };
      });
      return { kernel: 'tfg_concatenation_s8', ...base, inputs: [...node.inputs], outer, outputOffset: y.quant.zeroPoint[0], parts } satisfies ConcatCall;
    }
    case 'Mean': {
      const x = ctx.activation(node.inputs[0]);
      const y = ctx.activation(node.outputs[0]);
      const rank = x.shape.length;
      const input = rightAligned(x.shape, ctx, x.name);
      let axesMask = 0;
      for (const a of constantOf(ctx, node.inputs[1])) {
        const axis = (a < 0 ? a + rank : a) + 4 - rank;
        if (axis < 4 - rank || axis > 3) ctx.fail('KERNEL_BAD_SHAPE', `mean axis ${a} out of range for rank ${rank}`);
        axesMask |= 1 << (3 - axis);
      }
      const q = quantizeMultiplier(x.quant.scale[0] / y.quant.scale[0]);
      return {
        kernel: 'tfg_mean_s8',
        ...base,
        inputs: [node.inputs[0]],
        input,
        axesMask,
        inputOffset: -x.quant.zeroPoint[0],
        outputOffset: y.quant.zeroPoint[0],
        multiplier: q.multiplier,
        shift: q.shift,
      } satisfies MeanCall;
    }
    default:
      return ctx.fail('KERNEL_UNSUPPORTED_OP', `no int8 kernel for ${node.op}`);
  }
}

function constantOf(ctx: LoweringContext, index: number): number[] {
  const t = ctx.tensor(index);
  if (t.data === undefined) ctx.fail('KERNEL_UNSUPPORTED_OP', `operand '${t.name}' must be constant`);
  return constantInts(t);
}

/**
 * The op's int8 → int8 map as a table, evaluated by the reference interpreter on all 256 inputs: the kernel is
 * then exactly TFLite's integer arithmetic, whatever the op, with one load per element on the target.
 */
function lookupTable(ctx: LoweringContext, x: QuantTensor, y: QuantTensor): Int8Array {
  const { node } = ctx;
  const b = new GraphBuilder('lut');
  const xin = b.input({ name: 'x', shape: [256], dtype: 'int8', quant: x.quant });
  const out = b.node(node.op, node.attrs as never, [xin], { name: node.name, dtype: 'int8', quant: y.quant });
  const all = Int8Array.from({ length: 256 }, (_, i) => i - 128);
  try {
    const r = new Interpreter(b.output(out).build()).run([new Uint8Array(all.buffer)]);
    return new Int8Array(r.outputs[0].buffer, r.outputs[0].byteOffset, 256).slice();
  } catch (e) {
    return ctx.fail('KERNEL_BAD_QUANTIZATION', `${node.op} has no int8 kernel for these parameters: ${(e as Error).message}`);
  }
}
