import { NodeOf } from '@tinyforge/ir';
import { multiplyByQuantizedMultiplier, quantizeMultiplier } from '../fixed-point';
import { floatActivationRange, quantizedActivationRange } from '../quant-params';
import { broadcastIndex } from './broadcast';
import { Evaluate, KernelContext } from './context';

type BinaryNode = NodeOf<'Add'> | NodeOf<'Sub'> | NodeOf<'Mul'> | NodeOf<'Div'>;

/** Int8 ADD/SUB rescale both inputs to a common scale after this left shift (TFLite's scheme for int8). */
const ADD_LEFT_SHIFT = 20;

/** ADD, SUB, MUL, DIV with numpy broadcasting: float, and (not DIV) int8 with TFLite's reference requantization. */
export function prepareBinary(ctx: KernelContext): Evaluate {
  const node = ctx.node as BinaryNode;
  const a = ctx.tensor(0);
  const b = ctx.tensor(1);
  const out = ctx.output;
  const ia = broadcastIndex(a.shape, out.shape);
  const ib = broadcastIndex(b.shape, out.shape);
  const x = ctx.input<Float32Array | Int8Array>(0);
  const y = ctx.input<Float32Array | Int8Array>(1);
  const n = ctx.outputArray<Float32Array>().length;
  const elem = (k: number, index: Int32Array | undefined): number => (index === undefined ? k : index[k]);

  if (a.dtype === 'float32') {
    const range = floatActivationRange(node.attrs.activation) ?? ctx.unsupported(`fused ${node.attrs.activation} is not supported`);
    const output = ctx.outputArray<Float32Array>();
    const op = node.op;
    return () => {
      for (let k = 0; k < n; k++) {
        const p = x[elem(k, ia)];
        const q = y[elem(k, ib)];
        const v = op === 'Add' ? p + q : op === 'Sub' ? p - q : op === 'Mul' ? p * q : p / q;
        output[k] = v < range.min ? range.min : v > range.max ? range.max : v;
      }
    };
  }
  if (a.dtype !== 'int8' || b.dtype !== 'int8' || out.dtype !== 'int8' || node.op === 'Div') return ctx.unsupported(`no ${a.dtype} kernel`);
  const qa = ctx.quant(a);
  const qb = ctx.quant(b);
  const qo = ctx.quant(out);
  const range = quantizedActivationRange(node.attrs.activation, 'int8', qo.scale, qo.zeroPoint) ?? ctx.unsupported(`fused ${node.attrs.activation} is not supported`);
  const output = ctx.outputArray<Int8Array>();
  const offA = -qa.zeroPoint;
  const offB = -qb.zeroPoint;
  const zp = qo.zeroPoint;
  const { min, max } = range;

  if (node.op === 'Mul') {
    const m = quantizeMultiplier((qa.scale * qb.scale) / qo.scale);
    return () => {
      for (let k = 0; k < n; k++) {
        const v = zp + multiplyByQuantizedMultiplier((x[elem(k, ia)] + offA) * (y[elem(k, ib)] + offB), m.multiplier, m.shift);
        output[k] = v < min ? min : v > max ? max : v;
      }
    };
  }
  const twiceMaxScale = 2 * Math.max(qa.scale, qb.scale);
  const ma = quantizeMultiplier(qa.scale / twiceMaxScale);
  const mb = quantizeMultiplier(qb.scale / twiceMaxScale);
  const mo = quantizeMultiplier(twiceMaxScale / ((1 << ADD_LEFT_SHIFT) * qo.scale));
  const sign = node.op === 'Sub' ? -1 : 1;
  return () => {
    for (let k = 0; k < n; k++) {
      const sa = multiplyByQuantizedMultiplier((x[elem(k, ia)] + offA) * (1 << ADD_LEFT_SHIFT), ma.multiplier, ma.shift);
      const sb = multiplyByQuantizedMultiplier((y[elem(k, ib)] + offB) * (1 << ADD_LEFT_SHIFT), mb.multiplier, mb.shift);
      const v = multiplyByQuantizedMultiplier((sa + sign * sb) | 0, mo.multiplier, mo.shift) + zp;
      output[k] = v < min ? min : v > max ? max : v;
    }
  };
}
