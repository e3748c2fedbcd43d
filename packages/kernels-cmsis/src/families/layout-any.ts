/**
 * Byte-moving layout ops for any element size (int8, int16, int32, float32): PAD of non-int8 tensors (tfg_pad; the
 * int8 pad family keeps int8) and STRIDED_SLICE (tfg_strided_slice), both on tensors right-aligned to rank 4.
 */
import { Graph, Node, NodeOf, constantInts, resolveStridedSlice } from '@tinyforge/ir';
import { blobOf, cDims, cStruct, dimsInts, floatBits } from './c-text';
import { CallBase, Dims4, defineFamily } from './family';
import { constantOperand, rightAligned } from './lowering';
import { elementBytes } from './s16-common';

export interface LayoutAnyCall extends CallBase {
  kernel: 'tfg_pad' | 'tfg_strided_slice';
  input: Dims4;
  outputDims: Dims4;
  elementBytes: number;
  /** Pad: leading padding and the fill (float fills as their bit pattern). */
  padBefore: Dims4;
  fill: number;
  /** Strided slice: first element and step per axis. */
  begin: Dims4;
  stride: Dims4;
}

const takes = (graph: Graph, node: Node): boolean => node.op === 'StridedSlice' || graph.tensors[node.inputs[0]]?.dtype !== 'int8';
const ZERO: Dims4 = { n: 0, h: 0, w: 0, c: 0 };

export const layoutAnyFamily = defineFamily<LayoutAnyCall>({
  name: 'layout-any',
  ops: ['Pad', 'StridedSlice'],
  takes,
  kernels: { tfg_pad: 26, tfg_strided_slice: 26 },
  lower(ctx) {
    const { node } = ctx;
    const x = ctx.tensor(node.inputs[0]);
    const y = ctx.tensor(node.outputs[0]);
    const bytes = elementBytes(ctx, x);
    const base = { node: node.name, output: node.outputs[0], inputs: [node.inputs[0]], input: rightAligned(x.shape, x.name, ctx.fail), elementBytes: bytes };
    if (node.op === 'Pad') {
      const paddings = constantOperand(ctx, node.inputs[1]);
      if (paddings.length !== 2 * x.shape.length) ctx.fail('KERNEL_BAD_SHAPE', `paddings have ${paddings.length} values for rank ${x.shape.length}`);
      const padBefore = rightAligned(x.shape.map((_, d) => paddings[2 * d]), 'paddings', ctx.fail);
      const lead = Object.fromEntries(['n', 'h', 'w', 'c'].slice(0, 4 - x.shape.length).map((k) => [k, 0]));
      let fill = 0;
      const valueIndex = node.inputs[2];
      if (valueIndex !== undefined && valueIndex >= 0) {
        const v = ctx.tensor(valueIndex);
        if (v.data === undefined) ctx.fail('KERNEL_UNSUPPORTED_OP', 'the pad value must be a constant');
        fill = v.dtype === 'float32' ? floatBits(new Float32Array(v.data!.buffer.slice(v.data!.byteOffset, v.data!.byteOffset + 4))[0]) : constantInts(v)[0];
        if (v.dtype !== x.dtype) ctx.fail('KERNEL_UNSUPPORTED_TYPE', `the pad value is ${v.dtype}, the tensor ${x.dtype}`);
      } else if (y.dtype !== 'float32' && y.quant !== undefined) fill = y.quant.zeroPoint[0];
      return { ...base, kernel: 'tfg_pad', outputDims: rightAligned(y.shape, y.name, ctx.fail), padBefore: { ...padBefore, ...lead }, fill, begin: ZERO, stride: ZERO };
    }
    const a = (node as NodeOf<'StridedSlice'>).attrs;
    const { start, stop, step } = resolveStridedSlice(x.shape, constantOperand(ctx, node.inputs[1]), constantOperand(ctx, node.inputs[2]), constantOperand(ctx, node.inputs[3]), a, (m: string) =>
      ctx.fail('KERNEL_BAD_SHAPE', m),
    );
    const counts = start.map((s, d) => Math.max(0, step[d] > 0 ? Math.ceil((stop[d] - s) / step[d]) : Math.ceil((s - stop[d]) / -step[d])));
    const pad4 = (v: number[], fillWith: number): Dims4 => {
      const [n, h, w, c] = [...Array(4 - v.length).fill(fillWith), ...v];
      return { n, h, w, c };
    };
    if (x.shape.length > 4) ctx.fail('KERNEL_BAD_SHAPE', `tensor '${x.name}' has rank ${x.shape.length}; kernels take rank <= 4`);
    return { ...base, kernel: 'tfg_strided_slice', outputDims: pad4(counts, 1), padBefore: ZERO, fill: 0, begin: pad4(start, 0), stride: pad4(step, 1) };
  },
  emit(c, out) {
    out.line(`static const tfg_dims input_dims = ${cDims(c.input)};`);
    out.line(`static const tfg_dims output_dims = ${cDims(c.outputDims)};`);
    if (c.kernel === 'tfg_pad') {
      out.line(`static const tfg_dims pad_before = ${cDims(c.padBefore)};`);
      out.line(`return tfg_pad(&input_dims, ${out.at(c.inputs[0])}, &pad_before, &output_dims, ${c.elementBytes}, ${c.fill === -2147483648 ? '(-2147483647 - 1)' : c.fill}, ${out.at(c.output)});`);
      return;
    }
    out.line(`static const tfg_slice_params params = ${cStruct({ begin: cDims(c.begin), stride: cDims(c.stride), element_bytes: c.elementBytes })};`);
    out.line(`return tfg_strided_slice(&params, &input_dims, ${out.at(c.inputs[0])}, &output_dims, ${out.at(c.output)});`);
  },
  vector: (c, inputs) => ({
    ints: [c.kernel === 'tfg_pad' ? 0 : 1, ...dimsInts(c.input), ...dimsInts(c.outputDims), c.elementBytes, ...dimsInts(c.padBefore), c.fill, ...dimsInts(c.begin), ...dimsInts(c.stride)],
    blobs: [blobOf(inputs[0])],
  }),
});
