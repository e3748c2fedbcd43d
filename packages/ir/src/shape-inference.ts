import { IrValidationError } from './errors';
import { Graph } from './graph';
import { Node, NodeOf } from './ops';
import { padAxis } from './padding';
import { constantInts, elementCount, shapeToString, Tensor } from './tensor';

/**
 * Output shapes of one node from its input shapes (and constant operands). Throws IrValidationError naming the
 * node when the inputs are inconsistent.
 */
export function inferOutputShapes(graph: Graph, node: Node): number[][] {
  const fail = (msg: string): never => {
    throw new IrValidationError('IR_SHAPE', `${node.op}: ${msg}`, { node: node.name });
  };
  const input = (i: number): Tensor => {
    const idx = node.inputs[i];
    const t = idx === undefined || idx < 0 ? undefined : graph.tensors[idx];
    return t ?? fail(`missing input ${i}`);
  };
  const optional = (i: number): Tensor | undefined => {
    const idx = node.inputs[i];
    return idx === undefined || idx < 0 ? undefined : graph.tensors[idx];
  };
  const constInts = (i: number, what: string): number[] => {
    const t = input(i);
    if (t.data === undefined) fail(`${what} must be a constant tensor`);
    return constantInts(t);
  };
  const rank = (t: Tensor, r: number, what: string): void => {
    if (t.shape.length !== r) fail(`${what} must have rank ${r}, got ${shapeToString(t.shape)}`);
  };
  const positive = (v: number, what: string): void => {
    if (!Number.isInteger(v) || v < 1) fail(`${what} must be a positive integer, got ${v}`);
  };

  switch (node.op) {
    case 'Conv2D':
    case 'DepthwiseConv2D': {
      const x = input(0);
      const w = input(1);
      rank(x, 4, 'input');
      rank(w, 4, 'filter');
      const a = node.attrs;
      positive(a.strideH, 'strideH');
      positive(a.strideW, 'strideW');
      positive(a.dilationH, 'dilationH');
      positive(a.dilationW, 'dilationW');
      let outC: number;
      if (node.op === 'Conv2D') {
        outC = w.shape[0];
        const inC = w.shape[3];
        if (inC < 1 || x.shape[3] % inC !== 0) {
          fail(`filter ${shapeToString(w.shape)} does not match input channels ${x.shape[3]}`);
        }
      } else {
        const m = (node as NodeOf<'DepthwiseConv2D'>).attrs.depthMultiplier;
        positive(m, 'depthMultiplier');
        outC = w.shape[3];
        if (w.shape[0] !== 1 || outC !== x.shape[3] * m) {
          fail(`filter ${shapeToString(w.shape)} does not match input channels ${x.shape[3]} × multiplier ${m}`);
        }
      }
      const bias = optional(2);
      if (bias !== undefined && elementCount(bias.shape) !== outC) {
        fail(`bias has ${elementCount(bias.shape)} elements, expected ${outC}`);
      }
      const h = padAxis(x.shape[1], w.shape[1], a.strideH, a.dilationH, a.padding, 'h');
      const ww = padAxis(x.shape[2], w.shape[2], a.strideW, a.dilationW, a.padding, 'w');
      if (h.out < 1 || ww.out < 1) fail(`output would be empty (${h.out}×${ww.out})`);
      return [[x.shape[0], h.out, ww.out, outC]];
    }
    case 'FullyConnected': {
      const x = input(0);
      const w = input(1);
      rank(w, 2, 'weights');
      const [outDim, inDim] = w.shape;
      const total = elementCount(x.shape);
      if (inDim < 1 || total % inDim !== 0) {
        fail(`input ${shapeToString(x.shape)} is not a multiple of the weights' input depth ${inDim}`);
      }
      const bias = optional(2);
      if (bias !== undefined && elementCount(bias.shape) !== outDim) {
        fail(`bias has ${elementCount(bias.shape)} elements, expected ${outDim}`);
      }
      if (node.attrs.keepNumDims) return [[...x.shape.slice(0, -1), outDim]];
      return [[total / inDim, outDim]];
    }
    case 'AveragePool2D':
    case 'MaxPool2D': {
      const x = input(0);
      rank(x, 4, 'input');
      const a = node.attrs;
      positive(a.filterH, 'filterH');
      positive(a.filterW, 'filterW');
      positive(a.strideH, 'strideH');
      positive(a.strideW, 'strideW');
      const h = padAxis(x.shape[1], a.filterH, a.strideH, 1, a.padding, 'h');
      const w = padAxis(x.shape[2], a.filterW, a.strideW, 1, a.padding, 'w');
      if (h.out < 1 || w.out < 1) fail(`output would be empty (${h.out}×${w.out})`);
      return [[x.shape[0], h.out, w.out, x.shape[3]]];
    }
    case 'Reshape': {
      const x = input(0);
      const out = graph.tensors[node.outputs[0]];
      let shape: number[];
      const shapeInput = optional(1);
      if (shapeInput !== undefined && shapeInput.data !== undefined) {
        shape = constantInts(shapeInput);
      } else if (out !== undefined) {
        shape = [...out.shape];
      } else {
        return fail('no target shape');
      }
      const known = shape.filter((d) => d !== -1).reduce((p, d) => p * d, 1);
      const wild = shape.filter((d) => d === -1).length;
      const total = elementCount(x.shape);
      if (wild > 1 || shape.some((d) => d < -1)) fail(`invalid target shape ${shapeToString(shape)}`);
      if (wild === 1) {
        if (known === 0 || total % known !== 0) fail(`cannot reshape ${shapeToString(x.shape)} to ${shapeToString(shape)}`);
        shape = shape.map((d) => (d === -1 ? total / known : d));
      }
      if (elementCount(shape) !== total) fail(`cannot reshape ${shapeToString(x.shape)} to ${shapeToString(shape)}`);
      return [shape];
    }
    case 'Squeeze': {
      const x = input(0);
      const r = x.shape.length;
      const axes = node.attrs.axes.map((a) => (a < 0 ? a + r : a));
      if (axes.some((a) => a < 0 || a >= r)) fail(`axes ${shapeToString(node.attrs.axes)} out of range for rank ${r}`);
      if (axes.length === 0) return [x.shape.filter((d) => d !== 1)];
      for (const a of axes) if (x.shape[a] !== 1) fail(`cannot squeeze axis ${a} of size ${x.shape[a]}`);
      return [x.shape.filter((_, i) => !axes.includes(i))];
    }
    case 'Add':
    case 'Sub':
    case 'Mul':
    case 'Div':
      return [broadcastShapes(input(0).shape, input(1).shape) ?? fail(`shapes ${shapeToString(input(0).shape)} and ${shapeToString(input(1).shape)} do not broadcast`)];
    case 'Mean': {
      const x = input(0);
      const r = x.shape.length;
      const axes = constInts(1, 'axes').map((a) => (a < 0 ? a + r : a));
      if (axes.some((a) => a < 0 || a >= r)) fail(`axes out of range for rank ${r}`);
      if (node.attrs.keepDims) return [x.shape.map((d, i) => (axes.includes(i) ? 1 : d))];
      return [x.shape.filter((_, i) => !axes.includes(i))];
    }
    case 'Pad': {
      const x = input(0);
      const p = constInts(1, 'paddings');
      if (p.length !== 2 * x.shape.length) fail(`paddings must be [${x.shape.length}, 2], got ${p.length} values`);
      if (p.some((v) => v < 0)) fail('negative paddings are not supported');
      return [x.shape.map((d, i) => d + p[2 * i] + p[2 * i + 1])];
    }
    case 'Concatenation': {
      const first = input(0);
      const r = first.shape.length;
      const axis = node.attrs.axis < 0 ? node.attrs.axis + r : node.attrs.axis;
      if (axis < 0 || axis >= r) fail(`axis ${node.attrs.axis} out of range for rank ${r}`);
      const out = [...first.shape];
      for (let i = 1; i < node.inputs.length; i++) {
        const t = input(i);
        if (t.shape.length !== r || t.shape.some((d, j) => j !== axis && d !== first.shape[j])) {
          fail(`input ${i} ${shapeToString(t.shape)} does not match ${shapeToString(first.shape)} outside axis ${axis}`);
        }
        out[axis] += t.shape[axis];
      }
      return [out];
    }
    case 'Transpose': {
      const x = input(0);
      const perm = constInts(1, 'perm');
      const sorted = [...perm].sort((a, b) => a - b);
      if (perm.length !== x.shape.length || sorted.some((v, i) => v !== i)) {
        fail(`perm ${shapeToString(perm)} is not a permutation of rank ${x.shape.length}`);
      }
      return [perm.map((p) => x.shape[p])];
    }
    case 'StridedSlice':
      return [stridedSliceShape(input(0).shape, constInts(1, 'begin'), constInts(2, 'end'), constInts(3, 'strides'), node.attrs, fail)];
    case 'BatchNorm': {
      const x = input(0);
      const c = x.shape[x.shape.length - 1];
      for (let i = 1; i < 5; i++) {
        if (elementCount(input(i).shape) !== c) fail(`parameter ${i} must have ${c} elements (one per channel)`);
      }
      return [[...x.shape]];
    }
    case 'Softmax':
    case 'Quantize':
    case 'Dequantize':
    case 'Logistic':
    case 'Tanh':
    case 'Relu':
    case 'Relu6':
    case 'LeakyRelu':
    case 'HardSwish':
    case 'Clip':
    case 'Identity':
    case 'Round':
    case 'Abs':
    case 'Sign':
    case 'Cast':
      return [[...input(0).shape]];
  }
}

/** Numpy broadcasting of two shapes, or undefined if they do not broadcast. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] | undefined {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const da = a[a.length - r + i] ?? 1;
    const db = b[b.length - r + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return undefined;
    out.push(da === 1 ? db : da);
  }
  return out;
}

export interface StridedSliceAttrs {
  beginMask: number;
  endMask: number;
  ellipsisMask: number;
  newAxisMask: number;
  shrinkAxisMask: number;
  offset: boolean;
}

/** Resolved per-axis start/stop/step of a STRIDED_SLICE (TFLite semantics, no ellipsis/new-axis). */
export function resolveStridedSlice(
  shape: readonly number[],
  begin: number[],
  end: number[],
  strides: number[],
  a: StridedSliceAttrs,
  fail: (msg: string) => never,
): { start: number[]; stop: number[]; step: number[] } {
  if (a.ellipsisMask !== 0 || a.newAxisMask !== 0) fail('ellipsis_mask and new_axis_mask are not supported');
  const r = shape.length;
  if (begin.length !== r || end.length !== r || strides.length !== r) {
    fail(`begin/end/strides must have ${r} elements`);
  }
  const start: number[] = [];
  const stop: number[] = [];
  for (let i = 0; i < r; i++) {
    const dim = shape[i];
    const s = strides[i];
    if (s === 0) fail(`stride of axis ${i} is zero`);
    const clamp = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);
    let b = begin[i];
    let e = a.offset ? begin[i] + end[i] : end[i];
    if (a.beginMask & (1 << i)) b = s > 0 ? 0 : dim - 1;
    else {
      if (b < 0) b += dim;
      b = s > 0 ? clamp(b, 0, dim) : clamp(b, -1, dim - 1);
    }
    if (a.shrinkAxisMask & (1 << i)) {
      e = b + 1;
    } else if (a.endMask & (1 << i)) e = s > 0 ? dim : -1;
    else {
      if (e < 0) e += dim;
      e = s > 0 ? clamp(e, 0, dim) : clamp(e, -1, dim - 1);
    }
    start.push(b);
    stop.push(e);
  }
  return { start, stop, step: [...strides] };
}

function stridedSliceShape(
  shape: readonly number[],
  begin: number[],
  end: number[],
  strides: number[],
  a: StridedSliceAttrs,
  fail: (msg: string) => never,
): number[] {
  const { start, stop, step } = resolveStridedSlice(shape, begin, end, strides, a, fail);
  const out: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (a.shrinkAxisMask & (1 << i)) continue;
    const n = step[i] > 0 ? Math.ceil((stop[i] - start[i]) / step[i]) : Math.ceil((start[i] - stop[i]) / -step[i]);
    out.push(Math.max(n, 0));
  }
  return out;
}

/** Fill every node's output shapes by inference, in execution order (importers use this when a file lacks them). */
export function inferShapes(graph: Graph): void {
  for (const node of graph.nodes) {
    const shapes = inferOutputShapes(graph, node);
    node.outputs.forEach((t, i) => {
      graph.tensors[t].shape = shapes[i];
    });
  }
}
