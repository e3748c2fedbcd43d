/**
 * NCHW (ONNX) ↔ NHWC (IR) layout rules of the importer: every 4-D tensor inside the IR graph is NHWC, every tensor
 * of another rank keeps ONNX's order. So an ONNX shape and an IR shape determine each other. A graph input or output
 * is the exception: it keeps the shape its model declares (Tensor.layout), converted by an explicit Transpose.
 * The permutation helpers are ir's (one place for them).
 */
import { NCHW_TO_NHWC, NHWC_TO_NCHW, permute } from '@tinyforge/ir';

export { composePerms, inversePerm, isDataPreservingPerm, NCHW_TO_NHWC, NHWC_TO_NCHW, permute, transposeData } from '@tinyforge/ir';

export function irShapeFromOnnx(dims: readonly number[]): number[] {
  return dims.length === 4 ? permute(dims, NCHW_TO_NHWC) : [...dims];
}

export function onnxShapeFromIr(shape: readonly number[]): number[] {
  return shape.length === 4 ? permute(shape, NHWC_TO_NCHW) : [...shape];
}

/** Where an ONNX axis of a rank-`rank` tensor lives in the IR tensor. */
export function irAxisFromOnnx(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  return rank === 4 ? NHWC_TO_NCHW[a] : a;
}

export function onnxAxisFromIr(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  return rank === 4 ? NCHW_TO_NHWC[a] : a;
}
