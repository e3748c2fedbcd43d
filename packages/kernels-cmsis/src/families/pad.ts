/** Constant padding (Pad): the output zero point, or the constant operand, around a tensor of rank <= 4. */
import { blobOf, cDims, dimsInts } from './c-text';
import { CallBase, Dims4, defineFamily } from './family';
import { constantOperand, rightAligned } from './lowering';

export interface PadCall extends CallBase {
  kernel: 'tfg_pad_s8';
  input: Dims4;
  padBefore: Dims4;
  outputDims: Dims4;
  fill: number;
}

export const padFamily = defineFamily<PadCall>({
  name: 'pad',
  ops: ['Pad'],
  kernels: { tfg_pad_s8: 13 },
  lower(ctx) {
    const { node } = ctx;
    const x = ctx.activation(node.inputs[0]);
    const y = ctx.activation(node.outputs[0]);
    const paddings = constantOperand(ctx, node.inputs[1]);
    if (paddings.length !== 2 * x.shape.length) ctx.fail('KERNEL_BAD_SHAPE', `paddings have ${paddings.length} values for rank ${x.shape.length}`);
    const before = rightAligned(x.shape.map((_, d) => paddings[2 * d]), 'paddings', ctx.fail);
    const fillTensor = node.inputs[2] !== undefined && node.inputs[2] >= 0 ? ctx.tensor(node.inputs[2]) : undefined;
    const fill = fillTensor === undefined ? y.quant.zeroPoint[0] : constantOperand(ctx, node.inputs[2])[0];
    if (fillTensor !== undefined && fillTensor.dtype !== 'int8') ctx.fail('KERNEL_UNSUPPORTED_TYPE', 'the pad value must be int8');
    // Leading axes added by right-alignment have no padding.
    const padBefore = { ...before, ...Object.fromEntries(['n', 'h', 'w', 'c'].slice(0, 4 - x.shape.length).map((k) => [k, 0])) };
    return {
      kernel: 'tfg_pad_s8',
      node: node.name,
      output: node.outputs[0],
      inputs: [node.inputs[0]],
      input: rightAligned(x.shape, x.name, ctx.fail),
      padBefore,
      outputDims: rightAligned(y.shape, y.name, ctx.fail),
      fill,
    };
  },
  emit(c, out) {
    out.line(`static const tfg_dims input_dims = ${cDims(c.input)};`);
    out.line(`static const tfg_dims pad_before = ${cDims(c.padBefore)};`);
    out.line(`static const tfg_dims output_dims = ${cDims(c.outputDims)};`);
    out.line(`return tfg_pad_s8(&input_dims, ${out.at(c.inputs[0])}, &pad_before, &output_dims, ${c.fill}, ${out.at(c.output)});`);
  },
  vector: (c, inputs) => ({ ints: [...dimsInts(c.input), ...dimsInts(c.padBefore), ...dimsInts(c.outputDims), c.fill], blobs: [blobOf(inputs[0])] }),
});
