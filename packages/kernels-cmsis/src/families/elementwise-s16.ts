/**
 * ADD, SUB and MUL on int16 with broadcasting (tfg_elementwise_{add,sub,mul}_s16): TFLite's general int16 ADD/SUB
 * (both inputs shifted left by 15, rescaled to twice the larger scale, scale ratios formed in double as the
 * reference interpreter does) and its int16 MUL (zero points 0, one multiplier for the product of the scales).
 */
import { NodeOf } from '@tinyforge/ir';
import { quantizeMultiplier } from '@tinyforge/interpreter';
import { blobOf, cClamp, cDims, cPtr, cStruct, dimsInts } from './c-text';
import { CallBase, Clamp, Dims4, defineFamily } from './family';
import { elementwiseRule } from './in-place';
import { broadcastDims } from './lowering';
import { takesInt16 } from './s16-common';

export interface ElementwiseS16Call extends CallBase {
  kernel: 'tfg_elementwise_add_s16' | 'tfg_elementwise_sub_s16' | 'tfg_elementwise_mul_s16';
  input1: Dims4;
  input2: Dims4;
  outputDims: Dims4;
  /** ADD/SUB: input1/2 multiplier and shift, left shift; MUL: unused (0). */
  input1Offset: number;
  input2Offset: number;
  input1Multiplier: number;
  input1Shift: number;
  input2Multiplier: number;
  input2Shift: number;
  leftShift: number;
  outputOffset: number;
  outputMultiplier: number;
  outputShift: number;
  activation: Clamp;
}

const INT16_ADD_LEFT_SHIFT = 15;
const KERNEL = { Add: 'tfg_elementwise_add_s16', Sub: 'tfg_elementwise_sub_s16', Mul: 'tfg_elementwise_mul_s16' } as const;

export const elementwiseS16Family = defineFamily<ElementwiseS16Call>({
  name: 'elementwise-s16',
  ops: ['Add', 'Sub', 'Mul'],
  takes: takesInt16,
  kernels: { tfg_elementwise_add_s16: 20, tfg_elementwise_sub_s16: 20, tfg_elementwise_mul_s16: 20 },
  lower(ctx) {
    const node = ctx.node as NodeOf<'Add'> | NodeOf<'Sub'> | NodeOf<'Mul'>;
    const a = ctx.quantized(node.inputs[0], ['int16']);
    const b = ctx.quantized(node.inputs[1], ['int16']);
    const y = ctx.quantized(node.outputs[0], ['int16']);
    const [sa, sb, so] = [a, b, y].map((t) => Math.fround(t.quant.scale[0]));
    const [za, zb, zo] = [a, b, y].map((t) => t.quant.zeroPoint[0]);
    const shared = {
      kernel: KERNEL[node.op],
      node: node.name,
      output: node.outputs[0],
      inputs: [node.inputs[0], node.inputs[1]],
      input1: broadcastDims(a.shape, y.shape.length, a.name, ctx.fail),
      input2: broadcastDims(b.shape, y.shape.length, b.name, ctx.fail),
      outputDims: broadcastDims(y.shape, 4, y.name, ctx.fail),
      input1Offset: -za,
      input2Offset: -zb,
      outputOffset: zo,
      activation: ctx.clamp(node.attrs.activation, y),
    };
    if (node.op === 'Mul') {
      if (za !== 0 || zb !== 0 || zo !== 0) ctx.fail('KERNEL_BAD_QUANTIZATION', 'int16 MUL needs zero points 0');
      const m = quantizeMultiplier((sa * sb) / so);
      return { ...shared, input1Multiplier: 0, input1Shift: 0, input2Multiplier: 0, input2Shift: 0, leftShift: 0, outputMultiplier: m.multiplier, outputShift: m.shift };
    }
    const twiceMax = 2 * Math.max(sa, sb);
    const ma = quantizeMultiplier(sa / twiceMax);
    const mb = quantizeMultiplier(sb / twiceMax);
    const mo = quantizeMultiplier(twiceMax / ((1 << INT16_ADD_LEFT_SHIFT) * so));
    return {
      ...shared,
      input1Multiplier: ma.multiplier,
      input1Shift: ma.shift,
      input2Multiplier: mb.multiplier,
      input2Shift: mb.shift,
      leftShift: INT16_ADD_LEFT_SHIFT,
      outputMultiplier: mo.multiplier,
      outputShift: mo.shift,
    };
  },
  inPlace: elementwiseRule,
  emit(c, out) {
    if (c.kernel === 'tfg_elementwise_mul_s16') {
      const params = { input1_offset: c.input1Offset, input2_offset: c.input2Offset, output_offset: c.outputOffset, output_multiplier: c.outputMultiplier, output_shift: c.outputShift, activation: cClamp(c.activation) };
      out.line(`static const tfg_mul_params params = ${cStruct(params)};`);
    } else {
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
    }
    out.line(`static const tfg_dims input1_dims = ${cDims(c.input1)};`);
    out.line(`static const tfg_dims input2_dims = ${cDims(c.input2)};`);
    out.line(`static const tfg_dims output_dims = ${cDims(c.outputDims)};`);
    const [in1, in2] = c.inputs.map((t) => cPtr(out.at(t), 'int16_t', false));
    out.line(`return ${c.kernel}(&params, &input1_dims, ${in1}, &input2_dims, ${in2}, &output_dims, ${cPtr(out.at(c.output), 'int16_t', true)});`);
  },
  vector: (c, inputs) => ({
    ints: [
      ['tfg_elementwise_add_s16', 'tfg_elementwise_sub_s16', 'tfg_elementwise_mul_s16'].indexOf(c.kernel),
      ...dimsInts(c.input1),
      ...dimsInts(c.input2),
      ...dimsInts(c.outputDims),
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
