/**
 * Views (Reshape, Squeeze, Identity): the output is the input's bytes. The plan normally aliases them; where it
 * could not, tfg_reshape_s8 copies.
 */
import { blobOf } from './c-text';
import { CallBase, defineFamily } from './family';
import { tensorBytes } from '@tinyforge/ir';

export interface ReshapeCall extends CallBase {
  kernel: 'tfg_reshape_s8';
  /** Bytes (any element type: a reshape moves bytes). */
  size: number;
}

export const reshapeFamily = defineFamily<ReshapeCall>({
  name: 'reshape',
  ops: ['Reshape', 'Squeeze', 'Identity'],
  kernels: { tfg_reshape_s8: 9 },
  lower(ctx) {
    const { node } = ctx;
    return { kernel: 'tfg_reshape_s8', node: node.name, output: node.outputs[0], inputs: [node.inputs[0]], size: tensorBytes(ctx.tensor(node.inputs[0])) };
  },
  inPlace: () => ({ inputPosition: 0, rule: { kind: 'same' } }),
  emit(c, out) {
    if (out.aliased) {
      out.comment('a view: the output shares the input bytes, nothing to move');
      out.line(`(void)${out.arena};`);
      out.line('return TFG_OK;');
      return;
    }
    out.line(`return tfg_reshape_s8(${out.at(c.inputs[0])}, ${out.at(c.output)}, ${c.size});`);
  },
  vector: (c, inputs) => ({ ints: [c.size], blobs: [blobOf(inputs[0])] }),
});
