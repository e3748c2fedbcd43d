/** Element-wise add with broadcasting (Add): TFLite's int8 ADD, both inputs scaled up by 2^20 to a common scale. */
import { NodeOf } from '@tinyforge/ir';
import { quantizeMultiplier } from '@tinyforge/interpreter';
import { blobOf, cClamp, cStruct } from './c-text';
import { broadcastDimsInts, broadcastOperands, emitBroadcastCall } from './elementwise';
import { CallBase, Clamp, Dims4, defineFamily } from './family';
import { elementwiseRule } from './in-place';

export interface AddCall extends CallBase {
  kernel: 'tfg_elementwise_add_s8';
  input1: Dims4;
  input2: Dims4;
  outputDims: Dims4;
  input1Offset: number;
  input1Multiplier: number;
  input1Shift: number;
  input2Offset: number;
  input2Multiplier: number;
  input2Shift: number;
  leftShift: number;
  outputOffset: number;
  outputMultiplier: number;
  outputShift: number;
  activation: Clamp;
}

const ADD_LEFT_SHIFT_S8 = 20;

export const addFamily = defineFamily<AddCall>({
  name: 'add',
  ops: ['Add'],
  kernels: { tfg_elementwise_add_s8: 6 },
  lower(ctx) {
    const { a, b, y, shared } = broadcastOperands(ctx, 'tfg_elementwise_add_s8');
    const [sa, sb, sy] = [a.quant.scale[0], b.quant.scale[0], y.quant.scale[0]].map(Math.fround);
    const twiceMax = 2 * Math.max(sa, sb);
    const q1 = quantizeMultiplier(sa / twiceMax);
    const q2 = quantizeMultiplier(sb / twiceMax);
    const qo = quantizeMultiplier(twiceMax / (2 ** ADD_LEFT_SHIFT_S8 * sy));
    return {
      ...shared,
      kernel: 'tfg_elementwise_add_s8',
      input1Offset: -a.quant.zeroPoint[0],
      input1Multiplier: q1.multiplier,
      input1Shift: q1.shift,
      input2Offset: -b.quant.zeroPoint[0],
      input2Multiplier: q2.multiplier,
      input2Shift: q2.shift,
      leftShift: ADD_LEFT_SHIFT_S8,
      outputOffset: y.quant.zeroPoint[0],
      outputMultiplier: qo.multiplier,
      outputShift: qo.shift,
      activation: ctx.clamp((ctx.node as NodeOf<'Add'>).attrs.activation, y),
    };
  },
  inPlace: elementwiseRule,
  emit(c, out) {
    const params = {
      input1_offset: c.input1Offset,
      input1_multiplier: c.input1Multiplier,
      input1_shift: c.input1Shift,
      input2_offset: c.input2Offset,
      input2_multiplier: c.input2Multiplier,
      input2_shift: c.input2Shift,
      left_shift: c.leftShift,
      output_offset: c.outputOffset,
      output_multiplier: c.outputMultiplier,
      output_shift: c.outputShift,
      activation: cClamp(c.activation),
    };
    out.line(`static const tfg_add_params params = ${cStruct(params)};`);
    emitBroadcastCall(c, out);
  },
  vector: (c, inputs) => ({
    ints: [
      ...broadcastDimsInts(c),
      c.input1Offset,
      c.input1Multiplier,
      c.input1Shift,
      c.input2Offset,
      c.input2Multiplier,
      c.input2Shift,
      c.leftShift,
      c.outputOffset,
      c.outputMultiplier,
      c.outputShift,
      c.activation.min,
      c.activation.max,
    ],
    blobs: [blobOf(inputs[0]), blobOf(inputs[1])],
  }),
});
