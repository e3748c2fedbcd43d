/**
 * QUANTIZE / DEQUANTIZE beyond int8 ↔ int8 and float ↔ int8: between integer types (int8, int16, int32 either way:
 * tfg_requantize, TFLite's Requantize) and float32 ↔ int16 (tfg_quantize_f32_s16 / tfg_dequantize_s16_f32).
 */
import { DType, elementCount, Graph, Node } from '@tinyforge/ir';
import { dtypeRange, quantizeMultiplier } from '@tinyforge/interpreter';
import { blobOf, cFloat, cPtr, cStruct, floatBits } from './c-text';
import { CallBase, defineFamily } from './family';
import { elementBytes } from './s16-common';

export interface RequantizeCall extends CallBase {
  kernel: 'tfg_requantize' | 'tfg_quantize_f32_s16' | 'tfg_dequantize_s16_f32';
  size: number;
  inputBytes: number;
  inputOffset: number;
  multiplier: number;
  shift: number;
  outputBytes: number;
  outputOffset: number;
  min: number;
  max: number;
  /** float ↔ int16: the int16 side's float32 scale. */
  scale: number;
}

const INTEGER: readonly DType[] = ['int8', 'int16', 'int32'];

function takes(graph: Graph, node: Node): boolean {
  const from = graph.tensors[node.inputs[0]]?.dtype;
  const to = graph.tensors[node.outputs[0]]?.dtype;
  if (node.op === 'Dequantize') return from === 'int16';
  if (from === 'float32') return to === 'int16';
  return INTEGER.includes(from) && INTEGER.includes(to) && !(from === 'int8' && to === 'int8');
}

export const requantizeFamily = defineFamily<RequantizeCall>({
  name: 'requantize',
  ops: ['Quantize', 'Dequantize'],
  takes,
  kernels: { tfg_requantize: 25, tfg_quantize_f32_s16: 25, tfg_dequantize_s16_f32: 25 },
  lower(ctx) {
    const { node } = ctx;
    const xT = ctx.tensor(node.inputs[0]);
    const yT = ctx.tensor(node.outputs[0]);
    const none = { inputOffset: 0, multiplier: 0, shift: 0, outputOffset: 0, min: 0, max: 0, scale: 0 };
    const base = { node: node.name, output: node.outputs[0], inputs: [node.inputs[0]], size: elementCount(xT.shape), inputBytes: elementBytes(ctx, xT), outputBytes: elementBytes(ctx, yT) };
    if (node.op === 'Dequantize' || xT.dtype === 'float32') {
      const q = ctx.quantized(node.op === 'Dequantize' ? node.inputs[0] : node.outputs[0], ['int16']);
      const kernel = node.op === 'Dequantize' ? 'tfg_dequantize_s16_f32' : 'tfg_quantize_f32_s16';
      return { ...base, ...none, kernel, scale: Math.fround(q.quant.scale[0]), outputOffset: q.quant.zeroPoint[0] };
    }
    const x = ctx.quantized(node.inputs[0], INTEGER);
    const y = ctx.quantized(node.outputs[0], INTEGER);
    const m = quantizeMultiplier(Math.fround(x.quant.scale[0]) / Math.fround(y.quant.scale[0]));
    const { min, max } = dtypeRange(y.dtype);
    return {
      ...base,
      ...none,
      kernel: 'tfg_requantize',
      inputOffset: -x.quant.zeroPoint[0],
      multiplier: m.multiplier,
      shift: m.shift,
      outputOffset: y.quant.zeroPoint[0],
      min,
      max,
    };
  },
  emit(c, out) {
    const input = out.at(c.inputs[0]);
    const output = out.at(c.output);
    if (c.kernel === 'tfg_quantize_f32_s16') {
      out.line(`return tfg_quantize_f32_s16(${cPtr(input, 'float', false)}, ${c.size}, ${cFloat(c.scale)}, ${c.outputOffset}, ${cPtr(output, 'int16_t', true)});`);
      return;
    }
    if (c.kernel === 'tfg_dequantize_s16_f32') {
      out.line(`return tfg_dequantize_s16_f32(${cPtr(input, 'int16_t', false)}, ${c.size}, ${cFloat(c.scale)}, ${c.outputOffset}, ${cPtr(output, 'float', true)});`);
      return;
    }
    const params = {
      input_bytes: c.inputBytes,
      input_offset: c.inputOffset,
      multiplier: c.multiplier,
      shift: c.shift,
      output_bytes: c.outputBytes,
      output_offset: c.outputOffset,
      min: c.min,
      max: c.max,
    };
    out.line(`static const tfg_requantize_params params = ${cStruct(params)};`);
    out.line(`return tfg_requantize(&params, ${c.size}, ${input}, ${output});`);
  },
  vector: (c, inputs) => ({
    ints: [
      ['tfg_requantize', 'tfg_quantize_f32_s16', 'tfg_dequantize_s16_f32'].indexOf(c.kernel),
      c.size,
      c.inputBytes,
      c.inputOffset,
      c.multiplier,
      c.shift,
      c.outputBytes,
      c.outputOffset,
      c.min,
      c.max,
      floatBits(c.scale),
    ],
    blobs: [blobOf(inputs[0])],
  }),
});
