/**
 * Axis permutations and tensor layouts. The IR computes in NHWC; a 4-D graph input or output keeps the layout its
 * model declares (Tensor.layout), converted at the graph's boundary by an explicit Transpose (or a Reshape where
 * the permutation moves no bytes).
 */

/** The axis order of a 4-D graph input or output: NHWC (the IR's own) or NCHW (channels first). */
export type TensorLayout = 'NHWC' | 'NCHW';

/** nhwc = transpose(nchw, NCHW_TO_NHWC) */
export const NCHW_TO_NHWC: readonly number[] = [0, 2, 3, 1];
/** nchw = transpose(nhwc, NHWC_TO_NCHW) */
export const NHWC_TO_NCHW: readonly number[] = [0, 3, 1, 2];

/** `values` in the order `perm` picks them: out[i] = values[perm[i]] (a transpose's output shape). */
export function permute<T>(values: readonly T[], perm: readonly number[]): T[] {
  return perm.map((p) => values[p]);
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

export function isIdentityPerm(perm: readonly number[]): boolean {
  return perm.every((p, i) => p === i);
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
