import { consumers, Graph } from './graph';
import { Node } from './ops';

/** Helpers graph transforms share: rewiring uses of a tensor, dropping nodes, and compacting unused tensors. */

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

/** Drop nodes whose outputs nothing reads and that are not graph outputs (last to first, so chains go too). */
export function removeDeadNodes(graph: Graph): void {
  const read = new Uint8Array(graph.tensors.length);
  for (const t of graph.outputs) read[t] = 1;
  const kept: Node[] = [];
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const node = graph.nodes[i];
    if (!node.outputs.some((t) => read[t])) continue;
    kept.push(node);
    for (const t of node.inputs) if (t >= 0) read[t] = 1;
  }
  graph.nodes = kept.reverse();
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
