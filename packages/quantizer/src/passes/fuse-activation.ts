import { cloneGraph, FusedActivation, Graph, Node } from '@tinyforge/ir';
import { pruneTensors, removeNodes, soleConsumer } from './graph-edit';

/** Producers whose TFLite kernels clamp their output (a fused activation). */
const FUSABLE_PRODUCERS = new Set<Node['op']>(['Conv2D', 'DepthwiseConv2D', 'FullyConnected', 'Add', 'Sub', 'Mul', 'AveragePool2D', 'MaxPool2D']);

/** The fused activation a standalone clamp node equals, if any. */
export function activationOf(node: Node): FusedActivation | undefined {
  switch (node.op) {
    case 'Relu':
      return 'relu';
    case 'Relu6':
      return 'relu6';
    case 'Clip': {
      const { min, max } = node.attrs;
      if (min === 0 && max === 6) return 'relu6';
      if (min === 0 && max === Infinity) return 'relu';
      if (min === -1 && max === 1) return 'relu_n1_to_1';
      return undefined;
    }
    default:
      return undefined;
  }
}

/**
 * Fold Relu, Relu6 and Clip (0..6, 0..∞, −1..1) into the conv / depthwise / fully-connected / add / sub / mul /
 * pooling node producing their input, when that node has no activation yet and the clamp is its only reader. The
 * int8 output range then narrows to the activation's range, and one kernel does both.
 */
export function fuseActivations(input: Graph): Graph {
  const graph = cloneGraph(input);
  const producerOf = new Map<number, Node>();
  for (const n of graph.nodes) for (const t of n.outputs) producerOf.set(t, n);
  const drop = new Set<Node>();
  for (const node of graph.nodes) {
    const activation = activationOf(node);
    if (activation === undefined) continue;
    const src = node.inputs[0];
    const producer = producerOf.get(src);
    if (producer === undefined || !FUSABLE_PRODUCERS.has(producer.op) || drop.has(producer)) continue;
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
