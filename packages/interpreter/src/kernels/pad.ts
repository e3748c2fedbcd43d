import { constantInts } from '@tinyforge/ir';
import { Evaluate, KernelContext } from './context';

/** PAD / PADV2: fill with the constant value (input 2) or, for quantized tensors, the output zero point. */
export function preparePad(ctx: KernelContext): Evaluate {
  const x = ctx.tensor(0);
  const out = ctx.output;
  const paddings = constantInts(ctx.tensor(1));
  let fill = 0;
  if (ctx.hasInput(2)) {
    const c = ctx.tensor(2);
    if (c.data === undefined) ctx.unsupported('the pad value must be a constant');
    fill = Number(ctx.input<Float32Array>(2)[0]);
  } else if (out.dtype !== 'float32' && out.quant !== undefined) fill = ctx.quant(out).zeroPoint;
  const rank = x.shape.length;
  const inStrides = strides(x.shape);
  const outStrides = strides(out.shape);
  const input = ctx.input<Float32Array>(0);
  const output = ctx.outputArray<Float32Array>();
  // Map every input element to its output position once; evaluation is a fill and a scatter.
  const target = new Int32Array(input.length);
  for (let i = 0; i < input.length; i++) {
    let o = 0;
    for (let d = 0; d < rank; d++) o += (Math.floor(i / inStrides[d]) % x.shape[d] + paddings[2 * d]) * outStrides[d];
    target[i] = o;
  }
  return () => {
    output.fill(fill);
    for (let i = 0; i < input.length; i++) output[target[i]] = input[i];
  };
}

export function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let d = shape.length - 2; d >= 0; d--) s[d] = s[d + 1] * shape[d + 1];
  return s;
}
