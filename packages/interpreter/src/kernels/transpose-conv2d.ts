import { transposeConvPadding, TransposeConvAttrs } from '@tinyforge/ir';
import { multiplyByQuantizedMultiplier } from '../fixed-point';
import { multiplyByQuantizedMultiplierInt64 } from '../int16-fixed-point';
import { floatActivationRange, perChannelMultipliers, quantizedActivationRange } from '../quant-params';
import { Evaluate, KernelContext } from './context';
import { WindowGeometry } from './geometry';
import { constantArray, floatWeights } from './weights';

/** The geometry of a transposed convolution: input, filter, output, strides and where its windows start. */
function transposeGeometry(ctx: KernelContext<'TransposeConv2D'>): WindowGeometry {
  const [batch, inH, inW, inC] = ctx.tensor(0).shape;
  const [outC, filterH, filterW] = ctx.tensor(1).shape;
  const a: TransposeConvAttrs = ctx.node.attrs;
  const pad = transposeConvPadding(a, filterH, filterW);
  return { batch, inH, inW, inC, outH: a.outputH, outW: a.outputW, outC, filterH, filterW, strideH: a.strideH, strideW: a.strideW, dilationH: 1, dilationW: 1, padTop: pad.top, padLeft: pad.left };
}

/**
 * TFLite's scatter: every input element adds input × filter to the outputs its window covers, in TFLite's loop
 * order (batch, input y, x, channel, filter y, x, output channel), so that float sums round as TFLite's do. The
 * 16x8 kernel sums in a Float64Array: int16 × int8 products (< 2^22, exact after fround) and their sums stay exact
 * integers there.
 */
function scatter(g: WindowGeometry, input: ArrayLike<number>, inputOffset: number, weights: ArrayLike<number>, acc: Float32Array | Int32Array | Float64Array): void {
  acc.fill(0);
  for (let b = 0; b < g.batch; b++) {
    for (let iy = 0; iy < g.inH; iy++) {
      for (let ix = 0; ix < g.inW; ix++) {
        for (let ic = 0; ic < g.inC; ic++) {
          const v = input[((b * g.inH + iy) * g.inW + ix) * g.inC + ic] + inputOffset;
          const oy0 = iy * g.strideH - g.padTop;
          const ox0 = ix * g.strideW - g.padLeft;
          for (let ky = 0; ky < g.filterH; ky++) {
            const oy = oy0 + ky;
            if (oy < 0 || oy >= g.outH) continue;
            for (let kx = 0; kx < g.filterW; kx++) {
              const ox = ox0 + kx;
              if (ox < 0 || ox >= g.outW) continue;
              const o = ((b * g.outH + oy) * g.outW + ox) * g.outC;
              for (let oc = 0; oc < g.outC; oc++) acc[o + oc] += Math.fround(v * weights[((oc * g.filterH + ky) * g.filterW + kx) * g.inC + ic]);
            }
          }
        }
      }
    }
  }
}

/** TRANSPOSE_CONV, float (reference_ops::TransposeConv, then bias and the fused activation's clamp). */
export function floatTransposeConv2D(ctx: KernelContext<'TransposeConv2D'>): Evaluate {
  const g = transposeGeometry(ctx);
  const range = floatActivationRange(ctx.node.attrs.activation) ?? ctx.unsupported(`fused ${ctx.node.attrs.activation} is not supported`);
  const weights = floatWeights(ctx, ctx.tensor(1), 0);
  const bias = ctx.hasInput(2) ? (constantArray(ctx, 2) as Float32Array) : undefined;
  const input = ctx.input<Float32Array>(0);
  const output = ctx.outputArray<Float32Array>();
  const { min, max } = range;
  return () => {
    scatter(g, input, 0, weights, output);
    for (let i = 0; i < output.length; i++) {
      const v = bias === undefined ? output[i] : Math.fround(output[i] + bias[i % g.outC]);
      output[i] = v < min ? min : v > max ? max : v;
    }
  };
}

/** TRANSPOSE_CONV, int8 with per-channel requantization (reference_integer_ops::TransposeConv). */
export function int8TransposeConv2D(ctx: KernelContext<'TransposeConv2D'>): Evaluate {
  const g = transposeGeometry(ctx);
  const w = ctx.tensor(1);
  const out = ctx.output;
  if (w.dtype !== 'int8' || out.dtype !== 'int8') ctx.unsupported('int8 transpose conv needs int8 weights and output');
  if (w.quant === undefined) ctx.unsupported(`weights '${w.name}' are not quantized`);
  if (w.quant!.zeroPoint.some((z) => z !== 0)) ctx.unsupported('int8 weights must have zero point 0 (TFLite spec)');
  const inQ = ctx.quant(ctx.tensor(0));
  const outQ = ctx.quant(out);
  const { multipliers, shifts } = perChannelMultipliers(inQ.scale, w.quant!.scale, outQ.scale, g.outC);
  const range = quantizedActivationRange(ctx.node.attrs.activation, 'int8', outQ.scale, outQ.zeroPoint) ?? ctx.unsupported(`fused ${ctx.node.attrs.activation} is not supported`);
  const weights = constantArray(ctx, 1) as Int8Array;
  const bias = ctx.hasInput(2) ? (constantArray(ctx, 2) as Int32Array) : undefined;
  const input = ctx.input<Int8Array>(0);
  const output = ctx.outputArray<Int8Array>();
  const scratch = new Int32Array(output.length);
  const { min, max } = range;
  return () => {
    scatter(g, input, -inQ.zeroPoint, weights, scratch);
    for (let i = 0; i < output.length; i++) {
      const c = i % g.outC;
      const acc = bias === undefined ? scratch[i] : (scratch[i] + bias[c]) | 0;
      const v = multiplyByQuantizedMultiplier(acc, multipliers[c], shifts[c]) + outQ.zeroPoint;
      output[i] = v < min ? min : v > max ? max : v;
    }
  };
}

/**
 * TRANSPOSE_CONV 16x8 (reference_integer_ops::TransposeConv for int16 input): symmetric int16 activations, int8
 * weights, an int64 bias (or none), the sum exact in 64 bits, then the int64 MultiplyByQuantizedMultiplier.
 */
export function int16TransposeConv2D(ctx: KernelContext<'TransposeConv2D'>): Evaluate {
  const g = transposeGeometry(ctx);
  const x = ctx.tensor(0);
  const w = ctx.tensor(1);
  const out = ctx.output;
  if (w.dtype !== 'int8' || out.dtype !== 'int16') ctx.unsupported('16x8 transpose conv needs int8 weights and an int16 output');
  if (w.quant === undefined) ctx.unsupported(`weights '${w.name}' are not quantized`);
  if (w.quant!.zeroPoint.some((z) => z !== 0)) ctx.unsupported('int8 weights must have zero point 0 (TFLite spec)');
  const inQ = ctx.quant(x);
  const outQ = ctx.quant(out);
  for (const [t, q] of [[x, inQ], [out, outQ]] as const) if (q.zeroPoint !== 0) ctx.unsupported(`int16 tensor '${t.name}' must have zero point 0 (symmetric), got ${q.zeroPoint}`);
  if (ctx.hasInput(2) && ctx.tensor(2).dtype !== 'int64') ctx.unsupported(`bias '${ctx.tensor(2).name}' is ${ctx.tensor(2).dtype}; 16x8 TRANSPOSE_CONV takes an int64 bias`);
  const { multipliers, shifts } = perChannelMultipliers(inQ.scale, w.quant!.scale, outQ.scale, g.outC);
  const range = quantizedActivationRange(ctx.node.attrs.activation, 'int16', outQ.scale, 0) ?? ctx.unsupported(`fused ${ctx.node.attrs.activation} is not supported`);
  const weights = constantArray(ctx, 1) as Int8Array;
  const bias = ctx.hasInput(2) ? (constantArray(ctx, 2) as BigInt64Array) : new BigInt64Array(g.outC);
  const input = ctx.input<Int16Array>(0);
  const output = ctx.outputArray<Int16Array>();
  const sums = new Float64Array(output.length);
  const { min, max } = range;
  return () => {
    scatter(g, input, 0, weights, sums);
    for (let i = 0; i < output.length; i++) {
      const c = i % g.outC;
      const v = multiplyByQuantizedMultiplierInt64(sums[i], bias[c], multipliers[c], shifts[c]);
      output[i] = v < min ? min : v > max ? max : v;
    }
  };
}
