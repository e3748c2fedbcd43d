import { cloneGraph, elementCount, Graph, isWeighted, Node, pruneTensors, removeNodes, soleConsumer, weightChannelAxis } from '@tinyforge/ir';
import { floatBytes, floatConstant } from './graph-edit';

/**
 * Fold an Add of a per-channel constant into the bias of the conv / depthwise / fully-connected / transposed conv
 * before it (keras2onnx and tf2onnx export a dense layer as MatMul then Add): one layer, one int8 requantization
 * instead of two. Folded when the layer has no fused activation, the Add is its output's only reader, and the
 * constant holds one value per output channel (shape [C], [1, C], [1, 1, 1, C], …).
 */
export function foldBiasAdd(input: Graph): Graph {
  const graph = cloneGraph(input);
  const producerOf = new Map<number, Node>();
  for (const n of graph.nodes) for (const t of n.outputs) producerOf.set(t, n);
  const drop = new Set<Node>();
  for (const add of graph.nodes) {
    if (add.op !== 'Add' || add.attrs.activation !== 'none') continue;
    const k = [0, 1].find((i) => graph.tensors[add.inputs[i]].data !== undefined);
    if (k === undefined) continue;
    const x = add.inputs[1 - k];
    const layer = producerOf.get(x);
    if (layer === undefined || !isWeighted(layer) || layer.attrs.activation !== 'none' || soleConsumer(graph, x) === undefined) continue;
    const c = floatConstant(graph, add.inputs[k]);
    const w = graph.tensors[layer.inputs[1]];
    const channels = w.shape[weightChannelAxis(layer)];
    const shape = graph.tensors[add.inputs[k]].shape;
    const perChannel = c !== undefined && c.length === channels && shape.slice(0, -1).every((d) => d === 1) && elementCount(shape) === channels;
    if (!perChannel || graph.tensors[add.outputs[0]].shape.length !== graph.tensors[x].shape.length) continue;
    const b = layer.inputs[2] !== undefined && layer.inputs[2] >= 0 ? floatConstant(graph, layer.inputs[2]) : new Float32Array(channels);
    if (b === undefined) continue;
    for (let i = 0; i < channels; i++) b[i] += c![i];
    graph.tensors.push({ name: `${layer.name}/bias`, shape: [channels], dtype: 'float32', data: floatBytes(b) });
    layer.inputs[2] = graph.tensors.length - 1;
    layer.outputs = [add.outputs[0]];
    producerOf.set(add.outputs[0], layer);
    drop.add(add);
  }
  removeNodes(graph, drop);
  return pruneTensors(graph);
}
