/**
 * TRANSPOSE and CONCATENATION of tensors that are not int8 (int16, int32, float32): tfg_transpose and
 * tfg_concatenation move elements of any size; int16 concatenation inputs quantized differently from the output
 * are requantized with TFLite's ConcatenationWithScaling (float32 scale and bias). The int8 families keep int8.
 */
import { Graph, Node, NodeOf, elementCount } from '@tinyforge/ir';
import { blobOf, cDims, cFloat, cStruct, dimsInts, floatBits } from './c-text';
import { CallBase, Dims4, defineFamily } from './family';
import { constantOperand, rightAligned } from './lowering';
import { elementBytes } from './s16-common';

export interface GatherAnyCall extends CallBase {
  kernel: 'tfg_transpose' | 'tfg_concatenation';
  elementBytes: number;
  /** Transpose: the input right-aligned to 4-D and the permutation of the 4 axes. */
  input: Dims4;
  perm: number[];
  /** Concatenation: outer steps, output zero point, each input's row (elements) and requantization. */
  outer: number;
  outputOffset: number;
  parts: { row: number; requantize: boolean; scale: number; bias: number }[];
}

const takes = (graph: Graph, node: Node): boolean => graph.tensors[node.inputs[0]]?.dtype !== 'int8';
const MAX_INPUTS = 8;

export const gatherAnyFamily = defineFamily<GatherAnyCall>({
  name: 'gather-any',
  ops: ['Transpose', 'Concatenation'],
  takes,
  kernels: { tfg_transpose: 34, tfg_concatenation: 34 },
  lower(ctx) {
    const { node } = ctx;
    const y = ctx.tensor(node.outputs[0]);
    const bytes = elementBytes(ctx, y);
    const none = { input: { n: 1, h: 1, w: 1, c: 1 }, perm: [0, 1, 2, 3], outer: 0, outputOffset: 0, parts: [] };
    if (node.op === 'Transpose') {
      const x = ctx.tensor(node.inputs[0]);
      const perm = constantOperand(ctx, node.inputs[1]);
      const lead = 4 - x.shape.length;
      const perm4 = [...Array.from({ length: lead }, (_, i) => i), ...perm.map((p) => p + lead)];
      return { ...none, kernel: 'tfg_transpose', node: node.name, output: node.outputs[0], inputs: [node.inputs[0]], elementBytes: bytes, input: rightAligned(x.shape, x.name, ctx.fail), perm: perm4 };
    }
    const attrs = (node as NodeOf<'Concatenation'>).attrs;
    if (attrs.activation !== 'none') ctx.fail('KERNEL_UNSUPPORTED_OP', 'fused activations on concatenation are not supported');
    if (bytes === 1) ctx.fail('KERNEL_UNSUPPORTED_TYPE', 'int8 concatenation is the concatenation family’s');
    if (node.inputs.length > MAX_INPUTS) ctx.fail('KERNEL_UNSUPPORTED_OP', `concatenation of ${node.inputs.length} inputs (at most ${MAX_INPUTS})`);
    const axis = attrs.axis < 0 ? attrs.axis + y.shape.length : attrs.axis;
    const outer = elementCount(y.shape.slice(0, axis));
    const quantized = y.dtype === 'int16';
    const outScale = quantized ? Math.fround(y.quant!.scale[0]) : 1;
    const parts = node.inputs.map((t) => {
      const x = quantized ? ctx.quantized(t, ['int16']) : ctx.tensor(t);
      if (x.dtype !== y.dtype) ctx.fail('KERNEL_UNSUPPORTED_TYPE', `input '${x.name}' is ${x.dtype}, the output ${y.dtype}`);
      const row = elementCount(x.shape) / Math.max(outer, 1);
      if (!quantized) return { row, requantize: false, scale: 1, bias: 0 };
      const sx = Math.fround(x.quant!.scale[0]);
      const scale = Math.fround(sx * Math.fround(1 / outScale));
      return { row, requantize: sx !== outScale || x.quant!.zeroPoint[0] !== y.quant!.zeroPoint[0], scale, bias: Math.fround(-x.quant!.zeroPoint[0] * scale) };
    });
    return { ...none, kernel: 'tfg_concatenation', node: node.name, output: node.outputs[0], inputs: [...node.inputs], elementBytes: bytes, outer, outputOffset: quantized ? y.quant!.zeroPoint[0] : 0, parts };
  },
  emit(c, out) {
    if (c.kernel === 'tfg_transpose') {
      out.line(`static const tfg_dims input_dims = ${cDims(c.input)};`);
      out.line(`static const int32_t perm[4] = {${c.perm.join(', ')}};`);
      out.line(`return tfg_transpose(&input_dims, ${out.at(c.inputs[0])}, perm, ${c.elementBytes}, ${out.at(c.output)});`);
      return;
    }
    const parts = c.parts.map((p, k) => cStruct({ data: out.at(c.inputs[k]), row: p.row, requantize: p.requantize ? 1 : 0, scale: cFloat(p.scale), bias: cFloat(p.bias) }));
    out.line(`const tfg_concat_input parts[${parts.length}] = {${parts.join(', ')}};`);
    out.line(`return tfg_concatenation(parts, ${parts.length}, ${c.outer}, ${c.outputOffset}, ${c.elementBytes}, ${out.at(c.output)});`);
  },
  vector: (c, inputs) => ({
    ints: [
      c.kernel === 'tfg_transpose' ? 0 : 1,
      c.elementBytes,
      ...dimsInts(c.input),
      ...c.perm,
      c.parts.length,
      c.outer,
      c.outputOffset,
      ...c.parts.flatMap((p) => [p.row, p.requantize ? 1 : 0, floatBits(p.scale), floatBits(p.bias)]),
    ],
    blobs: inputs.map((x) => blobOf(x)),
  }),
});
