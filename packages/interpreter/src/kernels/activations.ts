import { NodeOf } from '@tinyforge/ir';
import { multiplyByQuantizedMultiplier, quantizeMultiplier, roundHalfAway } from '../fixed-point';
import { dtypeRange } from '../quant-params';
import { Evaluate, KernelContext } from './context';

type ClampNode = NodeOf<'Relu'> | NodeOf<'Relu6'> | NodeOf<'Clip'> | NodeOf<'LeakyRelu'>;

/** RELU, RELU6, CLIP, LEAKY_RELU: float, and int8 with TFLM's reference arithmetic. */
export function prepareClampActivation(ctx: KernelContext): Evaluate {
  const node = ctx.node as ClampNode;
  const x = ctx.tensor(0);
  const input = ctx.input<Float32Array>(0);
  const output = ctx.outputArray<Float32Array>();
  const n = output.length;
  if (x.dtype === 'float32') {
    if (node.op === 'LeakyRelu') {
      const alpha = Math.fround(node.attrs.alpha);
      return () => {
        for (let i = 0; i < n; i++) output[i] = input[i] >= 0 ? input[i] : input[i] * alpha;
      };
    }
    const lo = node.op === 'Clip' ? node.attrs.min : 0;
    const hi = node.op === 'Clip' ? node.attrs.max : node.op === 'Relu6' ? 6 : Infinity;
    return () => {
      for (let i = 0; i < n; i++) output[i] = input[i] < lo ? lo : input[i] > hi ? hi : input[i];
    };
  }
  if (x.dtype !== 'int8') return ctx.unsupported(`no ${x.dtype} kernel`);
  const inQ = ctx.quant(x);
  const outQ = ctx.quant(ctx.output);
  const full = dtypeRange('int8');
  const quantizeOut = (f: number): number => outQ.zeroPoint + roundHalfAway(Math.fround(f / outQ.scale));
  if (node.op === 'LeakyRelu') {
    const alpha = quantizeMultiplier(Math.fround(Math.fround(inQ.scale * Math.fround(node.attrs.alpha)) / outQ.scale));
    const identity = quantizeMultiplier(Math.fround(inQ.scale / outQ.scale));
    return () => {
      for (let i = 0; i < n; i++) {
        const v0 = input[i] - inQ.zeroPoint;
        const m = v0 >= 0 ? identity : alpha;
        const v = outQ.zeroPoint + multiplyByQuantizedMultiplier(v0, m.multiplier, m.shift);
        output[i] = v < full.min ? full.min : v > full.max ? full.max : v;
      }
    };
  }
  if (node.op === 'Relu') {
    // TFLM ReluQuantized: rescale by the float32 ratio of scales, then clamp at the output's zero.
    const m = quantizeMultiplier(Math.fround(inQ.scale / outQ.scale));
    const lo = Math.max(full.min, quantizeOut(0));
    return () => {
      for (let i = 0; i < n; i++) {
        const v = outQ.zeroPoint + multiplyByQuantizedMultiplier(input[i] - inQ.zeroPoint, m.multiplier, m.shift);
        output[i] = v < lo ? lo : v > full.max ? full.max : v;
      }
    };
  }
  // RELU6 / CLIP in int8 clamp in place; TFLM requires input and output to share their parameters.
  if (inQ.scale !== outQ.scale || inQ.zeroPoint !== outQ.zeroPoint) ctx.unsupported('int8 needs the same scale and zero point in and out');
  const lo = Math.max(full.min, quantizeOut(node.op === 'Clip' ? node.attrs.min : 0));
  const hi = Math.min(full.max, quantizeOut(node.op === 'Clip' ? node.attrs.max : 6));
  return () => {
    for (let i = 0; i < n; i++) output[i] = input[i] < lo ? lo : input[i] > hi ? hi : input[i];
  };
}
