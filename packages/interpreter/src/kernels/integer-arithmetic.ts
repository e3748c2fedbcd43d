import { AnyTypedArray, DType } from '@tinyforge/ir';
import { broadcastIndex } from './broadcast';
import { Evaluate, KernelContext } from './context';

/**
 * Plain arithmetic on int32 and int64 tensors (Round, Abs, Sign also on float32; float Div is in elementwise.ts):
 * what the ONNX QDQ export uses to spell out TFLite's requantization. Integers wrap like two's complement C, integer
 * Div truncates toward zero (a zero divisor gives 0 rather than trapping), Round is half to even, and a float →
 * integer Cast truncates toward zero. The operations themselves are the registry's (one entry per op).
 */
type ArithmeticOp = 'Add' | 'Sub' | 'Mul' | 'Div' | 'Minimum' | 'Maximum';

/** Both inputs and the output of one integer type, no fused activation; each input's broadcast index. */
function integerOperands(ctx: KernelContext<ArithmeticOp>): { ia: Int32Array | undefined; ib: Int32Array | undefined } {
  const [a, b, out] = [ctx.tensor(0), ctx.tensor(1), ctx.output];
  if (a.dtype !== b.dtype || a.dtype !== out.dtype) ctx.unsupported(`mixed element types ${a.dtype}, ${b.dtype} → ${out.dtype}`);
  if (ctx.node.attrs.activation !== 'none') ctx.unsupported(`fused ${ctx.node.attrs.activation} on ${a.dtype}`);
  return { ia: broadcastIndex(a.shape, out.shape), ib: broadcastIndex(b.shape, out.shape) };
}

const at = (k: number, index: Int32Array | undefined): number => (index === undefined ? k : index[k]);

/** Add / Sub / Mul / Div of two int32 tensors (numpy broadcasting); `f` wraps to int32. */
export const int32Binary =
  (f: (p: number, q: number) => number) =>
  (ctx: KernelContext<ArithmeticOp>): Evaluate => {
    const { ia, ib } = integerOperands(ctx);
    const [x, y, o] = [ctx.input<Int32Array>(0), ctx.input<Int32Array>(1), ctx.outputArray<Int32Array>()];
    return () => {
      for (let k = 0; k < o.length; k++) o[k] = f(x[at(k, ia)], y[at(k, ib)]);
    };
  };

/** Add / Sub / Mul / Div of two int64 tensors (numpy broadcasting), wrapping to 64 bits. */
export const int64Binary =
  (f: (p: bigint, q: bigint) => bigint) =>
  (ctx: KernelContext<ArithmeticOp>): Evaluate => {
    const { ia, ib } = integerOperands(ctx);
    const [x, y, o] = [ctx.input<BigInt64Array>(0), ctx.input<BigInt64Array>(1), ctx.outputArray<BigInt64Array>()];
    return () => {
      for (let k = 0; k < o.length; k++) o[k] = BigInt.asIntN(64, f(x[at(k, ia)], y[at(k, ib)]));
    };
  };

/** Round half to even. */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Round / Abs / Sign on float32 or int32 (an int32 result wraps on assignment). */
export const unaryNumber =
  (f: (v: number) => number) =>
  (ctx: KernelContext): Evaluate => {
    const x = ctx.tensor(0);
    if (x.dtype !== ctx.output.dtype) return ctx.unsupported(`input is ${x.dtype} but output is ${ctx.output.dtype}`);
    const [i, o] = [ctx.input<Float32Array | Int32Array>(0), ctx.outputArray<Float32Array | Int32Array>()];
    return () => {
      for (let k = 0; k < o.length; k++) o[k] = f(i[k]);
    };
  };

/** Round / Abs / Sign on int64. */
export const unaryInt64 =
  (f: (v: bigint) => bigint) =>
  (ctx: KernelContext): Evaluate => {
    const x = ctx.tensor(0);
    if (x.dtype !== ctx.output.dtype) return ctx.unsupported(`input is ${x.dtype} but output is ${ctx.output.dtype}`);
    const [i, o] = [ctx.input<BigInt64Array>(0), ctx.outputArray<BigInt64Array>()];
    return () => {
      for (let k = 0; k < o.length; k++) o[k] = f(i[k]);
    };
  };

/** float → int64, truncating; NaN and infinities (undefined in ONNX) become 0 instead of throwing. */
const toInt64 = (v: number): bigint => (Number.isFinite(v) ? BigInt.asIntN(64, BigInt(Math.trunc(v))) : 0n);

/** Cast between float32, int8, int16, int32 and int64: float → integer truncates, integers wrap. */
export function prepareCast(ctx: KernelContext): Evaluate {
  const [from, to] = [ctx.tensor(0).dtype, ctx.output.dtype];
  const supported: readonly DType[] = ['float32', 'int8', 'int16', 'int32', 'int64', 'uint32'];
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
