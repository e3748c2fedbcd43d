import { elementCount } from '@tinyforge/ir';

/**
 * For each element of a broadcast output, the flat index it reads in an input of shape `inShape`; undefined when
 * the input already has the output's shape (read it 1:1). Computed once in preparation.
 */
export function broadcastIndex(inShape: readonly number[], outShape: readonly number[]): Int32Array | undefined {
  const rank = outShape.length;
  const padded = [...new Array<number>(rank - inShape.length).fill(1), ...inShape];
  if (padded.every((d, i) => d === outShape[i])) return undefined;
  const strides = new Array<number>(rank).fill(0);
  let s = 1;
  for (let i = rank - 1; i >= 0; i--) {
    strides[i] = padded[i] === 1 ? 0 : s;
    s *= padded[i];
  }
  const n = elementCount(outShape);
  const index = new Int32Array(n);
  const coord = new Array<number>(rank).fill(0);
  let at = 0;
  for (let k = 0; k < n; k++) {
    index[k] = at;
    for (let d = rank - 1; d >= 0; d--) {
      coord[d]++;
      at += strides[d];
      if (coord[d] < outShape[d]) break;
      at -= strides[d] * coord[d];
      coord[d] = 0;
    }
  }
  return index;
}
