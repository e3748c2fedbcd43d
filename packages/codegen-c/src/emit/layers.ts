import { emitKernelCall, KernelCall } from '@tinyforge/kernels-cmsis';
import { CWriter } from './c-writer';
import { cCommentText } from './naming';
import { WeightTable } from './weights';

/** Where a layer's tensors and scratch memory live, as C expressions. */
export interface LayerMemory {
  /** `arena + <offset>` for a tensor index (or a constant array's name). */
  at(tensor: number): string;
  /** Bytes and offset of the layer's scratch buffer, if it has one. */
  scratch?: { offset: number; size: number; base?: string };
  /** True when a view's output already shares its input's bytes (no copy needed). */
  aliased: boolean;
}

/**
 * The body of one layer function, `static tfg_status <id>(int8_t *arena)`: the call's kernel family
 * (kernels-cmsis) writes its parameter structs, the check that the planned scratch is at least what the kernel asks
 * for, and the call. Constant arrays go to `weights` under names derived from `id`; macros the family needs defined
 * before tfg_nn.h is included go to `defines`.
 */
export function emitLayerBody(w: CWriter, call: KernelCall, id: string, mem: LayerMemory, weights: WeightTable, defines: Set<string>): void {
  emitKernelCall(call, {
    line: (text) => w.line(text),
    comment: (text) => w.comment(cCommentText(text)),
    arena: 'arena',
    at: mem.at,
    scratch: mem.scratch,
    aliased: mem.aliased,
    constant: (suffix, ctype, values, comment) => weights.add(`${id}_${suffix}`, ctype, values, comment),
    define: (macro) => defines.add(macro),
  });
}
