import { DType, dtypeBytes, elementCount, permute, transposeData } from '@tinyforge/ir';
import { Attributes } from './attributes';
import { ImportContext } from './import-context';
import { constantFloatValues, constantIntValues, decodeTensor, dtypeFromOnnx, OnnxConstant } from './proto-values';

/**
 * Shape arithmetic on constants, evaluated at import. Exporters compute reshape targets with Shape → Gather →
 * Unsqueeze → Concat chains (PyTorch's flatten) and fill tensors with ConstantOfShape; on the IR's static shapes every
 * such chain is a constant, so it is folded into an ONNX constant here and never becomes an IR node. An op is folded
 * when all its inputs are constants (Shape only needs its input's static shape) and its output is not a graph output.
 */
/** The folded constant, or undefined to leave the node to its importer (float arithmetic stays an IR node). */
type Fold = (ctx: ImportContext, a: Attributes, inputs: (OnnxConstant | undefined)[]) => OnnxConstant | undefined;

const values = (c: OnnxConstant): number[] => (c.dtype === 'float32' ? constantFloatValues(c) : constantIntValues(c));
const INTEGER: readonly DType[] = ['int32', 'int64', 'int16', 'int8', 'uint8', 'bool'];

function encode(dims: number[], dtype: DType, v: readonly number[]): Uint8Array {
  const data = new Uint8Array(v.length * dtypeBytes(dtype));
  const view = new DataView(data.buffer);
  v.forEach((x, i) => {
    const o = i * dtypeBytes(dtype);
    if (dtype === 'float32') view.setFloat32(o, x, true);
    else if (dtype === 'int64') view.setBigInt64(o, BigInt(Math.trunc(x)), true);
    else if (dtype === 'int32') view.setInt32(o, x, true);
    else if (dtype === 'int16') view.setInt16(o, x, true);
    else if (dtype === 'int8') view.setInt8(o, x);
    else view.setUint8(o, x);
  });
  if (elementCount(dims) !== v.length) throw new RangeError(`${v.length} values for dims ${JSON.stringify(dims)}`);
  return data;
}

const constant = (ctx: ImportContext, dims: number[], dtype: DType, v: readonly number[]): OnnxConstant => ({ name: ctx.outputName(), dims, dtype, data: encode(dims, dtype, v) });

function need(ctx: ImportContext, c: OnnxConstant | undefined, what: string): OnnxConstant {
  if (c === undefined) throw ctx.error('FORMAT_MALFORMED', `missing ${what}`);
  return c;
}

function normalizeAxis(ctx: ImportContext, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw ctx.error('FORMAT_MALFORMED', `axis ${axis} out of range for rank ${rank}`);
  return a;
}

/** Axes of Squeeze / Unsqueeze: the attribute before opset 13, input 1 from it on. */
function axesOf(ctx: ImportContext, a: Attributes, inputs: (OnnxConstant | undefined)[]): number[] | undefined {
  if (ctx.opset < 13) return a.ints('axes');
  return inputs[1] === undefined ? undefined : constantIntValues(inputs[1]);
}

function strides(dims: readonly number[]): number[] {
  const s = new Array<number>(dims.length).fill(1);
  for (let i = dims.length - 2; i >= 0; i--) s[i] = s[i + 1] * dims[i + 1];
  return s;
}

/** Numpy broadcasting of integer constants (shape arithmetic: Add, Sub, Mul, Div). */
function arithmetic(f: (p: number, q: number) => number): Fold {
  return (ctx, _a, [x, y]) => {
    const [p, q] = [need(ctx, x, 'A'), need(ctx, y, 'B')];
    if (!INTEGER.includes(p.dtype) || p.dtype !== q.dtype) return undefined;
    const rank = Math.max(p.dims.length, q.dims.length);
    const pd = [...new Array<number>(rank - p.dims.length).fill(1), ...p.dims];
    const qd = [...new Array<number>(rank - q.dims.length).fill(1), ...q.dims];
    const dims = pd.map((d, i) => (d === 1 ? qd[i] : d));
    if (pd.some((d, i) => d !== qd[i] && d !== 1 && qd[i] !== 1)) throw ctx.error('FORMAT_MALFORMED', `shapes ${JSON.stringify(p.dims)} and ${JSON.stringify(q.dims)} do not broadcast`);
    const [pv, qv, ps, qs, os] = [values(p), values(q), strides(pd), strides(qd), strides(dims)];
    const out = Array.from({ length: elementCount(dims) }, (_, o) => {
      let i = 0;
      let j = 0;
      dims.forEach((_d, k) => {
        const idx = Math.floor(o / os[k]) % dims[k];
        i += (pd[k] === 1 ? 0 : idx) * ps[k];
        j += (qd[k] === 1 ? 0 : idx) * qs[k];
      });
      return f(pv[i], qv[j]);
    });
    return constant(ctx, dims, p.dtype, out);
  };
}

const FOLDS: Readonly<Record<string, Fold>> = {
  Shape: (ctx, a, [c]) => {
    const dims = c?.dims ?? ctx.onnxShape(ctx.input(0));
    const rank = dims.length;
    const clamp = (v: number): number => Math.min(Math.max(v < 0 ? v + rank : v, 0), rank);
    const kept = dims.slice(clamp(a.int('start', 0)), clamp(a.int('end', rank)));
    return constant(ctx, [kept.length], 'int64', kept);
  },
  ConstantOfShape: (ctx, a, [shape]) => {
    const dims = constantIntValues(need(ctx, shape, 'shape'));
    if (dims.some((d) => !Number.isSafeInteger(d) || d < 0) || elementCount(dims) > 1 << 24) throw ctx.error('FORMAT_MALFORMED', `shape ${JSON.stringify(dims)}`);
    const t = a.tensor('value');
    const fill = t === undefined ? { dtype: 'float32' as DType, v: 0 } : (() => {
      const c = decodeTensor(t, ctx.where());
      return { dtype: c.dtype, v: values(c)[0] ?? 0 };
    })();
    return constant(ctx, dims, fill.dtype, new Array<number>(elementCount(dims)).fill(fill.v));
  },
  Gather: (ctx, a, [data, indices]) => {
    const d = need(ctx, data, 'data');
    const idx = need(ctx, indices, 'indices');
    const axis = normalizeAxis(ctx, a.int('axis', 0), d.dims.length);
    const n = d.dims[axis];
    const picks = constantIntValues(idx).map((i) => (i < 0 ? i + n : i));
    if (picks.some((i) => i < 0 || i >= n)) throw ctx.error('FORMAT_MALFORMED', `indices ${JSON.stringify(constantIntValues(idx))} out of range for ${n}`);
    const outer = elementCount(d.dims.slice(0, axis));
    const inner = elementCount(d.dims.slice(axis + 1));
    const v = values(d);
    const out: number[] = [];
    for (let o = 0; o < outer; o++) for (const p of picks) for (let i = 0; i < inner; i++) out.push(v[(o * n + p) * inner + i]);
    return constant(ctx, [...d.dims.slice(0, axis), ...idx.dims, ...d.dims.slice(axis + 1)], d.dtype, out);
  },
  Unsqueeze: (ctx, a, inputs) => {
    const x = need(ctx, inputs[0], 'data');
    const axes = axesOf(ctx, a, inputs) ?? [];
    const rank = x.dims.length + axes.length;
    const at = axes.map((ax) => normalizeAxis(ctx, ax, rank));
    const dims: number[] = [];
    let k = 0;
    for (let i = 0; i < rank; i++) dims.push(at.includes(i) ? 1 : x.dims[k++]);
    return { ...x, name: ctx.outputName(), dims };
  },
  Squeeze: (ctx, a, inputs) => {
    const x = need(ctx, inputs[0], 'data');
    const given = axesOf(ctx, a, inputs);
    const at = given === undefined ? x.dims.flatMap((d, i) => (d === 1 ? [i] : [])) : given.map((ax) => normalizeAxis(ctx, ax, x.dims.length));
    if (at.some((i) => x.dims[i] !== 1)) throw ctx.error('FORMAT_MALFORMED', `cannot squeeze axes ${JSON.stringify(at)} of ${JSON.stringify(x.dims)}`);
    return { ...x, name: ctx.outputName(), dims: x.dims.filter((_, i) => !at.includes(i)) };
  },
  Concat: (ctx, a, inputs) => {
    const parts = inputs.map((c, i) => need(ctx, c, `input ${i}`));
    const rank = parts[0].dims.length;
    const axis = normalizeAxis(ctx, a.int('axis', 0), rank);
    if (parts.some((p) => p.dtype !== parts[0].dtype || p.dims.length !== rank || p.dims.some((d, i) => i !== axis && d !== parts[0].dims[i]))) {
      throw ctx.error('FORMAT_MALFORMED', `inputs ${JSON.stringify(parts.map((p) => p.dims))} do not concatenate along axis ${axis}`);
    }
    const outer = elementCount(parts[0].dims.slice(0, axis));
    const out: number[] = [];
    const vs = parts.map(values);
    for (let o = 0; o < outer; o++) {
      parts.forEach((p, k) => {
        const block = elementCount(p.dims.slice(axis));
        out.push(...vs[k].slice(o * block, (o + 1) * block));
      });
    }
    const dims = [...parts[0].dims];
    dims[axis] = parts.reduce((s, p) => s + p.dims[axis], 0);
    return constant(ctx, dims, parts[0].dtype, out);
  },
  Cast: (ctx, a, [x]) => {
    const c = need(ctx, x, 'input');
    const to = dtypeFromOnnx(a.int('to', 0), ctx.where(), 'Cast target type');
    const v = values(c).map((n) => (to === 'float32' ? n : Math.trunc(n)));
    return constant(ctx, [...c.dims], to, v);
  },
  Reshape: (ctx, a, [x, shape]) => {
    const c = need(ctx, x, 'data');
    const target = constantIntValues(need(ctx, shape, 'shape'));
    const allowZero = a.int('allowzero', 0) !== 0;
    const resolved = target.map((d, i) => (d === 0 && !allowZero ? c.dims[i] : d));
    const known = elementCount(resolved.filter((d) => d !== -1));
    const total = elementCount(c.dims);
    const dims = resolved.map((d) => (d === -1 && known > 0 ? total / known : d));
    if (elementCount(dims) !== total || dims.some((d) => !Number.isInteger(d) || d < 0)) throw ctx.error('FORMAT_MALFORMED', `cannot reshape ${JSON.stringify(c.dims)} to ${JSON.stringify(target)}`);
    return { ...c, name: ctx.outputName(), dims };
  },
  Identity: (ctx, _a, [x]) => ({ ...need(ctx, x, 'input'), name: ctx.outputName() }),
  Transpose: (ctx, a, [x]) => {
    const c = need(ctx, x, 'input');
    const rank = c.dims.length;
    const perm = a.ints('perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
    if (perm.length !== rank || [...perm].sort((p, q) => p - q).some((p, i) => p !== i)) throw ctx.error('FORMAT_MALFORMED', `perm ${JSON.stringify(perm)} is not a permutation of rank ${rank}`);
    return { name: ctx.outputName(), dims: permute(c.dims, perm), dtype: c.dtype, data: transposeData(c.data, c.dims, perm, dtypeBytes(c.dtype)) };
  },
  Add: arithmetic((p, q) => p + q),
  Sub: arithmetic((p, q) => p - q),
  Mul: arithmetic((p, q) => p * q),
  Div: arithmetic((p, q) => (q === 0 ? 0 : Math.trunc(p / q))),
};

/** Ops that exist only as shape arithmetic: the IR has no node for them, so they must fold. */
export const FOLD_ONLY: ReadonlySet<string> = new Set(['Shape', 'ConstantOfShape', 'Gather']);

/**
 * Fold the current node into constants when it is shape arithmetic on constants; true when done. A Shape, a
 * ConstantOfShape or a Gather that cannot be folded is FORMAT_UNSUPPORTED (the IR has no such node).
 */
export function foldConstantNode(ctx: ImportContext, a: Attributes): boolean {
  const op = ctx.node.opType ?? '';
  const fold = FOLDS[op];
  if (fold === undefined) return false;
  const names = ctx.node.input ?? [];
  const inputs = names.map((n) => (n === '' ? undefined : ctx.constants.get(n)));
  const foldable = op === 'Shape' || names.every((n, i) => n === '' || inputs[i] !== undefined);
  const output = ctx.outputName();
  if (!foldable || ctx.graphOutputs.has(output)) {
    if (!FOLD_ONLY.has(op)) return false;
    throw ctx.unsupported(!foldable ? `${op} of values computed at run time (only constant shape arithmetic is folded)` : 'a graph output computed from constants only');
  }
  const result = fold(ctx, a, inputs);
  if (result === undefined) return false;
  ctx.constants.set(output, { ...result, name: output });
  return true;
}
