import { calculateInputRadius, frexp, logisticFixed, multiplyByQuantizedMultiplier, roundHalfAway, roundingDivideByPOT, tanhFixed } from '../fixed-point';
import { Evaluate, KernelContext } from './context';

const INPUT_INTEGER_BITS = 4;

/** LOGISTIC (1 / (1 + e^−x)) and TANH on float32: the element function. */
export const floatPointwise =
  (f: (v: number) => number) =>
  (ctx: KernelContext): Evaluate => {
    const input = ctx.input<Float32Array>(0);
    const output = ctx.outputArray<Float32Array>();
    const n = output.length;
    return () => {
      for (let i = 0; i < n; i++) output[i] = f(input[i]);
    };
  };

export const logistic = (v: number): number => 1 / (1 + Math.exp(-v));

/**
 * LOGISTIC and TANH on int8 through gemmlowp's fixed-point logistic/tanh on a Q4 input. Like TFLite, the int8
 * outputs have fixed parameters: logistic 1/256 from -128, tanh 1/128 around 0.
 */
export const int8LogisticTanh =
  (fn: 'logistic' | 'tanh') =>
  (ctx: KernelContext): Evaluate => {
    const isTanh = fn === 'tanh';
    const x = ctx.tensor(0);
    const n = ctx.outputArray<Int8Array>().length;
    const inQ = ctx.quant(x);
    const outQ = ctx.quant(ctx.output);
    const expected = isTanh ? { scale: 1 / 128, zeroPoint: 0 } : { scale: 1 / 256, zeroPoint: -128 };
    if (outQ.scale !== expected.scale || outQ.zeroPoint !== expected.zeroPoint) {
      ctx.unsupported(`int8 output must have scale ${expected.scale} and zero point ${expected.zeroPoint}`);
    }
    // Prepare as TFLM does: the input scale brought to Q4 as a multiplier with a (left) shift, and the input radius
    // beyond which the output saturates.
    const { mantissa, exponent: shift } = frexp(inQ.scale * (1 << (31 - INPUT_INTEGER_BITS)));
    const multiplier = roundHalfAway(mantissa * 2147483648);
    const radius = calculateInputRadius(INPUT_INTEGER_BITS, shift);
    const input = ctx.input<Int8Array>(0);
    const out = ctx.outputArray<Int8Array>();
    const zp = inQ.zeroPoint;
    return () => {
      for (let i = 0; i < n; i++) {
        const v = input[i] - zp;
        if (v <= -radius) out[i] = -128;
        else if (v >= radius) out[i] = 127;
        else {
          const q4 = multiplyByQuantizedMultiplier(v, multiplier, shift);
          let r: number;
          if (isTanh) r = roundingDivideByPOT(tanhFixed(q4, INPUT_INTEGER_BITS), 24);
          else r = roundingDivideByPOT(logisticFixed(q4, INPUT_INTEGER_BITS), 23) - 128;
          out[i] = r < -128 ? -128 : r > 127 ? 127 : r;
        }
      }
    };
  };
