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

/**
 * SOFTMAX over the last axis, int8 → int8 or int8 → int16 with TFLite's gemmlowp fixed-point exp path: the output
 * is 1/2^bits steps from the type's minimum.
 */
export function int8Softmax(ctx: KernelContext<'Softmax'>): Evaluate {
  const { depth, outer } = rows(ctx);
  const beta = ctx.node.attrs.beta;
  const x = ctx.tensor(0);
  const int16Out = ctx.output.dtype === 'int16';
  if (ctx.output.dtype !== 'int8' && !int16Out) return ctx.unsupported(`no ${x.dtype} → ${ctx.output.dtype} kernel`);
  const inQ = ctx.quant(x);
  const outQ = ctx.quant(ctx.output);
  // TFLite's kernel always writes these steps; other output parameters would be silently wrong. (TFLite Micro checks
  // the int16 scale to within 0.1 %, the int8 one exactly.)
  if (int16Out && (Math.abs(outQ.scale - 1 / 65536) > 0.001 / 65536 || outQ.zeroPoint !== -32768)) ctx.unsupported('int16 output must have scale 1/65536 and zero point -32768');
  if (!int16Out && (outQ.scale !== 1 / 256 || outQ.zeroPoint !== -128)) ctx.unsupported('int8 output must have scale 1/256 and zero point -128');
  const outBits = int16Out ? 16 : 8;
  const outMin = int16Out ? -32768 : -128;
  const outMax = int16Out ? 32767 : 127;
  // PreprocessSoftmaxScaling, then QuantizeMultiplierGreaterThanOne.
  const realMultiplier = Math.min(beta * inQ.scale * Math.pow(2, 31 - SCALED_DIFF_INTEGER_BITS), 2147483647);
  const { multiplier, shift: leftShift } = quantizeMultiplier(realMultiplier);
  if (realMultiplier <= 1 || leftShift < 0) ctx.unsupported(`beta × input scale ${realMultiplier} is too small for the fixed-point path`);
  const diffMin = -calculateInputRadius(SCALED_DIFF_INTEGER_BITS, leftShift);
  const input = ctx.input<Int8Array>(0);
  const output = ctx.outputArray<Int8Array | Int16Array>();
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
          const unsat = roundingDivideByPOT(saturatingRoundingDoublingHighMul(reciprocal, exps[c]), numBitsOverUnit + 31 - outBits);
          const v = unsat + outMin;
          output[base + c] = v > outMax ? outMax : v < outMin ? outMin : v;
        } else output[base + c] = outMin;
      }
    }
  };
}
