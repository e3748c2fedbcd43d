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

/** CONV_2D, float (also hybrid int8 weights, dequantized once). */
export function floatConv2D(ctx: KernelContext<'Conv2D'>): Evaluate {
  const { g, filterC, groups } = convShape(ctx);
  const node = ctx.node;
  const range = floatActivationRange(node.attrs.activation) ?? ctx.unsupported(`fused ${node.attrs.activation} is not supported`);
  const weights = floatWeights(ctx, ctx.tensor(1), 0);
  const bias = ctx.hasInput(2) ? (constantArray(ctx, 2) as Float32Array) : new Float32Array(g.outC);
  const input = ctx.input<Float32Array>(0);
  const output = ctx.outputArray<Float32Array>();
  const outPerGroup = g.outC / groups;
  const { min, max } = range;
  return () => {
    let o = 0;
    for (let b = 0; b < g.batch; b++) {
      for (let oy = 0; oy < g.outH; oy++) {
        const iy0 = oy * g.strideH - g.padTop;
        for (let ox = 0; ox < g.outW; ox++) {
          const ix0 = ox * g.strideW - g.padLeft;
          for (let oc = 0; oc < g.outC; oc++) {
            const channelBase = Math.floor(oc / outPerGroup) * filterC;
            let acc = 0;
            for (let ky = 0; ky < g.filterH; ky++) {
              const iy = iy0 + ky * g.dilationH;
              if (iy < 0 || iy >= g.inH) continue;
              for (let kx = 0; kx < g.filterW; kx++) {
                const ix = ix0 + kx * g.dilationW;
                if (ix < 0 || ix >= g.inW) continue;
                const xi = ((b * g.inH + iy) * g.inW + ix) * g.inC + channelBase;
                const wi = ((oc * g.filterH + ky) * g.filterW + kx) * filterC;
                for (let c = 0; c < filterC; c++) acc += input[xi + c] * weights[wi + c];
              }
            }
            const v = Math.fround(acc) + bias[oc];
            output[o++] = v < min ? min : v > max ? max : v;
          }
        }
      }
    }
  };
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
  const weights = constantArray(ctx, 1) as Int8Array;
  const bias = ctx.hasInput(2) ? (constantArray(ctx, 2) as Int32Array) : new Int32Array(g.outC);
  const input = ctx.input<Int8Array>(0);
  const output = ctx.outputArray<Int8Array>();
  const inputOffset = -inQ.zeroPoint;
  const outputOffset = outQ.zeroPoint;
  const outPerGroup = g.outC / groups;
  const { min, max } = range;
  return () => {
    let o = 0;
    for (let b = 0; b < g.batch; b++) {
      for (let oy = 0; oy < g.outH; oy++) {
        const iy0 = oy * g.strideH - g.padTop;
        for (let ox = 0; ox < g.outW; ox++) {
          const ix0 = ox * g.strideW - g.padLeft;
          for (let oc = 0; oc < g.outC; oc++) {
            const channelBase = Math.floor(oc / outPerGroup) * filterC;
            let acc = 0;
            for (let ky = 0; ky < g.filterH; ky++) {
              const iy = iy0 + ky * g.dilationH;
              if (iy < 0 || iy >= g.inH) continue;
              for (let kx = 0; kx < g.filterW; kx++) {
                const ix = ix0 + kx * g.dilationW;
                if (ix < 0 || ix >= g.inW) continue;
                const xi = ((b * g.inH + iy) * g.inW + ix) * g.inC + channelBase;
                const wi = ((oc * g.filterH + ky) * g.filterW + kx) * filterC;
                for (let c = 0; c < filterC; c++) acc += (input[xi + c] + inputOffset) * weights[wi + c];
              }
            }
            let v = multiplyByQuantizedMultiplier((acc + bias[oc]) | 0, multipliers[oc], shifts[oc]) + outputOffset;
            v = v < min ? min : v > max ? max : v;
            output[o++] = v;
          }
        }
      }
    }
  };
}
