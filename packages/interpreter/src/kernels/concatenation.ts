import { roundHalfAway } from '../fixed-point';
import { dtypeRange, floatActivationRange } from '../quant-params';
import { Evaluate, KernelContext } from './context';

/**
 * CONCATENATION along one axis. Quantized inputs whose scale/zero point differ from the output's are requantized
 * with TFLite's ConcatenationWithScaling arithmetic (float32 scale and bias, round half away); equal ones are copied.
 */
export function prepareConcatenation(ctx: KernelContext<'Concatenation'>): Evaluate {
  const node = ctx.node;
  const out = ctx.output;
  const rank = out.shape.length;
  const axis = node.attrs.axis < 0 ? node.attrs.axis + rank : node.attrs.axis;
  let outer = 1;
  for (let d = 0; d < axis; d++) outer *= out.shape[d];
  const output = ctx.outputArray<Float32Array>();
  const outRow = output.length / Math.max(outer, 1);
  const isFloat = out.dtype === 'float32';
  if (isFloat && node.attrs.activation !== 'none') {
    const r = floatActivationRange(node.attrs.activation) ?? ctx.unsupported(`fused ${node.attrs.activation} is not supported`);
    if (r.min !== -Infinity) ctx.unsupported('fused activations on concatenation are not supported');
  } else if (node.attrs.activation !== 'none') ctx.unsupported('fused activations on quantized concatenation are not supported');
  // Plain integers (int32 in the audio front end) have no quantization: their parts are copied.
  const outQ = isFloat || out.quant === undefined ? undefined : ctx.quant(out);
  const { min, max } = dtypeRange(out.dtype);
  const parts = ctx.node.inputs.map((_, k) => {
    const t = ctx.tensor(k);
    const input = ctx.input<Float32Array>(k);
    const row = input.length / Math.max(outer, 1);
    let scale = 1;
    let bias = 0;
    let requantize = false;
    if (outQ !== undefined) {
      const q = ctx.quant(t);
      requantize = q.scale !== outQ.scale || q.zeroPoint !== outQ.zeroPoint;
      scale = Math.fround(q.scale * Math.fround(1 / outQ.scale));
      bias = Math.fround(-q.zeroPoint * scale);
    }
    return { input, row, scale, bias, requantize };
  });
  const zp = outQ?.zeroPoint ?? 0;
  return () => {
    for (let o = 0; o < outer; o++) {
      let at = o * outRow;
      for (const p of parts) {
        const base = o * p.row;
        if (!p.requantize) output.set(p.input.subarray(base, base + p.row), at);
        else {
          for (let i = 0; i < p.row; i++) {
            const v = roundHalfAway(Math.fround(Math.fround(p.input[base + i] * p.scale) + p.bias)) + zp;
            output[at + i] = v < min ? min : v > max ? max : v;
          }
        }
        at += p.row;
      }
    }
  };
}
