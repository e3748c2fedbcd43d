import { multiplyByQuantizedMultiplier, quantizeMultiplier, roundHalfAway } from '../fixed-point';
import { dtypeRange } from '../quant-params';
import { Evaluate, KernelContext } from './context';

/** QUANTIZE's output parameters, its integer range and its array. */
function quantizedOutput(ctx: KernelContext): { outQ: { scale: number; zeroPoint: number }; min: number; max: number; output: Int8Array } {
  const out = ctx.output;
  const outQ = ctx.quant(out);
  const { min, max } = dtypeRange(out.dtype);
  return { outQ, min, max, output: ctx.outputArray<Int8Array>() };
}

/** QUANTIZE float → int (TFLite AffineQuantize, float32 division). */
export function quantizeFloat(ctx: KernelContext): Evaluate {
  const { outQ, min, max, output } = quantizedOutput(ctx);
  const n = output.length;
  const input = ctx.input<Float32Array>(0);
  const scale = outQ.scale;
  const zp = outQ.zeroPoint;
  return () => {
    for (let i = 0; i < n; i++) {
      const v = roundHalfAway(Math.fround(input[i] / scale)) + zp;
      output[i] = v < min ? min : v > max ? max : v;
    }
  };
}

/** QUANTIZE int → int (int8, uint8, int16, quantized int32, either way): requantization to the output's parameters. */
export function requantize(ctx: KernelContext): Evaluate {
  const { outQ, min, max, output } = quantizedOutput(ctx);
  const n = output.length;
  const inQ = ctx.quant(ctx.tensor(0));
  const m = quantizeMultiplier(inQ.scale / outQ.scale);
  const input = ctx.input<Int8Array>(0);
  return () => {
    for (let i = 0; i < n; i++) {
      const v = multiplyByQuantizedMultiplier((input[i] - inQ.zeroPoint) | 0, m.multiplier, m.shift) + outQ.zeroPoint;
      output[i] = v < min ? min : v > max ? max : v;
    }
  };
}

/** DEQUANTIZE: scale · (q − zero point), computed in double and stored as float32 (as TFLM does). */
export function dequantize(ctx: KernelContext): Evaluate {
  const x = ctx.tensor(0);
  const { scale, zeroPoint } = ctx.quant(x);
  const input = ctx.input<Int8Array>(0);
  const output = ctx.outputArray<Float32Array>();
  return () => {
    for (let i = 0; i < output.length; i++) output[i] = scale * (input[i] - zeroPoint);
  };
}
