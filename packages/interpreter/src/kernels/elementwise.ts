import { multiplyByQuantizedMultiplier, quantizeMultiplier } from '../fixed-point';
import { floatActivationRange, quantizedActivationRange, Range } from '../quant-params';
import { broadcastIndex } from './broadcast';
import { Evaluate, KernelContext } from './context';

type BinaryOp = 'Add' | 'Sub' | 'Mul' | 'Div';

/** Int8 ADD/SUB rescale both inputs to a common scale after this left shift (TFLite's scheme for int8). */
const ADD_LEFT_SHIFT = 20;

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
 * Both inputs and the output int8 with per-tensor parameters: the parameters, the arrays, the inputs' offsets
 * (minus their zero points) and the fused activation's clamp in output units.
 */
function int8Operands(ctx: KernelContext<'Add' | 'Sub' | 'Mul'>) {
  const [a, b, out] = [ctx.tensor(0), ctx.tensor(1), ctx.output];
  if (b.dtype !== 'int8' || out.dtype !== 'int8') ctx.unsupported(`no ${a.dtype} kernel`);
  const qa = ctx.quant(a);
  const qb = ctx.quant(b);
  const qo = ctx.quant(out);
  const activation = ctx.node.attrs.activation;
  const range: Range = quantizedActivationRange(activation, 'int8', qo.scale, qo.zeroPoint) ?? ctx.unsupported(`fused ${activation} is not supported`);
  const arrays = { x: ctx.input<Int8Array>(0), y: ctx.input<Int8Array>(1), output: ctx.outputArray<Int8Array>() };
  return { qa, qb, qo, ...arrays, offA: -qa.zeroPoint, offB: -qb.zeroPoint, zp: qo.zeroPoint, min: range.min, max: range.max, ...operands(ctx) };
}

/** ADD (sign 1) and SUB (sign −1) on int8 with TFLite's reference requantization (both inputs to a common scale). */
export const int8AddSub =
  (sign: 1 | -1) =>
  (ctx: KernelContext<'Add' | 'Sub'>): Evaluate => {
    const { qa, qb, qo, x, y, output, offA, offB, zp, min, max, ia, ib, n } = int8Operands(ctx);
    const twiceMaxScale = 2 * Math.max(qa.scale, qb.scale);
    const ma = quantizeMultiplier(qa.scale / twiceMaxScale);
    const mb = quantizeMultiplier(qb.scale / twiceMaxScale);
    const mo = quantizeMultiplier(twiceMaxScale / ((1 << ADD_LEFT_SHIFT) * qo.scale));
    return () => {
      for (let k = 0; k < n; k++) {
        const sa = multiplyByQuantizedMultiplier((x[at(k, ia)] + offA) * (1 << ADD_LEFT_SHIFT), ma.multiplier, ma.shift);
        const sb = multiplyByQuantizedMultiplier((y[at(k, ib)] + offB) * (1 << ADD_LEFT_SHIFT), mb.multiplier, mb.shift);
        const v = multiplyByQuantizedMultiplier((sa + sign * sb) | 0, mo.multiplier, mo.shift) + zp;
        output[k] = v < min ? min : v > max ? max : v;
      }
    };
  };

/** MUL on int8 with TFLite's reference requantization (one multiplier for the product of the scales). */
export function int8Mul(ctx: KernelContext<'Mul'>): Evaluate {
  const { qa, qb, qo, x, y, output, offA, offB, zp, min, max, ia, ib, n } = int8Operands(ctx);
  const m = quantizeMultiplier((qa.scale * qb.scale) / qo.scale);
  return () => {
    for (let k = 0; k < n; k++) {
      const v = zp + multiplyByQuantizedMultiplier((x[at(k, ia)] + offA) * (y[at(k, ib)] + offB), m.multiplier, m.shift);
      output[k] = v < min ? min : v > max ? max : v;
    }
  };
}
