import { Graph, Tensor, tensorBytes } from '@tinyforge/ir';
import { alignUp } from './types';

/**
 * Op state (Tensor.state: LSTM/SVDF/GRU state) has no place in the reused arena: it is read before any layer writes
 * it, and persistent state must survive from one invoke to the next. It gets a static region of its own, one slot
 * per state tensor. Persistent slots are set to their reset value at the model's first invoke and by
 * `<prefix>_reset_state()`; per-run slots at the start of every invoke (ONNX recurrent ops start from zero state).
 */
export interface StateBuffer {
  name: string;
  tensor: number;
  kind: 'persistent' | 'per-run';
  offset: number;
  size: number;
  /** The byte every element starts from: an int8 tensor's zero point, else 0 (TFLite Micro's ResetVariableTensors). */
  resetByte: number;
}

export interface StateRegion {
  size: number;
  buffers: StateBuffer[];
}

/** The reset value of a state tensor as the byte memset writes (the interpreter's initial value). */
export function stateResetByte(t: Tensor): number {
  return t.dtype === 'int8' && t.quant !== undefined ? t.quant.zeroPoint[0] & 0xff : 0;
}

/** One aligned slot per state tensor, in tensor order. */
export function planState(graph: Graph, align: number): StateRegion {
  const buffers: StateBuffer[] = [];
  let size = 0;
  graph.tensors.forEach((t, tensor) => {
    if (t.state === undefined) return;
    const bytes = tensorBytes(t);
    buffers.push({ name: t.name, tensor, kind: t.state, offset: size, size: bytes, resetByte: stateResetByte(t) });
    size = alignUp(size + bytes, align);
  });
  return { size, buffers };
}
