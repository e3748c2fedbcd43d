import { cloneGraph, elementCount, Graph, isWeighted, Node, NodeOf, pruneTensors, removeNodes, soleConsumer, weightChannelAxis, WeightedNode } from '@tinyforge/ir';
import { QuantizerError } from '../errors';
import { floatBytes, floatConstant } from './graph-edit';

/** A conv / depthwise / fully-connected layer, whose weights and bias absorb a batch norm after it. */
type Foldable = WeightedNode;

/** Per-channel scale s = γ/√(σ²+ε) and shift t = β − μ·s of an inference-time batch norm. */
export function batchNormAffine(graph: Graph, node: NodeOf<'BatchNorm'>): { scale: Float32Array; shift: Float32Array } {
  const [gamma, beta, mean, variance] = node.inputs.slice(1).map((i) => floatConstant(graph, i));
  if (gamma === undefined || beta === undefined || mean === undefined || variance === undefined) {
    throw new QuantizerError('QUANT_UNSUPPORTED', 'BatchNorm parameters must be float32 constants', { node: node.name });
  }
  const channels = gamma.length;
  if ([beta, mean, variance].some((v) => v.length !== channels)) {
    throw new QuantizerError('QUANT_UNSUPPORTED', 'BatchNorm parameters have different lengths', { node: node.name });
  }
  const scale = new Float32Array(channels);
  const shift = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    scale[c] = gamma[c] / Math.sqrt(variance[c] + node.attrs.epsilon);
    shift[c] = beta[c] - mean[c] * scale[c];
  }
  return { scale, shift };
}

/**
 * Fold BatchNorm into the Conv2D / DepthwiseConv2D / FullyConnected before it (weights scaled per output channel,
 * bias shifted), when that node has no fused activation and the batch norm is its only reader. A batch norm on a
 * 4-D tensor with no such producer becomes a 1×1 depthwise convolution (the same affine map, and a kernel every
 * int8 runtime has). Anything else stays and is refused later by the quantizer.
 */
export function foldBatchNorm(input: Graph): Graph {
  const graph = cloneGraph(input);
  const producerOf = new Map<number, Node>();
  for (const n of graph.nodes) for (const t of n.outputs) producerOf.set(t, n);
  const drop = new Set<Node>();
  graph.nodes = graph.nodes.map((node) => {
    if (node.op !== 'BatchNorm') return node;
    const x = node.inputs[0];
    const producer = producerOf.get(x);
    const { scale, shift } = batchNormAffine(graph, node);
    if (producer !== undefined && isFoldable(graph, producer, x, scale.length)) {
      scaleWeights(graph, producer, scale, shift);
      producer.outputs = [node.outputs[0]];
      producerOf.set(node.outputs[0], producer);
      drop.add(node);
      return node;
    }
    if (graph.tensors[x].shape.length === 4 && graph.tensors[x].shape[3] === scale.length) return asDepthwise(graph, node, scale, shift);
    return node;
  });
  removeNodes(graph, drop);
  return pruneTensors(graph);
}

function isFoldable(graph: Graph, node: Node, output: number, channels: number): node is Foldable {
  if (!isWeighted(node)) return false;
  if (node.attrs.activation !== 'none' || soleConsumer(graph, output) === undefined) return false;
  const w = graph.tensors[node.inputs[1]];
  if (w.data === undefined || w.dtype !== 'float32') return false;
  const outChannels = w.shape[weightChannelAxis(node)];
  const b = node.inputs[2];
  if (b !== undefined && b >= 0 && (graph.tensors[b].data === undefined || graph.tensors[b].dtype !== 'float32')) return false;
  return outChannels === channels;
}

function scaleWeights(graph: Graph, node: Foldable, scale: Float32Array, shift: Float32Array): void {
  const wIndex = node.inputs[1];
  const w = floatConstant(graph, wIndex)!;
  const channels = scale.length;
  // Weights of output channel c lie at index c along the channel axis: elements `inner` apart step one channel.
  const inner = elementCount(graph.tensors[wIndex].shape.slice(weightChannelAxis(node) + 1));
  for (let i = 0; i < w.length; i++) w[i] *= scale[Math.floor(i / inner) % channels];
  graph.tensors.push({ ...graph.tensors[wIndex], name: `${graph.tensors[wIndex].name}/bn_folded`, shape: [...graph.tensors[wIndex].shape], data: floatBytes(w) });
  node.inputs[1] = graph.tensors.length - 1;
  const b = node.inputs[2] !== undefined && node.inputs[2] >= 0 ? floatConstant(graph, node.inputs[2])! : new Float32Array(channels);
  for (let c = 0; c < channels; c++) b[c] = b[c] * scale[c] + shift[c];
  graph.tensors.push({ name: `${node.name}/bn_bias`, shape: [channels], dtype: 'float32', data: floatBytes(b) });
  node.inputs[2] = graph.tensors.length - 1;
}

function asDepthwise(graph: Graph, bn: NodeOf<'BatchNorm'>, scale: Float32Array, shift: Float32Array): Node {
  const channels = scale.length;
  graph.tensors.push({ name: `${bn.name}/scale`, shape: [1, 1, 1, channels], dtype: 'float32', data: floatBytes(scale) });
  const w = graph.tensors.length - 1;
  graph.tensors.push({ name: `${bn.name}/shift`, shape: [channels], dtype: 'float32', data: floatBytes(shift) });
  const b = graph.tensors.length - 1;
  return {
    name: bn.name,
    op: 'DepthwiseConv2D',
    attrs: { strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padding: 'valid', activation: 'none', depthMultiplier: 1 },
    inputs: [bn.inputs[0], w, b],
    outputs: [...bn.outputs],
  };
}
