import { quantizeMultiplier, roundingDivideByPOT } from '../fixed-point';
import { Evaluate, KernelContext } from './context';

/** gemmlowp's int16 SaturatingRoundingDoublingHighMul. */
function srdhm16(a: number, b: number): number {
  if (a === -32768 && b === -32768) return 32767;
  const ab = a * b;
  return Math.trunc((ab + (ab >= 0 ? 1 << 14 : 1 - (1 << 14))) / (1 << 15));
}

/** HARD_SWISH's non-rounding int16 doubling high multiply. */
function doublingHighMul16(a: number, b: number): number {
  if (a === -32768 && b === -32768) return 32767;
  return (Math.trunc((a * b) / (1 << 15)) << 16) >> 16;
}

function saturatingLeftShift16(v: number, amount: number): number {
  const r = v * (1 << amount);
  return r < -32768 ? -32768 : r > 32767 ? 32767 : r;
}

/** DownScaleInt32ToInt16Multiplier. */
function toInt16Multiplier(m: number): number {
  return m >= 2147483647 - (1 << 15) ? 32767 : (m + (1 << 15)) >> 16;
}

/** HARD_SWISH on float32: x·relu6(x+3)/6. */
export function floatHardSwish(ctx: KernelContext): Evaluate {
  const input = ctx.input<Float32Array>(0);
  const output = ctx.outputArray<Float32Array>();
  return () => {
    for (let i = 0; i < output.length; i++) {
      const v = input[i];
      output[i] = (v * Math.min(6, Math.max(0, v + 3))) / 6;
    }
  };
}

/** HARD_SWISH on int8 with TFLite's int16 fixed-point reference arithmetic. */
export function int8HardSwish(ctx: KernelContext): Evaluate {
  const x = ctx.tensor(0);
  const n = ctx.outputArray<Int8Array>().length;
  const inQ = ctx.quant(x);
  const outQ = ctx.quant(ctx.output);
  // Float32 arithmetic exactly as the C++ prepare step.
  const hiresInputScale = Math.fround(Math.fround(1 / 128) * inQ.scale);
  const reluishScale = Math.fround(3 / 32768);
  const outM = quantizeMultiplier(Math.fround(hiresInputScale / outQ.scale));
  if (outM.shift > 0) ctx.unsupported('output scale too small for the int8 hard-swish kernel');
  const reluM = quantizeMultiplier(Math.fround(hiresInputScale / reluishScale));
  const outMul16 = toInt16Multiplier(outM.multiplier);
  const reluMul16 = toInt16Multiplier(reluM.multiplier);
  const input = ctx.input<Int8Array>(0);
  const out = ctx.outputArray<Int8Array>();
  return () => {
    for (let i = 0; i < n; i++) {
      const hires = (input[i] - inQ.zeroPoint) * 128;
      const preshift = srdhm16(hires, outMul16);
      let reluish = hires;
      if (reluM.shift > 0) reluish = saturatingLeftShift16(reluish, reluM.shift - 1);
      reluish = srdhm16(reluish, reluMul16);
      if (reluM.shift > 0) reluish = saturatingLeftShift16(reluish, 1);
      if (reluM.shift < 0) reluish = roundingDivideByPOT(reluish, -reluM.shift);
      reluish = (reluish + (1 << 15)) >> 1;
      let v = roundingDivideByPOT(doublingHighMul16(reluish, preshift), -outM.shift) + outQ.zeroPoint;
      v = (v << 16) >> 16;
      out[i] = v < -128 ? -128 : v > 127 ? 127 : v;
    }
  };
}
