/**
 * Mean on int16 (tfg_mean_s16): TFLite Micro's QuantizedMeanOrSum, the input/output multiplier folded with 1/count
 * (shifted up by floor(log2 count), at most 32 and at most 31 + its shift, then divided) and one rescale.
 */
import { elementCount } from '@tinyforge/ir';
import { quantizeMultiplier } from '@tinyforge/interpreter';
import { blobOf, cDims, cPtr, cStruct, dimsInts } from './c-text';
import { CallBase, Dims4, defineFamily } from './family';
import { constantOperand, rightAligned } from './lowering';
import { takesInt16 } from './s16-common';

export interface MeanS16Call extends CallBase {
  kernel: 'tfg_mean_s16';
  input: Dims4;
  axesMask: number;
  inputOffset: number;
  outputOffset: number;
  multiplier: number;
  shift: number;
}

export const meanS16Family = defineFamily<MeanS16Call>({
  name: 'mean-s16',
  ops: ['Mean'],
  takes: takesInt16,
  kernels: { tfg_mean_s16: 24 },
  lower(ctx) {
    const { node } = ctx;
    const x = ctx.quantized(node.inputs[0], ['int16']);
    const y = ctx.quantized(node.outputs[0], ['int16']);
    const rank = x.shape.length;
    let axesMask = 0;
    for (const a of constantOperand(ctx, node.inputs[1])) {
      const axis = (a < 0 ? a + rank : a) + 4 - rank;
      if (axis < 4 - rank || axis > 3) ctx.fail('KERNEL_BAD_SHAPE', `mean axis ${a} out of range for rank ${rank}`);
      axesMask |= 1 << (3 - axis);
    }
    const outElements = elementCount(y.shape);
    const count = outElements === 0 ? 1 : elementCount(x.shape) / outElements;
    const m = quantizeMultiplier(Math.fround(x.quant.scale[0]) / Math.fround(y.quant.scale[0]));
    const shift = Math.min(31 - Math.clz32(count), 32, 31 + m.shift);
    const multiplier = Number((BigInt(m.multiplier) << BigInt(shift)) / BigInt(count));
    return {
      kernel: 'tfg_mean_s16',
      node: node.name,
      output: node.outputs[0],
      inputs: [node.inputs[0]],
      input: rightAligned(x.shape, x.name, ctx.fail),
      axesMask,
      inputOffset: -x.quant.zeroPoint[0],
      outputOffset: y.quant.zeroPoint[0],
      multiplier,
      shift: m.shift - shift,
    };
  },
  emit(c, out) {
    const params = { axes_mask: c.axesMask, input_offset: c.inputOffset, output_offset: c.outputOffset, multiplier: c.multiplier, shift: c.shift };
    out.line(`static const tfg_mean_params params = ${cStruct(params)};`);
    out.line(`static const tfg_dims input_dims = ${cDims(c.input)};`);
    out.line(`return tfg_mean_s16(&params, &input_dims, ${cPtr(out.at(c.inputs[0]), 'int16_t', false)}, ${cPtr(out.at(c.output), 'int16_t', true)});`);
  },
  vector: (c, inputs) => ({ ints: [...dimsInts(c.input), c.axesMask, c.inputOffset, c.outputOffset, c.multiplier, c.shift], blobs: [blobOf(inputs[0])] }),
});
