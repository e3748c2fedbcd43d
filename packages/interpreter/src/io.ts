import { dtypeBytes, elementCount, Graph } from '@tinyforge/ir';
import { InterpreterError } from './errors';

/** Byte size of each graph input, in model order. */
export function inputByteSizes(graph: Graph): number[] {
  return graph.inputs.map((t) => elementCount(graph.tensors[t].shape) * dtypeBytes(graph.tensors[t].dtype));
}

/** Byte size of each graph output, in model order. */
export function outputByteSizes(graph: Graph): number[] {
  return graph.outputs.map((t) => elementCount(graph.tensors[t].shape) * dtypeBytes(graph.tensors[t].dtype));
}

/** Split one buffer holding all inputs back to back (the gold-file layout) into one buffer per input. */
export function splitInputs(graph: Graph, bytes: Uint8Array): Uint8Array[] {
  const sizes = inputByteSizes(graph);
  const total = sizes.reduce((a, b) => a + b, 0);
  if (bytes.byteLength !== total) {
    throw new InterpreterError('INTERP_INPUT', `the inputs take ${total} bytes (${sizes.join(' + ')}), got ${bytes.byteLength}`);
  }
  let at = 0;
  return sizes.map((n) => {
    const part = bytes.subarray(at, at + n);
    at += n;
    return part;
  });
}

/** Concatenate buffers in order (outputs to the gold-file layout). */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
