import { multiplyByQuantizedMultiplier } from '../fixed-point';
import { floatActivationRange, perChannelMultipliers, quantizedActivationRange, Range } from '../quant-params';
import { Evaluate, KernelContext } from './context';
import { WindowGeometry, windowGeometry } from './geometry';
import { constantArray, floatWeights } from './weights';

function depthwiseShape(ctx: KernelContext<'DepthwiseConv2D'>): { g: WindowGeometry; m: number } {
  const x = ctx.tensor(0);
  const w = ctx.tensor(1);
  const g = windowGeometry(x.shape, w.shape[1], w.shape[2], w.shape[3], ctx.node.attrs);
  const m = ctx.node.attrs.depthMultiplier;
  if (g.outC !== g.inC * m) ctx.unsupported(`filter has ${g.outC} channels, expected ${g.inC} × ${m}`);
  return { g, m };
}

/**
 * DEPTHWISE_CONV_2D: output channel c·M + m reads input channel c. The filter taps are the outer loops and the
 * channels the inner one, so both the input and the [1, Kh, Kw, C·M] filter are read contiguously. Float (also
 * hybrid int8 weights).
 */
export function floatDepthwiseConv2D(ctx: KernelContext<'DepthwiseConv2D'>): Evaluate {
  const { g, m } = depthwiseShape(ctx);
  const node = ctx.node;
  const range = floatActivationRange(node.attrs.activation) ?? ctx.unsupported(`fused ${node.attrs.activation} is not supported`);
  const bias = ctx.hasInput(2) ? (constantArray(ctx, 2) as Float32Array) : new Float32Array(g.outC);
  const run = depthwiseLoop(g, m, ctx.input<Float32Array>(0), floatWeights(ctx, ctx.tensor(1), 3), 0);
  const output = ctx.outputArray<Float32Array>();
  return () =>
    run((o, oc, acc) => {
      const v = Math.fround(acc) + bias[oc];
      output[o] = v < range.min ? range.min : v > range.max ? range.max : v;
    });
}

/** DEPTHWISE_CONV_2D, int8 with per-channel requantization. */
export function int8DepthwiseConv2D(ctx: KernelContext<'DepthwiseConv2D'>): Evaluate {
  const { g, m } = depthwiseShape(ctx);
  const node = ctx.node;
  const w = ctx.tensor(1);
  const out = ctx.output;
  if (w.dtype !== 'int8' || out.dtype !== 'int8' || w.quant === undefined) ctx.unsupported('int8 depthwise needs quantized int8 weights and output');
  const inQ = ctx.quant(ctx.tensor(0));
  const outQ = ctx.quant(out);
  const { multipliers, shifts } = perChannelMultipliers(inQ.scale, w.quant!.scale, outQ.scale, g.outC);
  const range: Range =
    quantizedActivationRange(node.attrs.activation, 'int8', outQ.scale, outQ.zeroPoint) ?? ctx.unsupported(`fused ${node.attrs.activation} is not supported`);
  const bias = ctx.hasInput(2) ? (constantArray(ctx, 2) as Int32Array) : new Int32Array(g.outC);
  const run = depthwiseLoop(g, m, ctx.input<Int8Array>(0), constantArray(ctx, 1) as Int8Array, -inQ.zeroPoint);
  const output = ctx.outputArray<Int8Array>();
  const zp = outQ.zeroPoint;
  return () =>
    run((o, oc, acc) => {
      const v = multiplyByQuantizedMultiplier((acc + bias[oc]) | 0, multipliers[oc], shifts[oc]) + zp;
      output[o] = v < range.min ? range.min : v > range.max ? range.max : v;
    });
}

type Finish = (outIndex: number, outChannel: number, acc: number) => void;

/** The shared accumulation loop (float, int8 and 16x8); `finish` turns each accumulator into an output element. */
export function depthwiseLoop(
  g: WindowGeometry,
  m: number,
  input: Float32Array | Int8Array | Int16Array,
  weights: Float32Array | Int8Array,
  inputOffset: number,
): (finish: Finish) => void {
  const acc = new Float64Array(g.outC);
  return (finish) => {
    let o = 0;
    for (let b = 0; b < g.batch; b++) {
      for (let oy = 0; oy < g.outH; oy++) {
        const iy0 = oy * g.strideH - g.padTop;
        for (let ox = 0; ox < g.outW; ox++) {
          const ix0 = ox * g.strideW - g.padLeft;
          acc.fill(0);
          for (let ky = 0; ky < g.filterH; ky++) {
            const iy = iy0 + ky * g.dilationH;
            if (iy < 0 || iy >= g.inH) continue;
            for (let kx = 0; kx < g.filterW; kx++) {
              const ix = ix0 + kx * g.dilationW;
              if (ix < 0 || ix >= g.inW) continue;
              const xi = ((b * g.inH + iy) * g.inW + ix) * g.inC;
              const wi = (ky * g.filterW + kx) * g.outC;
              if (m === 1) {
                for (let c = 0; c < g.inC; c++) acc[c] += (input[xi + c] + inputOffset) * weights[wi + c];
              } else {
                for (let c = 0; c < g.inC; c++) {
                  const xv = input[xi + c] + inputOffset;
                  for (let j = 0; j < m; j++) acc[c * m + j] += xv * weights[wi + c * m + j];
                }
              }
            }
          }
          for (let oc = 0; oc < g.outC; oc++) finish(o++, oc, acc[oc]);
        }
      }
    }
  };
}
