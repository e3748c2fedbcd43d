/**
 * NCHW (ONNX) ↔ NHWC (IR) layout helpers. The rule of the importer: every 4-D tensor of the IR graph is NHWC, every
 * tensor of another rank keeps ONNX's order. So an ONNX shape and an IR shape determine each other.
 */

/** nhwc = transpose(nchw, NCHW_TO_NHWC) */
export const NCHW_TO_NHWC = [0, 2, 3, 1];
/** nchw = transpose(nhwc, NHWC_TO_NCHW) */
export const NHWC_TO_NCHW = [0, 3, 1, 2];

export function permute<T>(values: readonly T[], perm: readonly number[]): T[] {
  return perm.map((p) => values[p]);
}

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

/** transpose(transpose(x, first), second) == transpose(x, composePerms(first, second)) */
export function composePerms(first: readonly number[], second: readonly number[]): number[] {
  return second.map((s) => first[s]);
}

export function inversePerm(perm: readonly number[]): number[] {
  const inv: number[] = [];
  perm.forEach((p, i) => (inv[p] = i));
  return inv;
}

/** A transpose that only moves size-1 dimensions does not move data: a reshape does the same. */
export function isDataPreservingPerm(shape: readonly number[], perm: readonly number[]): boolean {
  const moved = perm.filter((p) => shape[p] !== 1);
  return moved.every((p, i) => i === 0 || moved[i - 1] < p);
}

/** Transpose raw little-endian element data of the given shape. */
export function transposeData(data: Uint8Array, shape: readonly number[], perm: readonly number[], elementBytes: number): Uint8Array {
  const rank = shape.length;
  const outShape = permute(shape, perm);
  const inStrides = new Array<number>(rank).fill(1);
  for (let i = rank - 2; i >= 0; i--) inStrides[i] = inStrides[i + 1] * shape[i + 1];
  const stridesInOutOrder = permute(inStrides, perm);
  const out = new Uint8Array(data.length);
  const index = new Array<number>(rank).fill(0);
  const total = data.length / elementBytes;
  for (let o = 0; o < total; o++) {
    let src = 0;
    for (let d = 0; d < rank; d++) src += index[d] * stridesInOutOrder[d];
    out.set(data.subarray(src * elementBytes, (src + 1) * elementBytes), o * elementBytes);
    for (let d = rank - 1; d >= 0; d--) {
      if (++index[d] < outShape[d]) break;
      index[d] = 0;
    }
  }
  return out;
}
