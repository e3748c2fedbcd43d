import { acceptsFusedActivation, cloneGraph, FusedActivation, fusedActivationOf, Graph, Node, pruneTensors, removeNodes, soleConsumer } from '@tinyforge/ir';

/**
 * Fold a clamp that equals a fused activation (Relu, Relu6, Clip 0..6, 0..∞, −1..1: ir's fusedActivationOf) into
 * the node producing its input when that op accepts one (conv, depthwise, fully connected, add, sub, mul, pooling:
 * ir's acceptsFusedActivation), when that node has no activation yet and the clamp is its only reader. The
 * int8 output range then narrows to the activation's range, and one kernel does both.
 */
export function fuseActivations(input: Graph): Graph {
  const graph = cloneGraph(input);
  const producerOf = new Map<number, Node>();
  for (const n of graph.nodes) for (const t of n.outputs) producerOf.set(t, n);
  const drop = new Set<Node>();
  for (const node of graph.nodes) {
    const activation = fusedActivationOf(node);
    if (activation === undefined) continue;
    const src = node.inputs[0];
    const producer = producerOf.get(src);
    if (producer === undefined || !acceptsFusedActivation(producer.op) || drop.has(producer)) continue;
    const attrs = producer.attrs as { activation: FusedActivation };
    if (attrs.activation !== 'none' || soleConsumer(graph, src) === undefined) continue;
    if (graph.tensors[src].dtype !== 'float32') continue;
    attrs.activation = activation;
    // The producer now writes the clamp's output tensor (keeping its name for the report and the graph outputs).
    const dst = node.outputs[0];
    producer.outputs = producer.outputs.map((t) => (t === src ? dst : t));
    producerOf.set(dst, producer);
    drop.add(node);
  }
  removeNodes(graph, drop);
  return pruneTensors(graph);
}
