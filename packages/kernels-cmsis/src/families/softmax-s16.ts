/**
 * Softmax with a 16-bit output: int16 → int16 (tfg_softmax_s16, TFLite's SoftmaxInt16 with its exp and 1/(1 + x)
 * tables built here by the reference interpreter's LUTPopulate) and int8 → int16 (tfg_softmax_s8_s16, the int8
 * kernel's fixed-point exp with an output scale of 2^-16, zero point -32768).
 */
import { NodeOf, elementCount } from '@tinyforge/ir';
import { calculateInputRadius, populateInt16Lut, quantizeMultiplier } from '@tinyforge/interpreter';
import { blobOf, cPtr, cStruct } from './c-text';
import { CallBase, defineFamily } from './family';
import { symmetricInt16 } from './s16-common';

export interface SoftmaxS16Call extends CallBase {
  kernel: 'tfg_softmax_s16' | 'tfg_softmax_s8_s16';
  rows: number;
  rowSize: number;
  inputMultiplier: number;
  /** int16: the multiplier's shift; int8: the left shift into Q5.26. */
  inputShift: number;
  diffMin: number;
  expLut?: Int16Array;
  reciprocalLut?: Int16Array;
}

const SCALED_DIFF_INTEGER_BITS = 5;

export const softmaxS16Family = defineFamily<SoftmaxS16Call>({
  name: 'softmax-s16',
  ops: ['Softmax'],
  takes: (graph, node) => graph.tensors[node.outputs[0]]?.dtype === 'int16',
  kernels: { tfg_softmax_s16: 22, tfg_softmax_s8_s16: 22 },
  lower(ctx) {
    const node = ctx.node as NodeOf<'Softmax'>;
    const xT = ctx.tensor(node.inputs[0]);
    const beta = node.attrs.beta;
    const rowSize = xT.shape[xT.shape.length - 1] ?? 1;
    const base = { node: node.name, output: node.outputs[0], inputs: [node.inputs[0]], rows: rowSize === 0 ? 0 : elementCount(xT.shape) / rowSize, rowSize };
    if (xT.dtype === 'int8') {
      const x = ctx.quantized(node.inputs[0], ['int8']);
      const y = ctx.quantized(node.outputs[0], ['int16']);
      const sy = Math.fround(y.quant.scale[0]);
      if (Math.abs(sy - 1 / 65536) > 0.001 / 65536 || y.quant.zeroPoint[0] !== -32768) ctx.fail('KERNEL_BAD_QUANTIZATION', 'int16 softmax output must have scale 1/65536 and zero point -32768');
      const real = Math.min(beta * Math.fround(x.quant.scale[0]) * 2 ** (31 - SCALED_DIFF_INTEGER_BITS), 2147483647);
      const { multiplier, shift } = quantizeMultiplier(real);
      if (real <= 1 || shift < 0) ctx.fail('KERNEL_BAD_QUANTIZATION', `beta × input scale ${real} is too small for the fixed-point softmax`);
      return { ...base, kernel: 'tfg_softmax_s8_s16', inputMultiplier: multiplier, inputShift: shift, diffMin: -calculateInputRadius(SCALED_DIFF_INTEGER_BITS, shift) };
    }
    const x = symmetricInt16(ctx, node.inputs[0]);
    const y = symmetricInt16(ctx, node.outputs[0]);
    if (Math.abs(Math.fround(y.quant.scale[0]) - 1 / 32768) > 0.001 / 32768) ctx.fail('KERNEL_BAD_QUANTIZATION', `int16 softmax output must have scale 1/32768, got ${y.quant.scale[0]}`);
    const range = 65535;
    const expLut = populateInt16Lut(10 / range, 32767, 2 / range, 0, (v) => Math.fround(Math.exp(v)));
    const reciprocalLut = populateInt16Lut(1 / range, -32768, 2 / range, 0, (v) => Math.fround(1 / Math.fround(1 + v)));
    const { multiplier, shift } = quantizeMultiplier((Math.fround(x.quant.scale[0]) * beta) / (10 / 65535));
    return { ...base, kernel: 'tfg_softmax_s16', inputMultiplier: multiplier, inputShift: shift, diffMin: 0, expLut, reciprocalLut };
  },
  emit(c, out) {
    const input = out.at(c.inputs[0]);
    const output = cPtr(out.at(c.output), 'int16_t', true);
    if (c.kernel === 'tfg_softmax_s8_s16') {
      out.line(`static const tfg_softmax_params params = ${cStruct({ input_multiplier: c.inputMultiplier, input_left_shift: c.inputShift, diff_min: c.diffMin })};`);
      out.line(`return tfg_softmax_s8_s16(&params, ${c.rows}, ${c.rowSize}, ${input}, ${output});`);
      return;
    }
    const exp = out.constant('exp_lut', 'int16_t', c.expLut!, `${c.node}: exp over [-10, 0]`);
    const rec = out.constant('reciprocal_lut', 'int16_t', c.reciprocalLut!, `${c.node}: 1 / (1 + x) over [0, 1]`);
    out.line(`return tfg_softmax_s16(${c.inputMultiplier}, ${c.inputShift}, ${c.rows}, ${c.rowSize}, ${exp}, ${rec}, ${cPtr(input, 'int16_t', false)}, ${output});`);
  },
  vector: (c, inputs) => ({
    ints: [c.kernel === 'tfg_softmax_s16' ? 0 : 1, c.rows, c.rowSize, c.inputMultiplier, c.inputShift, c.diffMin],
    blobs: [blobOf(inputs[0]), blobOf(c.expLut), blobOf(c.reciprocalLut)],
  }),
});
