import { elementCount } from '@tinyforge/ir';
import { multiplyByQuantizedMultiplier } from '../fixed-point';
import { floatActivationRange, layerMultipliers, quantizedActivationRange } from '../quant-params';
import { Evaluate, KernelContext } from './context';
import { constantArray, floatWeights } from './weights';

/** FULLY_CONNECTED's matrix sizes: [rows, in] × [out, in]ᵀ. */
function matrixShape(ctx: KernelContext<'FullyConnected'>): { rows: number; inDim: number; outDim: number } {
  const [outDim, inDim] = ctx.tensor(1).shape;
  return { rows: elementCount(ctx.tensor(0).shape) / inDim, inDim, outDim };
}

/** FULLY_CONNECTED, float (also hybrid int8 weights, dequantized once). */
export function floatFullyConnected(ctx: KernelContext<'FullyConnected'>): Evaluate {
  const node = ctx.node;
  const { rows, inDim, outDim } = matrixShape(ctx);
  const input = ctx.input<Float32Array>(0);
  const range = floatActivationRange(node.attrs.activation) ?? ctx.unsupported(`fused ${node.attrs.activation} is not supported`);
  const weights = floatWeights(ctx, ctx.tensor(1), 0);
  const bias = ctx.hasInput(2) ? (constantArray(ctx, 2) as Float32Array) : new Float32Array(outDim);
  const output = ctx.outputArray<Float32Array>();
  return () => {
    for (let r = 0; r < rows; r++) {
      const xi = r * inDim;
      for (let o = 0; o < outDim; o++) {
        const wi = o * inDim;
        let acc = 0;
        for (let i = 0; i < inDim; i++) acc += input[xi + i] * weights[wi + i];
        const v = Math.fround(acc) + bias[o];
        output[r * outDim + o] = v < range.min ? range.min : v > range.max ? range.max : v;
      }
    }
  };
}

/** FULLY_CONNECTED, int8 with per-tensor or per-channel weights. */
export function int8FullyConnected(ctx: KernelContext<'FullyConnected'>): Evaluate {
  const node = ctx.node;
  const { rows, inDim, outDim } = matrixShape(ctx);
  const x = ctx.tensor(0);
  const w = ctx.tensor(1);
  const input = ctx.input<Int8Array>(0);
  if (w.dtype !== 'int8' || ctx.output.dtype !== 'int8' || w.quant === undefined) ctx.unsupported('int8 fully connected needs quantized int8 weights and output');
  const inQ = ctx.quant(x);
  const outQ = ctx.quant(ctx.output);
  const wq = w.quant!;
  const { multipliers, shifts } = layerMultipliers('FullyConnected', inQ.scale, wq.scale, outQ.scale, outDim);
  if (wq.scale.length > 1 && wq.zeroPoint.some((z) => z !== 0)) ctx.unsupported('per-channel weights must have zero point 0');
  const filterOffset = -wq.zeroPoint[0];
  const range = quantizedActivationRange(node.attrs.activation, 'int8', outQ.scale, outQ.zeroPoint) ?? ctx.unsupported(`fused ${node.attrs.activation} is not supported`);
  const weights = constantArray(ctx, 1) as Int8Array;
  const bias = ctx.hasInput(2) ? (constantArray(ctx, 2) as Int32Array) : new Int32Array(outDim);
  const output = ctx.outputArray<Int8Array>();
  const inputOffset = -inQ.zeroPoint;
  const zp = outQ.zeroPoint;
  return () => {
    for (let r = 0; r < rows; r++) {
      const xi = r * inDim;
      for (let o = 0; o < outDim; o++) {
        const wi = o * inDim;
        let acc = 0;
        for (let i = 0; i < inDim; i++) acc += (input[xi + i] + inputOffset) * (weights[wi + i] + filterOffset);
        const v = multiplyByQuantizedMultiplier((acc + bias[o]) | 0, multipliers[o], shifts[o]) + zp;
        output[r * outDim + o] = v < range.min ? range.min : v > range.max ? range.max : v;
      }
    }
  };
}
