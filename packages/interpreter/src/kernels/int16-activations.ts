import { multiplyByQuantizedMultiplier, quantizeMultiplier } from '../fixed-point';
import { checkedLog2, int16ActivationInputScaling, logisticInt16, lookupInt16, populateInt16Lut, tanhInt16 } from '../int16-fixed-point';
import { Evaluate, KernelContext } from './context';
import { meanLoop } from './mean';

/** LOGISTIC, TANH, SOFTMAX and MEAN on int16 (symmetric) tensors, as TFLite Micro computes them. */

/** Per-tensor parameters of a symmetric int16 tensor. */
function symmetric(ctx: KernelContext, which: 'input' | 'output'): { scale: number } {
  const t = which === 'input' ? ctx.tensor(0) : ctx.output;
  if (t.dtype !== 'int16') ctx.unsupported(`${which} '${t.name}' is ${t.dtype}, the int16 kernel needs int16`);
  const q = ctx.quant(t);
  if (q.zeroPoint !== 0) ctx.unsupported(`int16 ${which} '${t.name}' must have zero point 0`);
  return q;
}

/**
 * LOGISTIC and TANH on int16: the input rescaled to the table's Q3.12·(4/3) domain, then the interpolated sigmoid
 * table (tanh through tanh(x) = 2σ(2x) − 1). The output is Q0.15: scale 2^-15.
 */
export const int16LogisticTanh =
  (fn: 'logistic' | 'tanh') =>
  (ctx: KernelContext): Evaluate => {
    const inQ = symmetric(ctx, 'input');
    const outQ = symmetric(ctx, 'output');
    const out = checkedLog2(outQ.scale);
    if (!out.isPowerOfTwo || out.log2 !== -15) ctx.unsupported(`int16 output must have scale 2^-15, got ${outQ.scale}`);
    const { multiplier, leftShift } = int16ActivationInputScaling(inQ.scale, fn);
    const f = fn === 'tanh' ? tanhInt16 : logisticInt16;
    const input = ctx.input<Int16Array>(0);
    const output = ctx.outputArray<Int16Array>();
    return () => {
      for (let i = 0; i < output.length; i++) output[i] = f(input[i], multiplier, leftShift);
    };
  };

/**
 * SOFTMAX int16 → int16 (TFLite's SoftmaxInt16): exp of the differences to the row maximum through a 513-entry
 * table over [-10, 0], the sum's reciprocal through a 1/(1 + x) table, output in Q0.15.
 */
export function int16Softmax(ctx: KernelContext<'Softmax'>): Evaluate {
  const inQ = symmetric(ctx, 'input');
  const outQ = symmetric(ctx, 'output');
  if (Math.abs(outQ.scale - 1 / 32768) > 0.001 / 32768) ctx.unsupported(`int16 output must have scale 1/32768, got ${outQ.scale}`);
  const range = 65535;
  const expLut = populateInt16Lut(10 / range, 32767, 2 / range, 0, (v) => Math.fround(Math.exp(v)));
  const reciprocalLut = populateInt16Lut(1 / range, -32768, 2 / range, 0, (v) => Math.fround(1 / Math.fround(1 + v)));
  // Differences to the row maximum, rescaled so that [-65535, 0] spans [-10, 0].
  const { multiplier, shift } = quantizeMultiplier((inQ.scale * ctx.node.attrs.beta) / (10 / 65535));
  const x = ctx.tensor(0);
  const depth = x.shape[x.shape.length - 1] ?? 1;
  const input = ctx.input<Int16Array>(0);
  const output = ctx.outputArray<Int16Array>();
  const outer = depth === 0 ? 0 : input.length / depth;
  const clamp16 = (v: number): number => (v < -32768 ? -32768 : v > 32767 ? 32767 : v);
  return () => {
    for (let r = 0; r < outer; r++) {
      const base = r * depth;
      let max = -32768;
      for (let c = 0; c < depth; c++) if (input[base + c] > max) max = input[base + c];
      let sum = 0; // Q16.15
      for (let c = 0; c < depth; c++) {
        const scaled = multiplyByQuantizedMultiplier(input[base + c] - max, multiplier, shift);
        output[base + c] = lookupInt16(clamp16(scaled + 32767), expLut);
        sum += output[base + c];
      }
      const headroomPlusOne = Math.clz32(sum);
      const shiftedSum = Math.floor((sum * 2 ** (headroomPlusOne - 1) + (1 << 13)) / 16384);
      // The table computes 1/(1 + x) for x = sum − 1, recentred from [0, 65535] to the int16 range.
      const reciprocal = lookupInt16(clamp16(shiftedSum - (1 << 15) - (1 << 16)), reciprocalLut);
      const rightShift = 31 - headroomPlusOne;
      const round = 2 ** (rightShift - 1);
      for (let c = 0; c < depth; c++) {
        const v = Math.floor((output[base + c] * reciprocal + round) / 2 ** rightShift);
        output[base + c] = v < 0 ? 0 : v > 32767 ? 32767 : v;
      }
    }
  };
}

/**
 * MEAN on int16 (TFLite Micro's QuantizedMeanOrSum): int32 sums, the input/output multiplier folded with 1/count
 * (shifted up by floor(log2 count), at most 32 and at most 31 + its shift, then divided), one rescale.
 */
export function int16Mean(ctx: KernelContext<'Mean'>): Evaluate {
  const inQ = ctx.quant(ctx.tensor(0));
  const outQ = ctx.quant(ctx.output);
  if (ctx.output.dtype !== 'int16') ctx.unsupported(`no int16 → ${ctx.output.dtype} kernel`);
  const { accumulate, sums, count } = meanLoop(ctx);
  const m = quantizeMultiplier(inQ.scale / outQ.scale);
  const shift = Math.min(31 - Math.clz32(count), 32, 31 + m.shift);
  const multiplier = Number((BigInt(m.multiplier) << BigInt(shift)) / BigInt(count));
  const outShift = m.shift - shift;
  const output = ctx.outputArray<Int16Array>();
  const zeroPointTimesCount = Math.imul(inQ.zeroPoint, count);
  return () => {
    accumulate(0);
    for (let o = 0; o < output.length; o++) {
      const v = multiplyByQuantizedMultiplier(((sums[o] | 0) - zeroPointTimesCount) | 0, multiplier, outShift) + outQ.zeroPoint;
      output[o] = v < -32768 ? -32768 : v > 32767 ? 32767 : v;
    }
  };
}
