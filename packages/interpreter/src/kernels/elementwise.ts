import { multiplyByQuantizedMultiplier, quantizeMultiplier } from '../fixed-point';
import { floatActivationRange, quantizedActivationRange, Range } from '../quant-params';
import { broadcastIndex } from './broadcast';
import { Evaluate, KernelContext } from './context';

type BinaryOp = 'Add' | 'Sub' | 'Mul' | 'Div' | 'Minimum' | 'Maximum';

/** Int8 ADD/SUB rescale both inputs to a common scale after this left shift (TFLite's scheme for int8)… */
const ADD_LEFT_SHIFT = 20;
/** …and int16 ones after this one (65535 · 2^15 still fits the int32 sum). */
const INT16_ADD_LEFT_SHIFT = 15;

/** The two inputs' element index for each output element (undefined: the same index), numpy broadcasting. */
function operands(ctx: KernelContext<BinaryOp>): { ia: Int32Array | undefined; ib: Int32Array | undefined; n: number } {
  const out = ctx.output;
  return { ia: broadcastIndex(ctx.tensor(0).shape, out.shape), ib: broadcastIndex(ctx.tensor(1).shape, out.shape), n: ctx.outputArray<Float32Array>().length };
}

const at = (k: number, index: Int32Array | undefined): number => (index === undefined ? k : index[k]);

/** ADD, SUB, MUL, DIV on float32: `f` of the broadcast operands, then the fused activation's clamp. */
export const floatBinary =
  (f: (p: number, q: number) => number) =>
  (ctx: KernelContext<BinaryOp>): Evaluate => {
    const activation = ctx.node.attrs.activation;
    const range = floatActivationRange(activation) ?? ctx.unsupported(`fused ${activation} is not supported`);
    const { ia, ib, n } = operands(ctx);
    const x = ctx.input<Float32Array>(0);
    const y = ctx.input<Float32Array>(1);
    const output = ctx.outputArray<Float32Array>();
    return () => {
      for (let k = 0; k < n; k++) {
        const v = f(x[at(k, ia)], y[at(k, ib)]);
        output[k] = v < range.min ? range.min : v > range.max ? range.max : v;
      }
    };
  };

/**
 * Both inputs and the output of one quantized type (int8, or int16 for 16x8 models) with per-tensor parameters: the
 * parameters, the arrays, the inputs' offsets (minus their zero points) and the fused activation's clamp in output
 * units.
 */
function quantizedOperands(ctx: KernelContext<'Add' | 'Sub' | 'Mul'>) {
  const [a, b, out] = [ctx.tensor(0), ctx.tensor(1), ctx.output];
  if (b.dtype !== a.dtype || out.dtype !== a.dtype) ctx.unsupported(`no ${a.dtype} × ${b.dtype} → ${out.dtype} kernel`);
  const qa = ctx.quant(a);
  const qb = ctx.quant(b);
  const qo = ctx.quant(out);
  const activation = ctx.node.attrs.activation;
  const range: Range = quantizedActivationRange(activation, out.dtype, qo.scale, qo.zeroPoint) ?? ctx.unsupported(`fused ${activation} is not supported`);
  const arrays = { x: ctx.input<Int8Array | Int16Array>(0), y: ctx.input<Int8Array | Int16Array>(1), output: ctx.outputArray<Int8Array | Int16Array>() };
  return { qa, qb, qo, ...arrays, offA: -qa.zeroPoint, offB: -qb.zeroPoint, zp: qo.zeroPoint, min: range.min, max: range.max, ...operands(ctx) };
}

/**
 * The input and output multipliers of quantized ADD/SUB, which rescale both inputs to a common scale after a left
 * shift, formed in double. (TFLite Micro's SUB forms the scale ratios in float at the pinned commit; the seanet
 * int16 SUB goldens match the double form bit for bit — 2 of sub0's 1536 outputs differ by 1 with the float form.)
 */
function addSubMultipliers(sa: number, sb: number, so: number, leftShift: number) {
  const twiceMaxScale = 2 * Math.max(sa, sb);
  return {
    ma: quantizeMultiplier(sa / twiceMaxScale),
    mb: quantizeMultiplier(sb / twiceMaxScale),
    mo: quantizeMultiplier(twiceMaxScale / ((1 << leftShift) * so)),
  };
}

/**
 * ADD (sign 1) and SUB (sign −1) on int8 or int16 with TFLite's reference requantization (both inputs to a common
 * scale after a left shift of 20 bits, 15 for int16; TFLite Micro always takes this general path for int16).
 */
export const quantizedAddSub =
  (sign: 1 | -1) =>
  (ctx: KernelContext<'Add' | 'Sub'>): Evaluate => {
    const { qa, qb, qo, x, y, output, offA, offB, zp, min, max, ia, ib, n } = quantizedOperands(ctx);
    const leftShift = ctx.output.dtype === 'int16' ? INT16_ADD_LEFT_SHIFT : ADD_LEFT_SHIFT;
    const { ma, mb, mo } = addSubMultipliers(qa.scale, qb.scale, qo.scale, leftShift);
    return () => {
      for (let k = 0; k < n; k++) {
        const sa = multiplyByQuantizedMultiplier((x[at(k, ia)] + offA) * (1 << leftShift), ma.multiplier, ma.shift);
        const sb = multiplyByQuantizedMultiplier((y[at(k, ib)] + offB) * (1 << leftShift), mb.multiplier, mb.shift);
        const v = multiplyByQuantizedMultiplier((sa + sign * sb) | 0, mo.multiplier, mo.shift) + zp;
        output[k] = v < min ? min : v > max ? max : v;
      }
    };
  };

/** MUL on int8 or int16 with TFLite's reference requantization (one multiplier for the product of the scales). */
export function quantizedMul(ctx: KernelContext<'Mul'>): Evaluate {
  const { qa, qb, qo, x, y, output, offA, offB, zp, min, max, ia, ib, n } = quantizedOperands(ctx);
  if (ctx.output.dtype === 'int16' && (offA !== 0 || offB !== 0 || zp !== 0)) ctx.unsupported('int16 MUL needs zero points 0');
  const m = quantizeMultiplier((qa.scale * qb.scale) / qo.scale);
  return () => {
    for (let k = 0; k < n; k++) {
      const v = zp + multiplyByQuantizedMultiplier((x[at(k, ia)] + offA) * (y[at(k, ib)] + offB), m.multiplier, m.shift);
      output[k] = v < min ? min : v > max ? max : v;
    }
  };
}
