/** Softmax over the last axis (Softmax): int8 output with scale 1/256 and zero point -128, as TFLite requires. */
import { NodeOf } from '@tinyforge/ir';
import { calculateInputRadius, quantizeMultiplier } from '@tinyforge/interpreter';
import { blobOf, cStruct } from './c-text';
import { CallBase, defineFamily } from './family';
import { elementCount } from './lowering';

export interface SoftmaxCall extends CallBase {
  kernel: 'tfg_softmax_s8';
  rows: number;
  rowSize: number;
  inputMultiplier: number;
  inputLeftShift: number;
  diffMin: number;
}

const SOFTMAX_DIFF_INTEGER_BITS = 5;

/** TFLite's PreprocessSoftmaxScaling: beta · input_scale into Q5.26 (multiplier, left shift, diff_min). */
function softmaxScaling(beta: number, inputScale: number): { multiplier: number; leftShift: number; diffMin: number } {
  const real = Math.min(beta * inputScale * 2 ** (31 - SOFTMAX_DIFF_INTEGER_BITS), 2 ** 31 - 1);
  const { multiplier, shift } = quantizeMultiplier(real);
  return { multiplier, leftShift: shift, diffMin: -calculateInputRadius(SOFTMAX_DIFF_INTEGER_BITS, shift) };
}

export const softmaxFamily = defineFamily<SoftmaxCall>({
  name: 'softmax',
  ops: ['Softmax'],
  kernels: { tfg_softmax_s8: 8 },
  lower(ctx) {
    const node = ctx.node as NodeOf<'Softmax'>;
    const x = ctx.activation(node.inputs[0]);
    const y = ctx.activation(node.outputs[0]);
    if (y.quant.scale[0] !== 1 / 256 || y.quant.zeroPoint[0] !== -128) {
      ctx.fail('KERNEL_BAD_QUANTIZATION', 'int8 softmax output must have scale 1/256 and zero point -128');
    }
    const rowSize = x.shape[x.shape.length - 1] ?? 1;
    const s = softmaxScaling(Math.fround(node.attrs.beta), Math.fround(x.quant.scale[0]));
    if (s.leftShift < 0) ctx.fail('KERNEL_BAD_QUANTIZATION', 'beta × input scale is too small for the fixed-point softmax');
    return {
      kernel: 'tfg_softmax_s8',
      node: node.name,
      output: node.outputs[0],
      inputs: [node.inputs[0]],
      rows: elementCount(x.shape) / rowSize,
      rowSize,
      inputMultiplier: s.multiplier,
      inputLeftShift: s.leftShift,
      diffMin: s.diffMin,
    };
  },
  emit(c, out) {
    out.line(`static const tfg_softmax_params params = ${cStruct({ input_multiplier: c.inputMultiplier, input_left_shift: c.inputLeftShift, diff_min: c.diffMin })};`);
    out.line(`return tfg_softmax_s8(&params, ${c.rows}, ${c.rowSize}, ${out.at(c.inputs[0])}, ${out.at(c.output)});`);
  },
  vector: (c, inputs) => ({ ints: [c.rows, c.rowSize, c.inputMultiplier, c.inputLeftShift, c.diffMin], blobs: [blobOf(inputs[0])] }),
});
