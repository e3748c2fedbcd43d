import { OpAttrMap, OpType } from '@tinyforge/ir';
import { multiplyByQuantizedMultiplier, quantizeMultiplier, roundHalfAway } from '../fixed-point';
import { dtypeRange } from '../quant-params';
import { Evaluate, KernelContext } from './context';

/** The real interval an op clamps to, from its attributes (RELU: [0, ∞), RELU6: [0, 6], CLIP: its own). */
export type ClampBounds<K extends OpType> = (attrs: OpAttrMap[K]) => [lo: number, hi: number];

/** RELU, RELU6, CLIP on float32: clamp every element to the op's bounds. */
export const floatClamp =
  <K extends OpType>(bounds: ClampBounds<K>) =>
  (ctx: KernelContext<K>): Evaluate => {
    const [lo, hi] = bounds(ctx.node.attrs);
    const input = ctx.input<Float32Array>(0);
    const output = ctx.outputArray<Float32Array>();
    return () => {
      for (let i = 0; i < output.length; i++) output[i] = input[i] < lo ? lo : input[i] > hi ? hi : input[i];
    };
  };

/** The quantized input and output parameters, and a real value quantized to the output (float32 division, as TFLM). */
function int8Params(ctx: KernelContext): { inQ: Quant; outQ: Quant; quantizeOut: (f: number) => number } {
  const inQ = ctx.quant(ctx.tensor(0));
  const outQ = ctx.quant(ctx.output);
  return { inQ, outQ, quantizeOut: (f) => outQ.zeroPoint + roundHalfAway(Math.fround(f / outQ.scale)) };
}

type Quant = { scale: number; zeroPoint: number };

/** RELU6 / CLIP on int8 clamp in place; TFLM requires input and output to share their parameters. */
export const int8Clamp =
  <K extends OpType>(bounds: ClampBounds<K>) =>
  (ctx: KernelContext<K>): Evaluate => {
    const { inQ, outQ, quantizeOut } = int8Params(ctx);
    if (inQ.scale !== outQ.scale || inQ.zeroPoint !== outQ.zeroPoint) ctx.unsupported('int8 needs the same scale and zero point in and out');
    const full = dtypeRange('int8');
    const [realLo, realHi] = bounds(ctx.node.attrs);
    const lo = Math.max(full.min, quantizeOut(realLo));
    const hi = Math.min(full.max, quantizeOut(realHi));
    const input = ctx.input<Int8Array>(0);
    const output = ctx.outputArray<Int8Array>();
    return () => {
      for (let i = 0; i < output.length; i++) output[i] = input[i] < lo ? lo : input[i] > hi ? hi : input[i];
    };
  };

/** RELU on int8 (TFLM ReluQuantized): rescale by the float32 ratio of scales, then clamp at the output's zero. */
export function int8Relu(ctx: KernelContext<'Relu'>): Evaluate {
  const { inQ, outQ, quantizeOut } = int8Params(ctx);
  const full = dtypeRange('int8');
  const m = quantizeMultiplier(Math.fround(inQ.scale / outQ.scale));
  const lo = Math.max(full.min, quantizeOut(0));
  const input = ctx.input<Int8Array>(0);
  const output = ctx.outputArray<Int8Array>();
  return () => {
    for (let i = 0; i < output.length; i++) {
      const v = outQ.zeroPoint + multiplyByQuantizedMultiplier(input[i] - inQ.zeroPoint, m.multiplier, m.shift);
      output[i] = v < lo ? lo : v > full.max ? full.max : v;
    }
  };
}

/** LEAKY_RELU on float32: x, or alpha·x below zero. */
export function floatLeakyRelu(ctx: KernelContext<'LeakyRelu'>): Evaluate {
  const alpha = Math.fround(ctx.node.attrs.alpha);
  const input = ctx.input<Float32Array>(0);
  const output = ctx.outputArray<Float32Array>();
  return () => {
    for (let i = 0; i < output.length; i++) output[i] = input[i] >= 0 ? input[i] : input[i] * alpha;
  };
}

/**
 * LEAKY_RELU on int8 or int16 (TFLite's QuantizeLeakyRelu): one multiplier for the identity part, one for alpha; a
 * negative alpha is applied as its magnitude's multiplier with the result negated.
 */
export function quantizedLeakyRelu(ctx: KernelContext<'LeakyRelu'>): Evaluate {
  const { inQ, outQ } = int8Params(ctx);
  if (ctx.output.dtype !== ctx.tensor(0).dtype) ctx.unsupported(`no ${ctx.tensor(0).dtype} → ${ctx.output.dtype} kernel`);
  const full = dtypeRange(ctx.output.dtype);
  const alpha = quantizeMultiplier(Math.fround(Math.fround(inQ.scale * Math.fround(ctx.node.attrs.alpha)) / outQ.scale));
  const alphaSign = alpha.multiplier < 0 ? -1 : 1;
  const alphaMultiplier = Math.abs(alpha.multiplier);
  const identity = quantizeMultiplier(Math.fround(inQ.scale / outQ.scale));
  const input = ctx.input<Int8Array | Int16Array>(0);
  const output = ctx.outputArray<Int8Array | Int16Array>();
  return () => {
    for (let i = 0; i < output.length; i++) {
      const v0 = input[i] - inQ.zeroPoint;
      const scaled = v0 >= 0 ? multiplyByQuantizedMultiplier(v0, identity.multiplier, identity.shift) : alphaSign * multiplyByQuantizedMultiplier(v0, alphaMultiplier, alpha.shift);
      const v = outQ.zeroPoint + scaled;
      output[i] = v < full.min ? full.min : v > full.max ? full.max : v;
    }
  };
}
