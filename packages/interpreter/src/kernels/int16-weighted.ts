import { elementCount, Tensor } from '@tinyforge/ir';
import { multiplyByQuantizedMultiplier } from '../fixed-point';
import { multiplyByQuantizedMultiplierInt64 } from '../int16-fixed-point';
import { layerMultipliers, perChannelMultipliers, quantizedActivationRange, Range } from '../quant-params';
import { Evaluate, KernelContext } from './context';
import { depthwiseLoop } from './depthwise-conv2d';
import { WindowGeometry, windowGeometry } from './geometry';
import { constantArray } from './weights';

/**
 * CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED on int16 activations with int8 weights (TFLite's 16x8 kernels).
 * Activations are symmetric (zero point 0). The accumulator has the bias's width: an int64 bias (the 16x8 default)
 * adds in 64 bits and rescales with the int64 MultiplyByQuantizedMultiplier; an int32 bias (conv and fully connected
 * only, as TFLite Micro allows) accumulates in a wrapping int32 and rescales with the int32 one.
 */

type WeightedOp = 'Conv2D' | 'DepthwiseConv2D' | 'FullyConnected';

/** Per-tensor parameters of an int16 activation, which must be symmetric. */
function int16Quant(ctx: KernelContext, t: Tensor): { scale: number } {
  if (t.dtype !== 'int16') ctx.unsupported(`'${t.name}' is ${t.dtype}, the 16x8 kernel needs int16`);
  const q = ctx.quant(t);
  if (q.zeroPoint !== 0) ctx.unsupported(`int16 tensor '${t.name}' must have zero point 0 (symmetric), got ${q.zeroPoint}`);
  return q;
}

/** Turns channel `c`'s accumulator (an exact integer in a double) into the clamped output value. */
type Requantize = (acc: number, c: number) => number;

/** The shared preparation: weights, multipliers, clamp and bias handling of one 16x8 layer. */
function prepare(ctx: KernelContext<WeightedOp>, channels: number, int32BiasAllowed: boolean): { requantize: Requantize; weights: Int8Array } {
  const w = ctx.tensor(1);
  if (w.dtype !== 'int8' || w.quant === undefined) ctx.unsupported('16x8 layers need quantized int8 weights');
  const wq = w.quant!;
  if (wq.zeroPoint.some((z) => z !== 0)) ctx.unsupported('int8 weights must have zero point 0 (TFLite spec)');
  const inQ = int16Quant(ctx, ctx.tensor(0));
  const outQ = int16Quant(ctx, ctx.output);
  const { multipliers, shifts } =
    ctx.node.op === 'FullyConnected' ? layerMultipliers('FullyConnected', inQ.scale, wq.scale, outQ.scale, channels) : perChannelMultipliers(inQ.scale, wq.scale, outQ.scale, channels);
  const activation = ctx.node.attrs.activation;
  const range: Range = quantizedActivationRange(activation, 'int16', outQ.scale, 0) ?? ctx.unsupported(`fused ${activation} is not supported`);
  const clamp = (v: number): number => (v < range.min ? range.min : v > range.max ? range.max : v);
  const weights = constantArray(ctx, 1) as Int8Array;
  if (!ctx.hasInput(2) || ctx.tensor(2).dtype === 'int64') {
    const bias = ctx.hasInput(2) ? (constantArray(ctx, 2) as BigInt64Array) : new BigInt64Array(channels);
    return { weights, requantize: (acc, c) => clamp(multiplyByQuantizedMultiplierInt64(acc, bias[c], multipliers[c], shifts[c])) };
  }
  const b = ctx.tensor(2);
  if (b.dtype !== 'int32' || !int32BiasAllowed) ctx.unsupported(`bias '${b.name}' is ${b.dtype}; this 16x8 kernel takes an int64${int32BiasAllowed ? ' or int32' : ''} bias`);
  const bias = constantArray(ctx, 2) as Int32Array;
  return { weights, requantize: (acc, c) => clamp(multiplyByQuantizedMultiplier(((acc | 0) + bias[c]) | 0, multipliers[c], shifts[c])) };
}

/** CONV_2D 16x8 (reference_integer_ops::ConvPerChannel for int16 input), grouped when the filter is narrower. */
export function int16Conv2D(ctx: KernelContext<'Conv2D'>): Evaluate {
  const x = ctx.tensor(0);
  const w = ctx.tensor(1);
  const g = windowGeometry(x.shape, w.shape[1], w.shape[2], w.shape[0], ctx.node.attrs);
  const filterC = w.shape[3];
  const groups = g.inC / filterC;
  if (!Number.isInteger(groups) || g.outC % groups !== 0) ctx.unsupported(`input channels ${g.inC} do not split into groups of ${filterC}`);
  const { requantize, weights } = prepare(ctx, g.outC, true);
  const input = ctx.input<Int16Array>(0);
  const output = ctx.outputArray<Int16Array>();
  const run = convLoop(g, filterC, g.outC / groups, input, weights);
  return () => run((o, oc, acc) => (output[o] = requantize(acc, oc)));
}

/** DEPTHWISE_CONV_2D 16x8: TFLite Micro's int16 depthwise takes an int64 bias only. */
export function int16DepthwiseConv2D(ctx: KernelContext<'DepthwiseConv2D'>): Evaluate {
  const x = ctx.tensor(0);
  const w = ctx.tensor(1);
  const m = ctx.node.attrs.depthMultiplier;
  const g = windowGeometry(x.shape, w.shape[1], w.shape[2], w.shape[3], ctx.node.attrs);
  if (g.outC !== g.inC * m) ctx.unsupported(`filter has ${g.outC} channels, expected ${g.inC} × ${m}`);
  const { requantize, weights } = prepare(ctx, g.outC, false);
  const run = depthwiseLoop(g, m, ctx.input<Int16Array>(0), weights, 0);
  const output = ctx.outputArray<Int16Array>();
  return () => run((o, oc, acc) => (output[o] = requantize(acc, oc)));
}

/** FULLY_CONNECTED 16x8, per-tensor or per-channel weights. */
export function int16FullyConnected(ctx: KernelContext<'FullyConnected'>): Evaluate {
  const [outDim, inDim] = ctx.tensor(1).shape;
  const rows = elementCount(ctx.tensor(0).shape) / inDim;
  const { requantize, weights } = prepare(ctx, outDim, true);
  const input = ctx.input<Int16Array>(0);
  const output = ctx.outputArray<Int16Array>();
  return () => {
    for (let r = 0; r < rows; r++) {
      const xi = r * inDim;
      for (let o = 0; o < outDim; o++) {
        const wi = o * inDim;
        let acc = 0;
        for (let i = 0; i < inDim; i++) acc += input[xi + i] * weights[wi + i];
        output[r * outDim + o] = requantize(acc, o);
      }
    }
  };
}

type Finish = (outIndex: number, outChannel: number, acc: number) => void;

/** The (grouped) convolution's accumulation, in a double (exact for 16x8 products); `finish` writes each output. */
function convLoop(g: WindowGeometry, filterC: number, outPerGroup: number, input: Int16Array, weights: Int8Array): (finish: Finish) => void {
  return (finish) => {
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
            finish(o++, oc, acc);
          }
        }
      }
    }
  };
}
