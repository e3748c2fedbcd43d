/** Mean over constant axes (Mean) of a tensor of rank <= 4, rescaled by input scale / output scale. */
import { quantizeMultiplier } from '@tinyforge/interpreter';
import { blobOf, cDims, cStruct, dimsInts } from './c-text';
import { CallBase, Dims4, defineFamily } from './family';
import { constantOperand, rightAligned } from './lowering';

export interface MeanCall extends CallBase {
  kernel: 'tfg_mean_s8';
  input: Dims4;
  /** Bit 3 = n, 2 = h, 1 = w, 0 = c (right-aligned 4-D axes averaged over). */
  axesMask: number;
  inputOffset: number;
  outputOffset: number;
  multiplier: number;
  shift: number;
}

export const meanFamily = defineFamily<MeanCall>({
  name: 'mean',
  ops: ['Mean'],
  kernels: { tfg_mean_s8: 16 },
  lower(ctx) {
    const { node } = ctx;
    const x = ctx.activation(node.inputs[0]);
    const y = ctx.activation(node.outputs[0]);
    const rank = x.shape.length;
    const input = rightAligned(x.shape, x.name, ctx.fail);
    let axesMask = 0;
    for (const a of constantOperand(ctx, node.inputs[1])) {
      const axis = (a < 0 ? a + rank : a) + 4 - rank;
      if (axis < 4 - rank || axis > 3) ctx.fail('KERNEL_BAD_SHAPE', `mean axis ${a} out of range for rank ${rank}`);
      axesMask |= 1 << (3 - axis);
    }
    const q = quantizeMultiplier(x.quant.scale[0] / y.quant.scale[0]);
    return {
      kernel: 'tfg_mean_s8',
      node: node.name,
      output: node.outputs[0],
      inputs: [node.inputs[0]],
      input,
      axesMask,
      inputOffset: -x.quant.zeroPoint[0],
      outputOffset: y.quant.zeroPoint[0],
      multiplier: q.multiplier,
      shift: q.shift,
    };
  },
  emit(c, out) {
    const params = { axes_mask: c.axesMask, input_offset: c.inputOffset, output_offset: c.outputOffset, multiplier: c.multiplier, shift: c.shift };
    out.line(`static const tfg_mean_params params = ${cStruct(params)};`);
    out.line(`static const tfg_dims input_dims = ${cDims(c.input)};`);
    out.line(`return tfg_mean_s8(&params, &input_dims, ${out.at(c.inputs[0])}, ${out.at(c.output)});`);
  },
  vector: (c, inputs) => ({ ints: [...dimsInts(c.input), c.axesMask, c.inputOffset, c.outputOffset, c.multiplier, c.shift], blobs: [blobOf(inputs[0])] }),
});
