import { consumers, Graph, Node, viewAs } from '@tinyforge/ir';

/** Helpers the passes share: rewiring uses of a tensor, dropping nodes, and compacting unused tensors. */

/** Make every reader of `from` (nodes and graph outputs) read `to` instead. */
export function replaceUses(graph: Graph, from: number, to: number): void {
  for (const node of graph.nodes) node.inputs = node.inputs.map((t) => (t === from ? to : t));
  graph.outputs = graph.outputs.map((t) => (t === from ? to : t));
}

/** The only node reading `tensor`, when it has exactly one reader and is not a graph output. */
export function soleConsumer(graph: Graph, tensor: number): number | undefined {
  if (graph.outputs.includes(tensor)) return undefined;
  const readers = consumers(graph)[tensor];
  return readers.length === 1 && graph.nodes[readers[0]].inputs.filter((t) => t === tensor).length === 1 ? readers[0] : undefined;
}

export function removeNodes(graph: Graph, drop: ReadonlySet<Node>): void {
  graph.nodes = graph.nodes.filter((n) => !drop.has(n));
}

/** Drop tensors no node, input or output refers to, renumbering the rest (their order is kept). */
export function pruneTensors(graph: Graph): Graph {
  const used = new Set<number>([...graph.inputs, ...graph.outputs]);
  for (const n of graph.nodes) for (const t of [...n.inputs, ...n.outputs]) if (t >= 0) used.add(t);
  const renumber = new Int32Array(graph.tensors.length).fill(-1);
  const tensors = graph.tensors.filter((_, i) => used.has(i));
  let k = 0;
  graph.tensors.forEach((_, i) => {
    if (used.has(i)) renumber[i] = k++;
  });
  const map = (t: number): number => (t < 0 ? t : renumber[t]);
  return {
    ...graph,
    tensors,
    nodes: graph.nodes.map((n) => ({ ...n, inputs: n.inputs.map(map), outputs: n.outputs.map(map) }) as Node),
    inputs: graph.inputs.map(map),
    outputs: graph.outputs.map(map),
  };
}

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
