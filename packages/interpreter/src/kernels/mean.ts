import { constantInts } from '@tinyforge/ir';
import { multiplyByQuantizedMultiplier, quantizeMultiplier } from '../fixed-point';
import { Evaluate, KernelContext } from './context';
import { strides } from './pad';

/**
 * MEAN over constant axes. Int8 follows TFLite's integer mean: sum of (q − input zero point), rescale by
 * input/output scale, divide by the count rounding half away from zero, add the output zero point.
 */
export function meanLoop(ctx: KernelContext<'Mean'>): { accumulate: (offset: number) => void; sums: Float64Array; count: number } {
  const x = ctx.tensor(0);
  const rank = x.shape.length;
  const axes = new Set(constantInts(ctx.tensor(1)).map((a) => (a < 0 ? a + rank : a)));
  const reducedShape = x.shape.map((d, i) => (axes.has(i) ? 1 : d));
  const inStrides = strides(x.shape);
  const outStrides = strides(reducedShape);
  const input = ctx.input<Float32Array>(0);
  // Output position of every input element, computed once.
  const target = new Int32Array(input.length);
  for (let i = 0; i < input.length; i++) {
    let o = 0;
    for (let d = 0; d < rank; d++) if (!axes.has(d)) o += (Math.floor(i / inStrides[d]) % x.shape[d]) * outStrides[d];
    target[i] = o;
  }
  const output = ctx.outputArray<Float32Array>();
  const count = output.length === 0 ? 1 : input.length / output.length;
  const sums = new Float64Array(output.length);
  const accumulate = (offset: number): void => {
    sums.fill(0);
    for (let i = 0; i < input.length; i++) sums[target[i]] += input[i] - offset;
  };
  return { accumulate, sums, count };
}

/** MEAN on float32: the float32 sum divided by the count. */
export function floatMean(ctx: KernelContext<'Mean'>): Evaluate {
  const { accumulate, sums, count } = meanLoop(ctx);
  const output = ctx.outputArray<Float32Array>();
  return () => {
    accumulate(0);
    for (let o = 0; o < output.length; o++) output[o] = Math.fround(sums[o]) / count;
  };
}

/** MEAN on int8 (TFLite's integer mean). */
export function int8Mean(ctx: KernelContext<'Mean'>): Evaluate {
  const node = ctx.node;
  const x = ctx.tensor(0);
  const { accumulate, sums, count } = meanLoop(ctx);
  const output = ctx.outputArray<Int8Array>();
  if (!node.attrs.keepDims && ctx.output.shape.length === 0 && output.length !== 1) ctx.unsupported('inconsistent output');
  const inQ = ctx.quant(x);
  const outQ = ctx.quant(ctx.output);
  const m = quantizeMultiplier(inQ.scale / outQ.scale);
  const half = Math.floor(count / 2);
  return () => {
    accumulate(inQ.zeroPoint);
    for (let o = 0; o < output.length; o++) {
      const acc = multiplyByQuantizedMultiplier(sums[o], m.multiplier, m.shift);
      let v = (acc > 0 ? Math.trunc((acc + half) / count) : Math.trunc((acc - half) / count)) + outQ.zeroPoint;
      v = v < -128 ? -128 : v > 127 ? 127 : v;
      output[o] = v;
    }
  };
}
