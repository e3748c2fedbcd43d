/**
 * Concatenation along any axis (Concatenation), up to 8 inputs, each requantized to the output's scale where it
 * differs (TFLite's ConcatenationWithScaling, in float32). The output must not overlap an input.
 */
import { NodeOf } from '@tinyforge/ir';
import { blobOf, cFloat, cStruct, floatBits } from './c-text';
import { CallBase, defineFamily } from './family';
import { elementCount } from './lowering';

export interface ConcatPart {
  /** Bytes this input contributes per outer step. */
  row: number;
  requantize: boolean;
  /** float32 scale and bias of TFLite's ConcatenationWithScaling (used when requantize). */
  scale: number;
  bias: number;
}

export interface ConcatCall extends CallBase {
  kernel: 'tfg_concatenation_s8';
  outer: number;
  outputOffset: number;
  /** One per input, in `inputs` order. */
  parts: ConcatPart[];
}

/** The vector format's limit (TFG_VECTOR_MAX_BLOBS) and the C kernel's documented use. */
const MAX_INPUTS = 8;

export const concatenationFamily = defineFamily<ConcatCall>({
  name: 'concatenation',
  ops: ['Concatenation'],
  kernels: { tfg_concatenation_s8: 15 },
  lower(ctx) {
    const node = ctx.node as NodeOf<'Concatenation'>;
    const attrs = node.attrs;
    const y = ctx.activation(node.outputs[0]);
    if (attrs.activation !== 'none') ctx.fail('KERNEL_UNSUPPORTED_OP', 'fused activations on int8 concatenation are not supported');
    const axis = attrs.axis < 0 ? attrs.axis + y.shape.length : attrs.axis;
    const outer = elementCount(y.shape.slice(0, axis));
    if (node.inputs.length > MAX_INPUTS) ctx.fail('KERNEL_UNSUPPORTED_OP', `concatenation of ${node.inputs.length} inputs (at most ${MAX_INPUTS})`);
    const outScale = Math.fround(y.quant.scale[0]);
    const parts = node.inputs.map((t) => {
      const x = ctx.activation(t);
      const sx = Math.fround(x.quant.scale[0]);
      const requantize = sx !== outScale || x.quant.zeroPoint[0] !== y.quant.zeroPoint[0];
      // TFLite's ConcatenationWithScaling: float32 scale = in / out, bias = -zero_point · scale.
      const scale = Math.fround(sx * Math.fround(1 / outScale));
      return { row: elementCount(x.shape) / Math.max(outer, 1), requantize, scale, bias: Math.fround(-x.quant.zeroPoint[0] * scale) };
    });
    return { kernel: 'tfg_concatenation_s8', node: node.name, output: node.outputs[0], inputs: [...node.inputs], outer, outputOffset: y.quant.zeroPoint[0], parts };
  },
  emit(c, out) {
    const parts = c.parts.map((p, k) =>
      cStruct({ data: out.at(c.inputs[k]), row: p.row, requantize: p.requantize ? 1 : 0, scale: cFloat(p.scale), bias: cFloat(p.bias) }),
    );
    out.line(`const tfg_concat_input parts[${parts.length}] = {${parts.join(', ')}};`);
    out.line(`return tfg_concatenation_s8(parts, ${parts.length}, ${c.outer}, ${c.outputOffset}, ${out.at(c.output)});`);
  },
  vector: (c, inputs) => ({
    ints: [c.parts.length, c.outer, c.outputOffset, ...c.parts.flatMap((p) => [p.row, p.requantize ? 1 : 0, floatBits(p.scale), floatBits(p.bias)])],
    blobs: inputs.map((x) => blobOf(x)),
  }),
});
