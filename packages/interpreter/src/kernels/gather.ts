import { constantInts, resolveStridedSlice } from '@tinyforge/ir';
import { InterpreterError } from '../errors';
import { Evaluate, KernelContext } from './context';
import { strides } from './pad';

/** Ops that only move elements: for each output element, the input element it copies, computed in preparation. */
function copyByIndex(ctx: KernelContext, source: Int32Array): Evaluate {
  const input = ctx.input<Float32Array>(0);
  const output = ctx.outputArray<Float32Array>();
  return () => {
    for (let i = 0; i < source.length; i++) output[i] = input[source[i]];
  };
}

/** Ops whose output element at coordinates c copies the input element `source(c)` (a flat input index). */
function copyByCoordinates(ctx: KernelContext, source: (coords: number[]) => number): Evaluate {
  const shape = ctx.output.shape;
  const outStrides = strides(shape);
  const n = ctx.outputArray<Float32Array>().length;
  const table = new Int32Array(n);
  for (let o = 0; o < n; o++) table[o] = source(shape.map((d, k) => Math.floor(o / outStrides[k]) % d));
  return copyByIndex(ctx, table);
}

/** TRANSPOSE by a constant permutation: output axis d runs along input axis perm[d]. */
export function prepareTranspose(ctx: KernelContext): Evaluate {
  const perm = constantInts(ctx.tensor(1));
  const inStrides = strides(ctx.tensor(0).shape);
  return copyByCoordinates(ctx, (c) => c.reduce((i, v, d) => i + v * inStrides[perm[d]], 0));
}

/** STRIDED_SLICE with constant begin/end/strides (TFLite semantics; no ellipsis or new axes). */
export function prepareStridedSlice(ctx: KernelContext<'StridedSlice'>): Evaluate {
  const node = ctx.node;
  const x = ctx.tensor(0);
  const fail = (msg: string): never => {
    throw new InterpreterError('INTERP_UNSUPPORTED', `StridedSlice: ${msg}`, { node: node.name });
  };
  const { start, stop, step } = resolveStridedSlice(
    x.shape,
    constantInts(ctx.tensor(1)),
    constantInts(ctx.tensor(2)),
    constantInts(ctx.tensor(3)),
    node.attrs,
    fail,
  );
  const inStrides = strides(x.shape);
  const counts = start.map((s, d) => Math.max(0, step[d] > 0 ? Math.ceil((stop[d] - s) / step[d]) : Math.ceil((s - stop[d]) / -step[d])));
  const n = counts.reduce((a, b) => a * b, 1);
  const source = new Int32Array(n);
  const countStrides = strides(counts);
  for (let o = 0; o < n; o++) {
    let i = 0;
    for (let d = 0; d < counts.length; d++) i += (start[d] + (Math.floor(o / countStrides[d]) % counts[d]) * step[d]) * inStrides[d];
    source[o] = i;
  }
  return copyByIndex(ctx, source);
}

/** TILE by constant multiples: output element (o₀, o₁, …) copies input element (o₀ mod d₀, o₁ mod d₁, …). */
export function prepareTile(ctx: KernelContext): Evaluate {
  const shape = ctx.tensor(0).shape;
  const inStrides = strides(shape);
  return copyByCoordinates(ctx, (c) => c.reduce((i, v, d) => i + (v % shape[d]) * inStrides[d], 0));
}
