import { bytesOf, dequantizeValues, Graph, isWeighted, Node, viewAs, WeightedNode } from '@tinyforge/ir';
import { Interpreter } from '@tinyforge/interpreter';
import { Sample } from '../calibration/calibrate';
import { copyFloats } from '../passes/graph-edit';
import { singleNodeGraph } from '../qdq/single-node';
import { MAX_QUANTIZED_BIAS } from './params';

/** What bias correction changed in one layer. */
export interface BiasCorrection {
  node: string;
  /** Largest |change| of an int32 bias entry, in bias LSBs. */
  maxChange: number;
  /** Mean |expected output error| before correction, in output LSBs (averaged over channels). */
  meanErrorLsb: number;
}

/** The weights as the int8 graph represents them, in float: (q − zero point) · scale of its channel. */
function dequantizedWeights(int8Graph: Graph, node: WeightedNode): Float32Array {
  const w = int8Graph.tensors[node.inputs[1]];
  return dequantizeValues(viewAs(w.data!, 'int8'), w.shape, w.quant!, w.quant!.axis);
}

/**
 * Empirical bias correction (Nagel et al., "Data-Free Quantization", 2019): rounding the weights shifts each output
 * channel's mean by E[(Ŵ − W) * x]. For every conv / depthwise / fully-connected layer this measures that shift on the
 * float model's own layer inputs — the layer run with weights Ŵ − W, no bias, no activation — and subtracts it from
 * the int32 bias of the int8 graph (in place). Layers without a bias are left alone. Activation rounding is not
 * corrected; the float inputs make the layers independent of each other.
 */
export function correctBiases(floatGraph: Graph, int8Graph: Graph, samples: readonly Sample[], onProgress?: (done: number, total: number) => void): BiasCorrection[] {
  const layers = floatGraph.nodes.filter(isWeighted).flatMap((node) => {
    const twin = int8Graph.nodes.find((n) => n.outputs[0] === node.outputs[0]);
    if (twin === undefined || !isWeighted(twin) || twin.inputs[2] === undefined || twin.inputs[2] < 0) return [];
    // 16-bit layers (a classifier head) have int64 biases, and their rounding error is 256 times smaller.
    if (int8Graph.tensors[twin.inputs[2]].dtype !== 'int32') return [];
    const { graph, sources } = singleNodeGraph(floatGraph, { ...node, attrs: { ...node.attrs, activation: 'none' }, inputs: [node.inputs[0], node.inputs[1]] } as Node);
    const w = graph.tensors[graph.nodes[0].inputs[1]];
    const quantized = dequantizedWeights(int8Graph, twin);
    const delta = copyFloats(w.data!).map((v, i) => quantized[i] - v);
    graph.tensors[graph.nodes[0].inputs[1]] = { ...w, data: bytesOf(delta) };
    const channels = int8Graph.tensors[twin.outputs[0]].shape.at(-1)!;
    return [{ node, twin, sources, error: new Interpreter(graph), sum: new Float64Array(channels), count: 0 }];
  });
  if (layers.length === 0) return [];
  const reference = new Interpreter(floatGraph);
  const inputs = new Set(layers.flatMap((l) => l.sources));
  for (const [k, sample] of samples.entries()) {
    onProgress?.(k, samples.length);
    const run = reference.run(sample.map((x) => bytesOf(x)), { keepIntermediates: (t) => inputs.has(t) });
    for (const layer of layers) {
      const out = layer.error.run(layer.sources.map((t) => run.tensors!.get(t)!)).outputs[0];
      const e = new Float32Array(out.slice().buffer);
      const c = layer.sum.length;
      for (let i = 0; i < e.length; i++) layer.sum[i % c] += e[i];
      layer.count += e.length / c;
    }
  }
  onProgress?.(samples.length, samples.length);
  return layers.map(({ twin, sum, count }) => {
    const b = int8Graph.tensors[twin.inputs[2]];
    const bias = new Int32Array(b.data!.slice().buffer);
    const outScale = int8Graph.tensors[twin.outputs[0]].quant!.scale[0];
    let maxChange = 0;
    let error = 0;
    bias.forEach((v, c) => {
      const shift = sum[c] / count;
      const scale = b.quant!.scale[b.quant!.scale.length > 1 ? c : 0];
      const change = Math.round(shift / scale);
      // within the quantizer's bias bound (exact in float32 runtimes), as every quantized bias is
      bias[c] = Math.max(-MAX_QUANTIZED_BIAS, Math.min(MAX_QUANTIZED_BIAS, v - change));
      maxChange = Math.max(maxChange, Math.abs(change));
      error += Math.abs(shift) / outScale / bias.length;
    });
    int8Graph.tensors[twin.inputs[2]] = { ...b, data: new Uint8Array(bias.buffer) };
    return { node: twin.name, maxChange, meanErrorLsb: error };
  });
}
