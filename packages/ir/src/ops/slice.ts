import { movesData } from './dtype-rules';
import { attr, defineOp } from './op-def';

export interface StridedSliceAttrs {
  beginMask: number;
  endMask: number;
  ellipsisMask: number;
  newAxisMask: number;
  shrinkAxisMask: number;
  offset: boolean;
}

/** Resolved per-axis start/stop/step of a STRIDED_SLICE (TFLite semantics, no ellipsis/new-axis). */
export function resolveStridedSlice(
  shape: readonly number[],
  begin: number[],
  end: number[],
  strides: number[],
  a: StridedSliceAttrs,
  fail: (msg: string) => never,
): { start: number[]; stop: number[]; step: number[] } {
  if (a.ellipsisMask !== 0 || a.newAxisMask !== 0) fail('ellipsis_mask and new_axis_mask are not supported');
  const r = shape.length;
  if (begin.length !== r || end.length !== r || strides.length !== r) {
    fail(`begin/end/strides must have ${r} elements`);
  }
  const start: number[] = [];
  const stop: number[] = [];
  for (let i = 0; i < r; i++) {
    const dim = shape[i];
    const s = strides[i];
    if (s === 0) fail(`stride of axis ${i} is zero`);
    const clamp = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);
    let b = begin[i];
    let e = a.offset ? begin[i] + end[i] : end[i];
    if (a.beginMask & (1 << i)) b = s > 0 ? 0 : dim - 1;
    else {
      if (b < 0) b += dim;
      b = s > 0 ? clamp(b, 0, dim) : clamp(b, -1, dim - 1);
    }
    if (a.shrinkAxisMask & (1 << i)) {
      e = b + 1;
    } else if (a.endMask & (1 << i)) e = s > 0 ? dim : -1;
    else {
      if (e < 0) e += dim;
      e = s > 0 ? clamp(e, 0, dim) : clamp(e, -1, dim - 1);
    }
    start.push(b);
    stop.push(e);
  }
  return { start, stop, step: [...strides] };
}

const mask = () => attr.withDefault(attr.int(), 0);

/** inputs: x, begin, end, strides (int32 constants) */
export const STRIDED_SLICE = defineOp<StridedSliceAttrs>()({
  arity: [4, 4],
  attrs: { beginMask: mask(), endMask: mask(), ellipsisMask: mask(), newAxisMask: mask(), shrinkAxisMask: mask(), offset: attr.withDefault(attr.bool(), false) },
  dtypes: movesData(1),
  inferShape(c) {
    const shape = c.input(0).shape;
    const a = c.attrs;
    const { start, stop, step } = resolveStridedSlice(shape, c.constInts(1, 'begin'), c.constInts(2, 'end'), c.constInts(3, 'strides'), a, c.fail);
    const out: number[] = [];
    for (let i = 0; i < shape.length; i++) {
      if (a.shrinkAxisMask & (1 << i)) continue;
      const n = step[i] > 0 ? Math.ceil((stop[i] - start[i]) / step[i]) : Math.ceil((start[i] - stop[i]) / -step[i]);
      out.push(Math.max(n, 0));
    }
    return out;
  },
});
