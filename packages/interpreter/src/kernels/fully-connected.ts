import { elementCount, NodeOf } from '@tinyforge/ir';
import { multiplyByQuantizedMultiplier } from '../fixed-point';
import { floatActivationRange, layerMultipliers, quantizedActivationRange } from '../quant-params';
import { Evaluate, KernelContext } from './context';
import { constantArray, floatWeights } from './weights';

/** FULLY_CONNECTED: [rows, in] × [out, in]ᵀ; float (also hybrid int8 weights) and int8 per-tensor or per-channel. */
export function prepareFullyConnected(ctx: KernelContext): Evaluate {
  const node = ctx.node as NodeOf<'FullyConnected'>;
  const x = ctx.tensor(0);
  const w = ctx.tensor(1);
  const [outDim, inDim] = w.shape;
  const rows = elementCount(x.shape) / inDim;
  const input = ctx.input<Float32Array | Int8Array>(0);
  if (x.dtype === 'float32') {
    const range = floatActivationRange(node.attrs.activation) ?? ctx.unsupported(`fused ${node.attrs.activation} is not supported`);
    const weights = floatWeights(ctx, w, 0);
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
  if (x.dtype !== 'int8') return ctx.unsupported(`no ${x.dtype} kernel`);
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
