import { Graph, Node } from '@tinyforge/ir';

/**
 * One node of a graph as a graph of its own: its activation inputs become graph inputs, its first output the graph
 * output, constants are kept. Used to compare one int8 layer against another runtime on exactly our int8 inputs,
 * so that differences do not accumulate through the network. `sources` are the full graph's tensors behind the
 * new graph's inputs, in order.
 */
export function singleNodeGraph(graph: Graph, node: Node): { graph: Graph; sources: number[] } {
  const used = [...new Set([...node.inputs.filter((t) => t >= 0), ...node.outputs])];
  const local = new Map(used.map((t, k) => [t, k]));
  const sources = [...new Set(node.inputs.filter((t) => t >= 0 && graph.tensors[t].data === undefined))];
  const single: Graph = {
    name: node.name,
    metadata: { props: {} },
    tensors: used.map((t) => ({ ...graph.tensors[t], shape: [...graph.tensors[t].shape] })),
    nodes: [{ ...node, inputs: node.inputs.map((t) => (t < 0 ? t : local.get(t)!)), outputs: node.outputs.map((t) => local.get(t)!) }],
    inputs: sources.map((t) => local.get(t)!),
    outputs: [local.get(node.outputs[0])!],
  };
  return { graph: single, sources };
}
