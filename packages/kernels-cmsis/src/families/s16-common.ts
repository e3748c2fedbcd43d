/**
 * What the 16-bit (int16x8) and recurrent families share: which nodes are theirs, symmetric int16 operands,
 * typed constant operands, element sizes of the byte-moving kernels.
 */
import { DType, Graph, Node, Tensor, viewAs } from '@tinyforge/ir';
import { LoweringContext, QuantTensor } from './family';

/** The node's first input is int16: a 16x8 node (the int8 families take the rest). */
export const takesInt16 = (graph: Graph, node: Node): boolean => graph.tensors[node.inputs[0]]?.dtype === 'int16';

/** The node's first input is float32. */
export const takesFloat32 = (graph: Graph, node: Node): boolean => graph.tensors[node.inputs[0]]?.dtype === 'float32';

/** An int16 tensor with one scale and zero point 0, as TFLite's 16x8 kernels require. */
export function symmetricInt16(ctx: LoweringContext, index: number): QuantTensor {
  const t = ctx.quantized(index, ['int16']);
  if (t.quant.zeroPoint[0] !== 0) ctx.fail('KERNEL_BAD_QUANTIZATION', `int16 tensor '${t.name}' must have zero point 0 (symmetric), got ${t.quant.zeroPoint[0]}`);
  return t;
}

/** A constant operand of one element type, as a typed array over its bytes. */
export function typedConstant<D extends 'int8' | 'int16' | 'int32' | 'int64' | 'float32'>(ctx: LoweringContext, t: Tensor, dtype: D, what: string) {
  if (t.dtype !== dtype || t.data === undefined) return ctx.fail('KERNEL_UNSUPPORTED_TYPE', `${what} '${t.name}' must be a constant ${dtype} tensor, got ${t.data === undefined ? 'a variable' : t.dtype}`);
  return viewAs(t.data as Uint8Array, dtype);
}

/** The tensor at input `position`, or undefined when the optional input is absent (-1). */
export function optionalInput(ctx: LoweringContext, position: number): Tensor | undefined {
  const i = ctx.node.inputs[position];
  return i === undefined || i < 0 ? undefined : ctx.tensor(i);
}

/** Bytes per element for the byte-moving kernels (1, 2 or 4). */
export function elementBytes(ctx: LoweringContext, t: Tensor): 1 | 2 | 4 {
  const bytes: Partial<Record<DType, 1 | 2 | 4>> = { int8: 1, uint8: 1, int16: 2, int32: 4, float32: 4 };
  return bytes[t.dtype] ?? ctx.fail('KERNEL_UNSUPPORTED_TYPE', `tensor '${t.name}' is ${t.dtype}; this kernel moves 1-, 2- or 4-byte elements`);
}

/** A 16x8 layer's bias: int64 (TFLite's default), int32 (a wrapping int32 accumulator, where allowed) or none. */
export interface Bias16 {
  b64?: BigInt64Array;
  b32?: Int32Array;
}

export function bias16(ctx: LoweringContext, position: number, int32Allowed: boolean): Bias16 {
  const t = optionalInput(ctx, position);
  if (t === undefined) return {};
  if (t.dtype === 'int64') return { b64: typedConstant(ctx, t, 'int64', 'bias') };
  if (t.dtype === 'int32' && int32Allowed) return { b32: typedConstant(ctx, t, 'int32', 'bias') };
  return ctx.fail('KERNEL_UNSUPPORTED_TYPE', `bias '${t.name}' is ${t.dtype}; this 16x8 kernel takes an int64${int32Allowed ? ' or int32' : ''} bias`);
}
