import { multiplyByQuantizedMultiplier } from '../fixed-point';
import { floatActivationRange, perChannelMultipliers, quantizedActivationRange } from '../quant-params';
import { Evaluate, KernelContext } from './context';
import { WindowGeometry, windowGeometry } from './geometry';
import { constantArray, floatWeights } from './weights';

/** CONV_2D's window geometry and grouping (grouped when the filter has fewer channels than the input). */
function convShape(ctx: KernelContext<'Conv2D'>): { g: WindowGeometry; filterC: number; groups: number } {
  const x = ctx.tensor(0);
  const w = ctx.tensor(1);
  const g = windowGeometry(x.shape, w.shape[1], w.shape[2], w.shape[0], ctx.node.attrs);
  const filterC = w.shape[3];
  const groups = g.inC / filterC;
  if (!Number.isInteger(groups) || g.outC % groups !== 0) ctx.unsupported(`input channels ${g.inC} do not split into groups of ${filterC}`);
  return { g, filterC, groups };
}

type Finish = (outIndex: number, outChannel: number, acc: number) => void;

/**
 * The accumulation both CONV_2D kernels share, in TFLite's order (filter y, x, channel). For each output pixel and
 * group the window is gathered once into `patch` (input + offset; 0 where the window leaves the input, which adds
 * nothing, as TFLite's skipped taps), and each output channel of the group is one dot product with its OHWI filter
 * row. A grouped convolution's output channel o reads input channels ⌊o / (Co/groups)⌋·Ci/groups onward.
 */
function convLoop(g: WindowGeometry, filterC: number, groups: number, input: Float32Array | Int8Array, filter: ArrayLike<number>, inputOffset: number) {
  const patchLen = g.filterH * g.filterW * filterC;
  // One element type for both kernels (int8 products and sums are exact in a double), so the loop stays monomorphic.
  const patch = new Float64Array(patchLen);
  const weights = Float64Array.from(filter);
  const outPerGroup = g.outC / groups;
  return (finish: Finish): void => {
    let o = 0;
    for (let b = 0; b < g.batch; b++) {
      for (let oy = 0; oy < g.outH; oy++) {
        const iy0 = oy * g.strideH - g.padTop;
        for (let ox = 0; ox < g.outW; ox++) {
          const ix0 = ox * g.strideW - g.padLeft;
          for (let group = 0; group < groups; group++) {
            let p = 0;
            for (let ky = 0; ky < g.filterH; ky++) {
              const iy = iy0 + ky * g.dilationH;
              for (let kx = 0; kx < g.filterW; kx++) {
                const ix = ix0 + kx * g.dilationW;
                if (iy < 0 || iy >= g.inH || ix < 0 || ix >= g.inW) {
                  patch.fill(0, p, p + filterC);
                  p += filterC;
                  continue;
                }
                const xi = ((b * g.inH + iy) * g.inW + ix) * g.inC + group * filterC;
                for (let c = 0; c < filterC; c++) patch[p++] = input[xi + c] + inputOffset;
              }
            }
            // four output channels at a time share each patch load; each keeps its own sum in TFLite's order
            const end = (group + 1) * outPerGroup;
            let oc = group * outPerGroup;
            for (; oc + 4 <= end; oc += 4) {
              const w0 = oc * patchLen;
              const [w1, w2, w3] = [w0 + patchLen, w0 + 2 * patchLen, w0 + 3 * patchLen];
              let a0 = 0;
              let a1 = 0;
              let a2 = 0;
              let a3 = 0;
              for (let k = 0; k < patchLen; k++) {
                const v = patch[k];
                a0 += v * weights[w0 + k];
                a1 += v * weights[w1 + k];
                a2 += v * weights[w2 + k];
                a3 += v * weights[w3 + k];
              }
              finish(o + oc, oc, a0);
              finish(o + oc + 1, oc + 1, a1);
              finish(o + oc + 2, oc + 2, a2);
              finish(o + oc + 3, oc + 3, a3);
            }
            for (; oc < end; oc++) {
              const wi = oc * patchLen;
              let acc = 0;
              for (let k = 0; k < patchLen; k++) acc += patch[k] * weights[wi + k];
              finish(o + oc, oc, acc);
            }
          }
          o += g.outC;
        }
      }
    }
  };
}

/** CONV_2D, float (also hybrid int8 weights, dequantized once). */
export function floatConv2D(ctx: KernelContext<'Conv2D'>): Evaluate {
  const { g, filterC, groups } = convShape(ctx);
  const node = ctx.node;
  const range = floatActivationRange(node.attrs.activation) ?? ctx.unsupported(`fused ${node.attrs.activation} is not supported`);
  const bias = ctx.hasInput(2) ? (constantArray(ctx, 2) as Float32Array) : new Float32Array(g.outC);
  const run = convLoop(g, filterC, groups, ctx.input<Float32Array>(0), floatWeights(ctx, ctx.tensor(1), 0), 0);
  const output = ctx.outputArray<Float32Array>();
  const { min, max } = range;
  return () =>
    run((o, oc, acc) => {
      const v = Math.fround(acc) + bias[oc];
      output[o] = v < min ? min : v > max ? max : v;
    });
}

/** CONV_2D, int8 with per-channel requantization (TFLM ConvPerChannel). */
export function int8Conv2D(ctx: KernelContext<'Conv2D'>): Evaluate {
  const { g, filterC, groups } = convShape(ctx);
  const node = ctx.node;
  const w = ctx.tensor(1);
  const out = ctx.output;
  if (w.dtype !== 'int8' || out.dtype !== 'int8') ctx.unsupported('int8 conv needs int8 weights and output');
  const inQ = ctx.quant(ctx.tensor(0));
  const outQ = ctx.quant(out);
  if (w.quant === undefined) ctx.unsupported(`weights '${w.name}' are not quantized`);
  if (w.quant!.zeroPoint.some((z) => z !== 0)) ctx.unsupported('int8 weights must have zero point 0 (TFLite spec)');
  const { multipliers, shifts } = perChannelMultipliers(inQ.scale, w.quant!.scale, outQ.scale, g.outC);
  const range = quantizedActivationRange(node.attrs.activation, 'int8', outQ.scale, outQ.zeroPoint) ?? ctx.unsupported(`fused ${node.attrs.activation} is not supported`);
  const bias = ctx.hasInput(2) ? (constantArray(ctx, 2) as Int32Array) : new Int32Array(g.outC);
  const run = convLoop(g, filterC, groups, ctx.input<Int8Array>(0), constantArray(ctx, 1) as Int8Array, -inQ.zeroPoint);
  const output = ctx.outputArray<Int8Array>();
  const outputOffset = outQ.zeroPoint;
  const { min, max } = range;
  return () =>
    run((o, oc, acc) => {
      const v = multiplyByQuantizedMultiplier((acc + bias[oc]) | 0, multipliers[oc], shifts[oc]) + outputOffset;
      output[o] = v < min ? min : v > max ? max : v;
    });
}
