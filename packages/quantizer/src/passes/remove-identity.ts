import { cloneGraph, Graph, Node, pruneTensors, removeNodes, replaceUses } from '@tinyforge/ir';

/**
 * Remove Identity nodes (ONNX Identity, and Dropout, which the importer maps to Identity at inference). Readers of
 * the output read the input instead; when the output is a graph output, the input takes over its name so the model's
 * interface keeps its names. An Identity from a graph input straight to a graph output is kept (nothing to merge).
 */
export function removeIdentity(input: Graph): Graph {
  const graph = cloneGraph(input);
  const drop = new Set<Node>();
  for (const node of graph.nodes) {
    if (node.op !== 'Identity') continue;
    const [src] = node.inputs;
    const [dst] = node.outputs;
    const dstIsOutput = graph.outputs.includes(dst);
    if (dstIsOutput && (graph.inputs.includes(src) || graph.outputs.includes(src))) continue;
    if (dstIsOutput) graph.tensors[src].name = graph.tensors[dst].name;
    replaceUses(graph, dst, src);
    drop.add(node);
  }
  removeNodes(graph, drop);
  return pruneTensors(graph);
}
