/** Element-wise multiply with broadcasting (Mul): TFLite's int8 MUL, one multiplier for sa · sb / sy. */
import { NodeOf } from '@tinyforge/ir';
import { quantizeMultiplier } from '@tinyforge/interpreter';
import { blobOf, cClamp, cStruct } from './c-text';
import { broadcastDimsInts, broadcastOperands, emitBroadcastCall } from './elementwise';
import { CallBase, Clamp, Dims4, defineFamily } from './family';
import { elementwiseRule } from './in-place';

export interface MulCall extends CallBase {
  kernel: 'tfg_elementwise_mul_s8';
  input1: Dims4;
  input2: Dims4;
  outputDims: Dims4;
  input1Offset: number;
  input2Offset: number;
  outputOffset: number;
  outputMultiplier: number;
  outputShift: number;
  activation: Clamp;
}

export const mulFamily = defineFamily<MulCall>({
  name: 'mul',
  ops: ['Mul'],
  kernels: { tfg_elementwise_mul_s8: 7 },
  lower(ctx) {
    const { a, b, y, shared } = broadcastOperands(ctx, 'tfg_elementwise_mul_s8');
    const [sa, sb, sy] = [a.quant.scale[0], b.quant.scale[0], y.quant.scale[0]].map(Math.fround);
    const q = quantizeMultiplier((sa * sb) / sy);
    return {
      ...shared,
      kernel: 'tfg_elementwise_mul_s8',
      input1Offset: -a.quant.zeroPoint[0],
      input2Offset: -b.quant.zeroPoint[0],
      outputOffset: y.quant.zeroPoint[0],
      outputMultiplier: q.multiplier,
      outputShift: q.shift,
      activation: ctx.clamp((ctx.node as NodeOf<'Mul'>).attrs.activation, y),
    };
  },
  inPlace: elementwiseRule,
  emit(c, out) {
    const params = {
      input1_offset: c.input1Offset,
      input2_offset: c.input2Offset,
      output_offset: c.outputOffset,
      output_multiplier: c.outputMultiplier,
      output_shift: c.outputShift,
      activation: cClamp(c.activation),
    };
    out.line(`static const tfg_mul_params params = ${cStruct(params)};`);
    emitBroadcastCall(c, out);
  },
  vector: (c, inputs) => ({
    ints: [...broadcastDimsInts(c), c.input1Offset, c.input2Offset, c.outputOffset, c.outputMultiplier, c.outputShift, c.activation.min, c.activation.max],
    blobs: [blobOf(inputs[0]), blobOf(inputs[1])],
  }),
});
