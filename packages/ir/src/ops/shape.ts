import { constantInts, elementCount, shapeToString } from '../tensor';
import { movesData } from './dtype-rules';
import { sameShape } from './elementwise';
import { attr, defineOp, noActivation, FusedActivation, NoAttrs } from './op-def';

/** inputs: x, shape (int32 constant)? — the output tensor's shape is authoritative. */
export const RESHAPE = defineOp<NoAttrs>()({
  arity: [1, 2],
  attrs: {},
  dtypes: movesData(1),
  inferShape(c) {
    const x = c.input(0);
    const out = c.declaredOutput();
    let shape: number[];
    const shapeInput = c.optional(1);
    if (shapeInput !== undefined && shapeInput.data !== undefined) shape = constantInts(shapeInput);
    else if (out !== undefined) shape = [...out.shape];
    else return c.fail('no target shape');
    const known = shape.filter((d) => d !== -1).reduce((p, d) => p * d, 1);
    const wild = shape.filter((d) => d === -1).length;
    const total = elementCount(x.shape);
    if (wild > 1 || shape.some((d) => d < -1)) c.fail(`invalid target shape ${shapeToString(shape)}`);
    if (wild === 1) {
      if (known === 0 || total % known !== 0) c.fail(`cannot reshape ${shapeToString(x.shape)} to ${shapeToString(shape)}`);
      shape = shape.map((d) => (d === -1 ? total / known : d));
    }
    if (elementCount(shape) !== total) c.fail(`cannot reshape ${shapeToString(x.shape)} to ${shapeToString(shape)}`);
    return shape;
  },
  view: true,
});

/** Drops size-1 axes: the listed ones, or every one when `axes` is empty. */
export const SQUEEZE = defineOp<{ axes: number[] }>()({
  arity: [1, 1],
  attrs: { axes: attr.withDefault(attr.ints(), []) },
  dtypes: movesData(1),
  inferShape(c) {
    const x = c.input(0);
    const r = x.shape.length;
    const axes = c.attrs.axes.map((a) => (a < 0 ? a + r : a));
    if (axes.some((a) => a < 0 || a >= r)) c.fail(`axes ${shapeToString(c.attrs.axes)} out of range for rank ${r}`);
    if (axes.length === 0) return x.shape.filter((d) => d !== 1);
    for (const a of axes) if (x.shape[a] !== 1) c.fail(`cannot squeeze axis ${a} of size ${x.shape[a]}`);
    return x.shape.filter((_, i) => !axes.includes(i));
  },
  view: true,
});

/** No-op (ONNX Identity / Dropout at inference); removed by the quantizer's passes. */
export const IDENTITY = defineOp<NoAttrs>()({ ...sameShape, attrs: {}, dtypes: movesData(1), view: true });

/** inputs: x, perm (int32 constant) */
export const TRANSPOSE = defineOp<NoAttrs>()({
  arity: [2, 2],
  attrs: {},
  dtypes: movesData(1),
  inferShape(c) {
    const x = c.input(0);
    const perm = c.constInts(1, 'perm');
    const sorted = [...perm].sort((a, b) => a - b);
    if (perm.length !== x.shape.length || sorted.some((v, i) => v !== i)) c.fail(`perm ${shapeToString(perm)} is not a permutation of rank ${x.shape.length}`);
    return perm.map((p) => x.shape[p]);
  },
});

/** inputs: x, paddings (int32 [rank, 2] constant), constant value (scalar, same dtype as x)? */
export const PAD = defineOp<NoAttrs>()({
  arity: [2, 3],
  attrs: {},
  dtypes: movesData(1),
  inferShape(c) {
    const x = c.input(0);
    const p = c.constInts(1, 'paddings');
    if (p.length !== 2 * x.shape.length) c.fail(`paddings must be [${x.shape.length}, 2], got ${p.length} values`);
    if (p.some((v) => v < 0)) c.fail('negative paddings are not supported');
    return x.shape.map((d, i) => d + p[2 * i] + p[2 * i + 1]);
  },
});

/** Joins its inputs along `axis`; they agree on every other axis. */
export const CONCATENATION = defineOp<{ axis: number; activation: FusedActivation }>()({
  arity: [1, Number.MAX_SAFE_INTEGER],
  attrs: { axis: attr.int(), activation: noActivation() },
  dtypes: movesData('all'),
  inferShape(c) {
    const first = c.input(0);
    const r = first.shape.length;
    const axis = c.attrs.axis < 0 ? c.attrs.axis + r : c.attrs.axis;
    if (axis < 0 || axis >= r) c.fail(`axis ${c.attrs.axis} out of range for rank ${r}`);
    const out = [...first.shape];
    for (let i = 1; i < c.inputCount; i++) {
      const t = c.input(i);
      if (t.shape.length !== r || t.shape.some((d, j) => j !== axis && d !== first.shape[j])) {
        c.fail(`input ${i} ${shapeToString(t.shape)} does not match ${shapeToString(first.shape)} outside axis ${axis}`);
      }
      out[axis] += t.shape[axis];
    }
    return out;
  },
  parametersFrom: 0,
});

/** TFLite TILE: the input repeated multiples[i] times along axis i. inputs: x, multiples (int32 constant [rank]) */
export const TILE = defineOp<NoAttrs>()({
  arity: [2, 2],
  attrs: {},
  dtypes: movesData(1),
  inferShape(c) {
    const x = c.input(0);
    const m = c.constInts(1, 'multiples');
    if (m.length !== x.shape.length) c.fail(`multiples has ${m.length} values for rank ${x.shape.length}`);
    if (m.some((v) => !Number.isInteger(v) || v < 1)) c.fail(`multiples ${shapeToString(m)} must be positive`);
    return x.shape.map((d, i) => d * m[i]);
  },
});
