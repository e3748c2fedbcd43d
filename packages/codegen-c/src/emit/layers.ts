import { emitKernelCall, KernelCall } from '@tinyforge/kernels-cmsis';
import { CWriter } from './c-writer';
import { cCommentText } from './naming';
import { constantArrayBytes, WeightTable } from './weights';

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
export function emitLayerBody(w: CWriter, call: KernelCall, id: string, mem: LayerMemory, weights: WeightTable, defines: Set<string>, constants?: LayerConstants): void {
  emitKernelCall(call, {
    line: (text) => w.line(text),
    comment: (text) => w.comment(cCommentText(text)),
    arena: 'arena',
    at: constants === undefined ? mem.at : (t) => (constants.tensors.push(t), mem.at(t)),
    scratch: mem.scratch,
    aliased: mem.aliased,
    constant: (suffix, ctype, values, comment) => {
      constants?.arrayBytes.push(constantArrayBytes(ctype, values.length));
      return weights.add(`${id}_${suffix}`, ctype, values, comment);
    },
    define: (macro) => defines.add(macro),
  });
}

/**
 * What a layer puts in flash, whatever its names and arena offsets: the bytes of each constant array its family adds,
 * and the tensors it reads (the constant ones among them are arrays of their own, one per tensor however many
 * layers read it). The code generator records it as it emits a layer, so that sizing a set of calls needs no
 * second emission.
 */
export interface LayerConstants {
  arrayBytes: number[];
  tensors: number[];
}

/** A call's LayerConstants without its C: the family's emitter writes into nothing. */
export function measureLayerConstants(call: KernelCall): LayerConstants {
  const constants: LayerConstants = { arrayBytes: [], tensors: [] };
  emitKernelCall(call, {
    line: () => undefined,
    comment: () => undefined,
    arena: 'arena',
    at: (t) => (constants.tensors.push(t), 'x'),
    aliased: true,
    constant: (_suffix, ctype, values) => (constants.arrayBytes.push(constantArrayBytes(ctype, values.length)), 'x'),
    define: () => undefined,
  });
  return constants;
}
