/** Quantize float32 → int8 and Dequantize int8 → float32 (TFLite's AffineQuantize and dequantization). */
import { blobOf, cFloat, floatBits } from './c-text';
import { CallBase, defineFamily } from './family';
import { elementCount } from './lowering';

export interface QuantizeCall extends CallBase {
  kernel: 'tfg_quantize_f32_s8' | 'tfg_dequantize_s8_f32';
  size: number;
  /** The int8 side's float32 scale and zero point. */
  scale: number;
  zeroPoint: number;
}

export const quantizeFamily = defineFamily<QuantizeCall>({
  name: 'quantize',
  ops: ['Quantize', 'Dequantize'],
  kernels: { tfg_quantize_f32_s8: 11, tfg_dequantize_s8_f32: 12 },
  lower(ctx) {
    const { node } = ctx;
    const quantize = node.op === 'Quantize';
    const fp = ctx.tensor(quantize ? node.inputs[0] : node.outputs[0]);
    const q = ctx.activation(quantize ? node.outputs[0] : node.inputs[0]);
    if (fp.dtype !== 'float32') ctx.fail('KERNEL_UNSUPPORTED_TYPE', `${node.op} between ${fp.dtype} and int8 has no kernel`);
    return {
      kernel: quantize ? 'tfg_quantize_f32_s8' : 'tfg_dequantize_s8_f32',
      node: node.name,
      output: node.outputs[0],
      inputs: [node.inputs[0]],
      size: elementCount(q.shape),
      scale: Math.fround(q.quant.scale[0]),
      zeroPoint: q.quant.zeroPoint[0],
    };
  },
  emit(c, out) {
    const input = out.at(c.inputs[0]);
    const output = out.at(c.output);
    if (c.kernel === 'tfg_quantize_f32_s8') {
      out.line(`return tfg_quantize_f32_s8((const float *)(const void *)(${input}), ${c.size}, ${cFloat(c.scale)}, ${c.zeroPoint}, ${output});`);
    } else {
      out.line(`return tfg_dequantize_s8_f32(${input}, ${c.size}, ${cFloat(c.scale)}, ${c.zeroPoint}, (float *)(void *)(${output}));`);
    }
  },
  vector: (c, inputs) => ({ ints: [c.size, floatBits(c.scale), c.zeroPoint], blobs: [blobOf(inputs[0])] }),
});
