import {
  calculateInputRadius,
  expOnNegativeValues,
  getReciprocal,
  multiplyByQuantizedMultiplierGreaterThanOne,
  quantizeMultiplier,
  rescale,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul,
} from '../fixed-point';
import { Evaluate, KernelContext } from './context';

const SCALED_DIFF_INTEGER_BITS = 5;
const ACCUMULATION_INTEGER_BITS = 12;

/** Rows of the last axis: their length and count. */
function rows(ctx: KernelContext<'Softmax'>): { depth: number; outer: number } {
  const x = ctx.tensor(0);
  const depth = x.shape[x.shape.length - 1] ?? 1;
  const size = ctx.input<Float32Array>(0).length;
  return { depth, outer: depth === 0 ? 0 : size / depth };
}

/** SOFTMAX over the last axis, float32. */
export function floatSoftmax(ctx: KernelContext<'Softmax'>): Evaluate {
  const { depth, outer } = rows(ctx);
  const beta = ctx.node.attrs.beta;
  const input = ctx.input<Float32Array>(0);
  const output = ctx.outputArray<Float32Array>();
  return () => {
    for (let r = 0; r < outer; r++) {
      const base = r * depth;
      let max = -Infinity;
      for (let c = 0; c < depth; c++) max = Math.max(max, input[base + c]);
      let sum = 0;
      for (let c = 0; c < depth; c++) {
        const e = Math.exp((input[base + c] - max) * beta);
        output[base + c] = e;
        sum += Math.fround(e);
      }
      for (let c = 0; c < depth; c++) output[base + c] = output[base + c] / sum;
    }
  };
}

/** SOFTMAX over the last axis, int8 → int8 with TFLite's gemmlowp fixed-point exp path. */
export function int8Softmax(ctx: KernelContext<'Softmax'>): Evaluate {
  const { depth, outer } = rows(ctx);
  const beta = ctx.node.attrs.beta;
  const x = ctx.tensor(0);
  if (ctx.output.dtype !== 'int8') return ctx.unsupported(`no ${x.dtype} → ${ctx.output.dtype} kernel`);
  const inQ = ctx.quant(x);
  const outQ = ctx.quant(ctx.output);
  // TFLite's int8 kernel always writes 1/256 steps from -128; other output parameters would be silently wrong.
  if (outQ.scale !== 1 / 256 || outQ.zeroPoint !== -128) ctx.unsupported('int8 output must have scale 1/256 and zero point -128');
  // PreprocessSoftmaxScaling, then QuantizeMultiplierGreaterThanOne.
  const realMultiplier = Math.min(beta * inQ.scale * Math.pow(2, 31 - SCALED_DIFF_INTEGER_BITS), 2147483647);
  const { multiplier, shift: leftShift } = quantizeMultiplier(realMultiplier);
  if (realMultiplier <= 1 || leftShift < 0) ctx.unsupported(`beta × input scale ${realMultiplier} is too small for the fixed-point path`);
  const diffMin = -calculateInputRadius(SCALED_DIFF_INTEGER_BITS, leftShift);
  const input = ctx.input<Int8Array>(0);
  const output = ctx.outputArray<Int8Array>();
  const exps = new Int32Array(depth);
  return () => {
    for (let r = 0; r < outer; r++) {
      const base = r * depth;
      let max = -128;
      for (let c = 0; c < depth; c++) if (input[base + c] > max) max = input[base + c];
      let sumOfExps = 0;
      for (let c = 0; c < depth; c++) {
        const diff = input[base + c] - max;
        if (diff >= diffMin) {
          const scaledDiff = multiplyByQuantizedMultiplierGreaterThanOne(diff, multiplier, leftShift);
          exps[c] = expOnNegativeValues(scaledDiff, SCALED_DIFF_INTEGER_BITS);
          sumOfExps = (sumOfExps + rescale(exps[c], 0, ACCUMULATION_INTEGER_BITS)) | 0;
        }
      }
      const { reciprocal, numBitsOverUnit } = getReciprocal(sumOfExps, ACCUMULATION_INTEGER_BITS);
      for (let c = 0; c < depth; c++) {
        const diff = input[base + c] - max;
        if (diff >= diffMin) {
          const unsat = roundingDivideByPOT(saturatingRoundingDoublingHighMul(reciprocal, exps[c]), numBitsOverUnit + 31 - 8);
          const v = unsat - 128;
          output[base + c] = v > 127 ? 127 : v < -128 ? -128 : v;
        } else output[base + c] = -128;
      }
    }
  };
}
