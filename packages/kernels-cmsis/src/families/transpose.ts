/** Transpose of a tensor of rank <= 4 by a constant permutation (Transpose), right-aligned to 4-D. */
import { blobOf, cDims, dimsInts } from './c-text';
import { CallBase, Dims4, defineFamily } from './family';
import { constantOperand, rightAligned } from './lowering';

export interface TransposeCall extends CallBase {
  kernel: 'tfg_transpose_s8';
  input: Dims4;
  /** Output axis i is input axis perm[i], over the right-aligned 4-D shape. */
  perm: [number, number, number, number];
}

export const transposeFamily = defineFamily<TransposeCall>({
  name: 'transpose',
  ops: ['Transpose'],
  kernels: { tfg_transpose_s8: 14 },
  lower(ctx) {
    const { node } = ctx;
    const x = ctx.activation(node.inputs[0]);
    const perm = constantOperand(ctx, node.inputs[1]);
    const rank = x.shape.length;
    if (perm.length !== rank || [...perm].sort().some((p, i) => p !== i)) ctx.fail('KERNEL_BAD_SHAPE', `perm ${JSON.stringify(perm)} is not a permutation of rank ${rank}`);
    const lead = 4 - rank;
    const full = [...Array.from({ length: lead }, (_, i) => i), ...perm.map((p) => p + lead)] as [number, number, number, number];
    return { kernel: 'tfg_transpose_s8', node: node.name, output: node.outputs[0], inputs: [node.inputs[0]], input: rightAligned(x.shape, x.name, ctx.fail), perm: full };
  },
  emit(c, out) {
    out.line(`static const tfg_dims input_dims = ${cDims(c.input)};`);
    out.line(`static const int32_t perm[4] = {${c.perm.join(', ')}};`);
    out.line(`return tfg_transpose_s8(&input_dims, ${out.at(c.inputs[0])}, perm, ${out.at(c.output)});`);
  },
  vector: (c, inputs) => ({ ints: [...dimsInts(c.input), ...c.perm], blobs: [blobOf(inputs[0])] }),
});
