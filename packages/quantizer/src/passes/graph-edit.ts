import { Graph, viewAs } from '@tinyforge/ir';

/** Float constant helpers the passes share (rewiring, dropping nodes and pruning tensors are ir's graph-edit). */

/** A float32 constant's values (copied, so the caller may modify them). */
export function floatConstant(graph: Graph, index: number): Float32Array | undefined {
  const t = graph.tensors[index];
  if (t === undefined || t.data === undefined || t.dtype !== 'float32') return undefined;
  return copyFloats(t.data);
}

/** Float32 values of little-endian bytes, copied (model data is often an unaligned view into a file buffer). */
export function copyFloats(bytes: Uint8Array): Float32Array {
  return Float32Array.from(viewAs(bytes, 'float32'));
}

export function floatBytes(values: Float32Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}
