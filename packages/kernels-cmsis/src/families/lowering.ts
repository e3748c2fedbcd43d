/** Helpers the families' lowerings share: shapes as NHWC dims, constant operands, per-channel multipliers. */
import { Quantization, Tensor, constantInts, viewAs } from '@tinyforge/ir';
import { perChannelMultipliers } from '@tinyforge/interpreter';
import { Dims4, LoweringContext } from './family';

type Fail = LoweringContext['fail'];

export const elementCount = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);

/** A rank-4 NHWC shape as dims. */
export function dims4(shape: readonly number[], name: string, fail: Fail): Dims4 {
  if (shape.length !== 4) fail('KERNEL_BAD_SHAPE', `tensor '${name}' has rank ${shape.length}, expected 4 (NHWC)`);
  const [n, h, w, c] = shape;
  return { n, h, w, c };
}

/** A shape of rank <= 4 right-aligned to NHWC (the leading axes 1). */
export function rightAligned(shape: readonly number[], name: string, fail: Fail): Dims4 {
  if (shape.length > 4) fail('KERNEL_BAD_SHAPE', `tensor '${name}' has rank ${shape.length}; kernels take rank <= 4`);
  const [n, h, w, c] = [1, 1, 1, 1, ...shape].slice(-4);
  return { n, h, w, c };
}

/** Right-align a shape to rank 4 (numpy broadcasting) after checking it is not longer than the output's. */
export function broadcastDims(shape: readonly number[], outRank: number, name: string, fail: Fail): Dims4 {
  if (shape.length > 4 || shape.length > outRank) fail('KERNEL_BAD_SHAPE', `tensor '${name}' rank ${shape.length}`);
  return rightAligned(shape, name, fail);
}

export function int8Constant(t: Tensor, fail: Fail): Int8Array {
  if (t.dtype !== 'int8' || t.data === undefined) fail('KERNEL_UNSUPPORTED_TYPE', `weights '${t.name}' must be constant int8`);
  return viewAs(t.data as Uint8Array, 'int8');
}

export function int32Constant(t: Tensor, fail: Fail): Int32Array {
  if (t.dtype !== 'int32' || t.data === undefined) fail('KERNEL_UNSUPPORTED_TYPE', `bias '${t.name}' must be constant int32`);
  return viewAs(t.data as Uint8Array, 'int32');
}

/** The optional bias operand at `position` (absent or -1: none). */
export function optionalBias(ctx: LoweringContext, position: number): Int32Array | undefined {
  const index = ctx.node.inputs[position];
  return index !== undefined && index >= 0 ? int32Constant(ctx.tensor(index), ctx.fail) : undefined;
}

/** The integer values of a constant operand (paddings, permutations, axes). */
export function constantOperand(ctx: LoweringContext, index: number): number[] {
  const t = ctx.tensor(index);
  if (t.data === undefined) ctx.fail('KERNEL_UNSUPPORTED_OP', `operand '${t.name}' must be constant`);
  return constantInts(t);
}

/** TFLite's per-channel multipliers and shifts for symmetric weights with 1 or `channels` scales. */
export function perChannel(
  inputScale: number,
  wq: Quantization | undefined,
  outputScale: number,
  channels: number,
  name: string,
  fail: Fail,
): { multipliers: Int32Array; shifts: Int32Array } {
  if (wq === undefined || (wq.scale.length !== 1 && wq.scale.length !== channels)) {
    return fail('KERNEL_BAD_QUANTIZATION', `weights '${name}' need 1 or ${channels} scales`);
  }
  if (wq.zeroPoint.some((z) => z !== 0)) fail('KERNEL_BAD_QUANTIZATION', `weights '${name}' must be symmetric`);
  return perChannelMultipliers(inputScale, wq.scale, outputScale, channels);
}
