import { AnyTypedArray, DType, NodeOf } from '@tinyforge/ir';
import { broadcastIndex } from './broadcast';
import { Evaluate, KernelContext } from './context';

/**
 * Plain arithmetic on int32 and int64 tensors (Round, Abs, Sign also on float32; float Div is in elementwise.ts):
 * what the ONNX QDQ export uses to spell out TFLite's requantization. Integers wrap like two's complement C, integer
 * Div truncates toward zero (a zero divisor gives 0 rather than trapping), Round is half to even, and a float →
 * integer Cast truncates toward zero.
 */
type ArithmeticNode = NodeOf<'Add'> | NodeOf<'Sub'> | NodeOf<'Mul'> | NodeOf<'Div'>;

const INTEGER: ReadonlySet<DType> = new Set<DType>(['int32', 'int64']);

export const isPlainInteger = (dtype: DType): boolean => INTEGER.has(dtype);

/** Add / Sub / Mul / Div of two int32 or int64 tensors (numpy broadcasting). */
export function prepareIntegerBinary(ctx: KernelContext): Evaluate {
  const node = ctx.node as ArithmeticNode;
  const [a, b, out] = [ctx.tensor(0), ctx.tensor(1), ctx.output];
  if (a.dtype !== b.dtype || a.dtype !== out.dtype) return ctx.unsupported(`mixed element types ${a.dtype}, ${b.dtype} → ${out.dtype}`);
  if (node.attrs.activation !== 'none') return ctx.unsupported(`fused ${node.attrs.activation} on ${a.dtype}`);
  const ia = broadcastIndex(a.shape, out.shape);
  const ib = broadcastIndex(b.shape, out.shape);
  const at = (k: number, index: Int32Array | undefined): number => (index === undefined ? k : index[k]);
  if (a.dtype === 'int64') {
    const [x, y, o] = [ctx.input<BigInt64Array>(0), ctx.input<BigInt64Array>(1), ctx.outputArray<BigInt64Array>()];
    const f: (p: bigint, q: bigint) => bigint = {
      Add: (p: bigint, q: bigint) => p + q,
      Sub: (p: bigint, q: bigint) => p - q,
      Mul: (p: bigint, q: bigint) => p * q,
      Div: (p: bigint, q: bigint) => (q === 0n ? 0n : p / q),
    }[node.op];
    return () => {
      for (let k = 0; k < o.length; k++) o[k] = BigInt.asIntN(64, f(x[at(k, ia)], y[at(k, ib)]));
    };
  }
  const [x, y, o] = [ctx.input<Int32Array>(0), ctx.input<Int32Array>(1), ctx.outputArray<Int32Array>()];
  const f: (p: number, q: number) => number = {
    Add: (p: number, q: number) => (p + q) | 0,
    Sub: (p: number, q: number) => (p - q) | 0,
    Mul: (p: number, q: number) => Math.imul(p, q),
    Div: (p: number, q: number) => (q === 0 ? 0 : Math.trunc(p / q) | 0),
  }[node.op];
  return () => {
    for (let k = 0; k < o.length; k++) o[k] = f(x[at(k, ia)], y[at(k, ib)]);
  };
}

/** Round half to even. */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Round / Abs / Sign on float32, int32 or int64. */
export function prepareUnaryArithmetic(ctx: KernelContext): Evaluate {
  const op = ctx.node.op as 'Round' | 'Abs' | 'Sign';
  const x = ctx.tensor(0);
  if (x.dtype !== ctx.output.dtype) return ctx.unsupported(`input is ${x.dtype} but output is ${ctx.output.dtype}`);
  if (x.dtype === 'int64') {
    const [i, o] = [ctx.input<BigInt64Array>(0), ctx.outputArray<BigInt64Array>()];
    const f = { Round: (v: bigint) => v, Abs: (v: bigint) => BigInt.asIntN(64, v < 0n ? -v : v), Sign: (v: bigint) => (v > 0n ? 1n : v < 0n ? -1n : 0n) }[op];
    return () => {
      for (let k = 0; k < o.length; k++) o[k] = f(i[k]);
    };
  }
  if (x.dtype !== 'float32' && x.dtype !== 'int32') return ctx.unsupported(`no ${x.dtype} kernel`);
  const [i, o] = [ctx.input<Float32Array | Int32Array>(0), ctx.outputArray<Float32Array | Int32Array>()];
  const f = { Round: x.dtype === 'float32' ? roundHalfEven : (v: number) => v, Abs: Math.abs, Sign: Math.sign }[op];
  return () => {
    for (let k = 0; k < o.length; k++) o[k] = f(i[k]);
  };
}

/** float → int64, truncating; NaN and infinities (undefined in ONNX) become 0 instead of throwing. */
const toInt64 = (v: number): bigint => (Number.isFinite(v) ? BigInt.asIntN(64, BigInt(Math.trunc(v))) : 0n);

/** Cast between float32, int8, int16, int32 and int64: float → integer truncates, integers wrap. */
export function prepareCast(ctx: KernelContext): Evaluate {
  const [from, to] = [ctx.tensor(0).dtype, ctx.output.dtype];
  const supported: readonly DType[] = ['float32', 'int8', 'int16', 'int32', 'int64'];
  if (!supported.includes(from) || !supported.includes(to)) return ctx.unsupported(`no ${from} → ${to} conversion`);
  const i = ctx.input<AnyTypedArray>(0);
  const o = ctx.outputArray<AnyTypedArray>();
  const read = from === 'int64' ? (k: number) => Number((i as BigInt64Array)[k]) : (k: number) => (i as Float32Array)[k];
  if (to === 'int64') {
    const out = o as BigInt64Array;
    return () => {
      for (let k = 0; k < out.length; k++) out[k] = from === 'int64' ? (i as BigInt64Array)[k] : toInt64(read(k));
    };
  }
  // Typed arrays of int8/int16/int32 wrap on assignment; Float32Array rounds to float.
  const out = o as Float32Array | Int8Array | Int16Array | Int32Array;
  const truncate = to !== 'float32' && from === 'float32';
  return () => {
    for (let k = 0; k < out.length; k++) out[k] = truncate ? Math.trunc(read(k)) : read(k);
  };
}
