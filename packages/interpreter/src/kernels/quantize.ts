import { multiplyByQuantizedMultiplier, quantizeMultiplier, roundHalfAway } from '../fixed-point';
import { dtypeRange } from '../quant-params';
import { Evaluate, KernelContext } from './context';

/** QUANTIZE: float → int (TFLite AffineQuantize, float32 division) or int → int requantization. */
export function prepareQuantize(ctx: KernelContext): Evaluate {
  const x = ctx.tensor(0);
  const out = ctx.output;
  const outQ = ctx.quant(out);
  const { min, max } = dtypeRange(out.dtype);
  const output = ctx.outputArray<Int8Array>();
  const n = output.length;
  if (x.dtype === 'float32') {
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
  if (x.dtype !== 'int8' && x.dtype !== 'uint8' && x.dtype !== 'int16') return ctx.unsupported(`no ${x.dtype} input kernel`);
  const inQ = ctx.quant(x);
  const m = quantizeMultiplier(inQ.scale / outQ.scale);
  const input = ctx.input<Int8Array>(0);
  return () => {
    for (let i = 0; i < n; i++) {
      const v = multiplyByQuantizedMultiplier(input[i] - inQ.zeroPoint, m.multiplier, m.shift) + outQ.zeroPoint;
      output[i] = v < min ? min : v > max ? max : v;
    }
  };
}

/** DEQUANTIZE: scale · (q − zero point), computed in double and stored as float32 (as TFLM does). */
export function prepareDequantize(ctx: KernelContext): Evaluate {
  const x = ctx.tensor(0);
  const { scale, zeroPoint } = ctx.quant(x);
  const input = ctx.input<Int8Array>(0);
  const output = ctx.outputArray<Float32Array>();
  return () => {
    for (let i = 0; i < output.length; i++) output[i] = scale * (input[i] - zeroPoint);
  };
}
