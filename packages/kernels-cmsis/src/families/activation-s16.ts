/**
 * One-input functions of int16 tensors, computed per element (a 65536-entry table would not pay): LOGISTIC and
 * TANH (tfg_logistic_s16 / tfg_tanh_s16, Q0.15 out, TFLite's input scaling) and LEAKY_RELU (tfg_leaky_relu).
 */
import { NodeOf, elementCount } from '@tinyforge/ir';
import { checkedLog2, int16ActivationInputScaling, quantizeMultiplier } from '@tinyforge/interpreter';
import { blobOf, cPtr, cStruct } from './c-text';
import { CallBase, defineFamily } from './family';
import { symmetricInt16, takesInt16 } from './s16-common';

export interface ActivationS16Call extends CallBase {
  kernel: 'tfg_logistic_s16' | 'tfg_tanh_s16' | 'tfg_leaky_relu';
  size: number;
  /** Logistic/tanh: input multiplier (0: power-of-two path) and left shift. Leaky ReLU: the params below. */
  inputMultiplier: number;
  inputLeftShift: number;
  leaky?: {
    inputOffset: number;
    outputOffset: number;
    identityMultiplier: number;
    identityShift: number;
    alphaMultiplier: number;
    alphaShift: number;
    alphaSign: number;
  };
}

export const activationS16Family = defineFamily<ActivationS16Call>({
  name: 'activation-s16',
  ops: ['Logistic', 'Tanh', 'LeakyRelu'],
  takes: takesInt16,
  kernels: { tfg_logistic_s16: 21, tfg_tanh_s16: 21, tfg_leaky_relu: 21 },
  lower(ctx) {
    const { node } = ctx;
    const base = { node: node.name, output: node.outputs[0], inputs: [node.inputs[0]], size: elementCount(ctx.tensor(node.inputs[0]).shape) };
    if (node.op === 'LeakyRelu') {
      const x = ctx.quantized(node.inputs[0], ['int16']);
      const y = ctx.quantized(node.outputs[0], ['int16']);
      const [sx, sy] = [x, y].map((t) => Math.fround(t.quant.scale[0]));
      const f = Math.fround;
      const [alphaReal, identityReal] = [f(f(sx * f((node as NodeOf<'LeakyRelu'>).attrs.alpha)) / sy), f(sx / sy)];
      // TFLite computes both in float: scales whose ratio overflows it have no multiplier (no C value either).
      if (!Number.isFinite(alphaReal) || !Number.isFinite(identityReal)) {
        ctx.fail('KERNEL_BAD_QUANTIZATION', `int16 LeakyRelu: input scale ${sx}, alpha and output scale ${sy} give the multipliers ${identityReal} and ${alphaReal}, beyond float range`);
      }
      const alpha = quantizeMultiplier(alphaReal);
      const identity = quantizeMultiplier(identityReal);
      // TFLite scales x - zero point by (1 << shift) in int32 before the high multiply; where that product can pass
      // int32 (a multiplier far above 1) its result is undefined, so no engine has an answer to agree on.
      const zx = x.quant.zeroPoint[0];
      const widest = Math.max(Math.abs(-32768 - zx), Math.abs(32767 - zx));
      if (widest * 2 ** Math.max(alpha.shift, identity.shift, 0) > 2 ** 31 - 1) {
        ctx.fail('KERNEL_BAD_QUANTIZATION', `int16 LeakyRelu: input scale ${sx}, alpha and output scale ${sy} give the multipliers ${identityReal} and ${alphaReal}: input ${widest} scaled by them passes int32`);
      }
      const leaky = {
        inputOffset: -x.quant.zeroPoint[0],
        outputOffset: y.quant.zeroPoint[0],
        identityMultiplier: identity.multiplier,
        identityShift: identity.shift,
        alphaMultiplier: Math.abs(alpha.multiplier),
        alphaShift: alpha.shift,
        alphaSign: alpha.multiplier < 0 ? -1 : 1,
      };
      return { ...base, kernel: 'tfg_leaky_relu', inputMultiplier: 0, inputLeftShift: 0, leaky };
    }
    const x = symmetricInt16(ctx, node.inputs[0]);
    const y = symmetricInt16(ctx, node.outputs[0]);
    const out = checkedLog2(Math.fround(y.quant.scale[0]));
    if (!out.isPowerOfTwo || out.log2 !== -15) ctx.fail('KERNEL_BAD_QUANTIZATION', `int16 ${node.op} output must have scale 2^-15, got ${y.quant.scale[0]}`);
    const fn = node.op === 'Tanh' ? 'tanh' : 'logistic';
    const s = int16ActivationInputScaling(Math.fround(x.quant.scale[0]), fn);
    return { ...base, kernel: fn === 'tanh' ? 'tfg_tanh_s16' : 'tfg_logistic_s16', inputMultiplier: s.multiplier, inputLeftShift: s.leftShift };
  },
  inPlace: () => ({ inputPosition: 0, rule: { kind: 'same' } }),
  emit(c, out) {
    const input = out.at(c.inputs[0]);
    const output = out.at(c.output);
    if (c.leaky !== undefined) {
      const l = c.leaky;
      const params = {
        input_offset: l.inputOffset,
        output_offset: l.outputOffset,
        identity_multiplier: l.identityMultiplier,
        identity_shift: l.identityShift,
        alpha_multiplier: l.alphaMultiplier,
        alpha_shift: l.alphaShift,
        alpha_sign: l.alphaSign,
        element_bytes: 2,
      };
      out.line(`static const tfg_leaky_relu_params params = ${cStruct(params)};`);
      out.line(`return tfg_leaky_relu(&params, ${c.size}, ${input}, ${output});`);
      return;
    }
    out.line(`return ${c.kernel}(${c.size}, ${c.inputMultiplier}, ${c.inputLeftShift}, ${cPtr(input, 'int16_t', false)}, ${cPtr(output, 'int16_t', true)});`);
  },
  vector: (c, inputs) => {
    const l = c.leaky ?? { inputOffset: 0, outputOffset: 0, identityMultiplier: 0, identityShift: 0, alphaMultiplier: 0, alphaShift: 0, alphaSign: 0 };
    return {
      ints: [
        ['tfg_logistic_s16', 'tfg_tanh_s16', 'tfg_leaky_relu'].indexOf(c.kernel),
        c.size,
        c.inputMultiplier,
        c.inputLeftShift,
        l.inputOffset,
        l.outputOffset,
        l.identityMultiplier,
        l.identityShift,
        l.alphaMultiplier,
        l.alphaShift,
        l.alphaSign,
      ],
      blobs: [blobOf(inputs[0])],
    };
  },
});
