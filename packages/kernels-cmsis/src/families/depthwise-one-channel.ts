/**
 * An int8 DepthwiseConv2D over ONE input channel is exactly a Conv2D: output channel m sums the same taps times
 * the same weights, with the same bias and per-channel multiplier (TFLite's reference arithmetic for both). The
 * depthwise kernel walks it through its generic channel-multiplier loop (~25 instructions per MAC on an M4; the
 * micro_speech classifier), the convolution kernels through their GEMM. So this family lowers such a node as the
 * Conv2D with the filter [1, H, W, M] rearranged to OHWI [M, H, W, 1] (per-channel quantization axis 3 -> 0) and
 * hands everything else to the convolution family; its calls are the convolution family's calls.
 */
import { Graph, Node, NodeOf, Tensor } from '@tinyforge/ir';
import { ConvCall, ConvGeometry, convFamily } from './conv';
import { defineFamily } from './family';

/** Input and filter int8 with one input channel, filter [1, H, W, M] constant, M output channels. */
function isOneChannelDepthwise(graph: Graph, node: Node): boolean {
  const x = graph.tensors[node.inputs[0]];
  const w = graph.tensors[node.inputs[1]];
  const y = graph.tensors[node.outputs[0]];
  if (x === undefined || w === undefined || y === undefined) return false;
  if (x.dtype !== 'int8' || w.dtype !== 'int8' || w.data === undefined) return false;
  if (x.shape.length !== 4 || w.shape.length !== 4 || y.shape.length !== 4) return false;
  return x.shape[3] === 1 && w.shape[0] === 1 && w.shape[3] === y.shape[3] && w.data.length === w.shape[1] * w.shape[2] * w.shape[3];
}

/** The filter [1, H, W, M] as OHWI [M, H, W, 1]: tap t of channel m moves from t·M + m to m·H·W + t. */
function ohwiFilter(w: Tensor): Tensor {
  const [, h, width, m] = w.shape;
  const taps = h * width;
  const from = w.data!;
  const data = new Uint8Array(from.length);
  for (let t = 0; t < taps; t++) for (let c = 0; c < m; c++) data[c * taps + t] = from[t * m + c];
  return { ...w, shape: [m, h, width, 1], data, ...(w.quant ? { quant: { ...w.quant, axis: 0 } } : {}) };
}

/** The node as a Conv2D over a graph with the rearranged filter appended (the original graph is untouched). */
function asConvolution(graph: Graph, node: Node): { graph: Graph; node: NodeOf<'Conv2D'>; filter: Tensor } {
  const depthwise = node as NodeOf<'DepthwiseConv2D'>;
  const filter = ohwiFilter(graph.tensors[depthwise.inputs[1]]);
  const { depthMultiplier: _multiplier, ...attrs } = depthwise.attrs;
  const inputs = [depthwise.inputs[0], graph.tensors.length, ...depthwise.inputs.slice(2)];
  return { graph: { ...graph, tensors: [...graph.tensors, filter] }, node: { name: node.name, op: 'Conv2D', attrs, inputs, outputs: node.outputs }, filter };
}

export const depthwiseOneChannelFamily = defineFamily<ConvCall, ConvGeometry>({
  name: 'depthwise-one-channel',
  ops: ['DepthwiseConv2D'],
  takes: isOneChannelDepthwise,
  // No kernels of its own: its calls name the convolution family's, which the registry maps them to for emission,
  // bias folding and vectors (a kernel belongs to one family).
  kernels: {} as Record<ConvCall['kernel'], number>,
  lower(ctx) {
    const conv = asConvolution(ctx.graph, ctx.node);
    const filterIndex = conv.node.inputs[1];
    return convFamily.lower({ ...ctx, graph: conv.graph, node: conv.node, tensor: (i) => (i === filterIndex ? conv.filter : ctx.tensor(i)) });
  },
  geometry: (graph, node) => {
    const conv = asConvolution(graph, node);
    return convFamily.geometry!(conv.graph, conv.node);
  },
  scratch: convFamily.scratch,
  inPlace: (graph, node) => {
    const conv = asConvolution(graph, node);
    return convFamily.inPlace!(conv.graph, conv.node);
  },
  emit: convFamily.emit,
  vector: convFamily.vector,
});
