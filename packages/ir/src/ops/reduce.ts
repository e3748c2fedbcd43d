import { FLOAT_OR_QUANTIZED, sameType } from './dtype-rules';
import { attr, defineOp } from './op-def';

/** Mean over constant axes. inputs: x, axes (int32 constant) */
export const MEAN = defineOp<{ keepDims: boolean }>()({
  arity: [2, 2],
  attrs: { keepDims: attr.withDefault(attr.bool(), false) },
  dtypes: sameType(1, FLOAT_OR_QUANTIZED),
  inferShape(c) {
    const x = c.input(0);
    const r = x.shape.length;
    const axes = c.constInts(1, 'axes').map((a) => (a < 0 ? a + r : a));
    if (axes.some((a) => a < 0 || a >= r)) c.fail(`axes out of range for rank ${r}`);
    if (c.attrs.keepDims) return x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
    return x.shape.filter((_, i) => !axes.includes(i));
  },
});
