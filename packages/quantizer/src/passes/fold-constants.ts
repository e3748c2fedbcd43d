import { cloneGraph, Graph, Node, pruneTensors, removeNodes } from '@tinyforge/ir';
import { Interpreter } from '@tinyforge/interpreter';

/**
 * Evaluate nodes whose inputs are all constants (a Reshape of a weight, a Transpose of a constant, a Dequantize of
 * stored int8 weights, arithmetic on constants) once with the reference interpreter, and replace their outputs by
 * constants. Graph outputs are left computed by a node, so the interface stays the same.
 */
export function foldConstants(input: Graph): Graph {
  const graph = cloneGraph(input);
  const drop = new Set<Node>();
  for (const node of graph.nodes) {
    const operands = node.inputs.filter((t) => t >= 0);
    if (operands.length === 0 || !operands.every((t) => graph.tensors[t].data !== undefined)) continue;
    if (node.outputs.some((t) => graph.outputs.includes(t))) continue;
    const values = evaluate(graph, node);
    node.outputs.forEach((t, k) => (graph.tensors[t].data = values[k]));
    drop.add(node);
  }
  removeNodes(graph, drop);
  return pruneTensors(graph);
}

/** Run one node on its constant inputs in a graph of its own. */
function evaluate(graph: Graph, node: Node): Uint8Array[] {
  const used = [...new Set([...node.inputs.filter((t) => t >= 0), ...node.outputs])];
  const local = new Map(used.map((t, k) => [t, k]));
  const map = (t: number): number => (t < 0 ? t : local.get(t)!);
  const single: Graph = {
    name: `${graph.name}/fold`,
    tensors: used.map((t) => ({ ...graph.tensors[t], shape: [...graph.tensors[t].shape] })),
    nodes: [{ ...node, inputs: node.inputs.map(map), outputs: node.outputs.map(map) } as Node],
    inputs: [],
    outputs: node.outputs.map(map),
    metadata: { props: {} },
  };
  return new Interpreter(single).run([]).outputs;
}
