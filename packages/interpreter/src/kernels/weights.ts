import { AnyTypedArray, dequantizeValues, Tensor, viewAs } from '@tinyforge/ir';
import { KernelContext } from './context';

/**
 * Float weights for a float node: float32 as they are, int8 (hybrid / dynamic-range models) dequantized once with
 * their per-tensor or per-axis scale. Hybrid results are the float math on dequantized weights, not TFLite's
 * dynamic input quantization.
 */
export function floatWeights(ctx: KernelContext, t: Tensor, axis: number): Float32Array {
  if (t.data === undefined) ctx.unsupported(`weights '${t.name}' must be constant`);
  if (t.dtype === 'float32') return viewAs(t.data!, 'float32');
  if (t.dtype !== 'int8' || t.quant === undefined) ctx.unsupported(`float node needs float32 or quantized int8 weights, got ${t.dtype}`);
  const q = t.quant!;
  // float32 scales, as TFLite stores them
  return dequantizeValues(viewAs(t.data!, 'int8'), t.shape, { scale: q.scale.map(Math.fround), zeroPoint: q.zeroPoint }, axis);
}

/** A constant operand's values as a typed array (bias, weights), or an error naming the node. */
export function constantArray(ctx: KernelContext, position: number): AnyTypedArray {
  const t = ctx.tensor(position);
  if (t.data === undefined) ctx.unsupported(`input ${position} ('${t.name}') must be a constant`);
  return viewAs(t.data!, t.dtype);
}
