import { bytesOf, cloneGraph, dequantizeValues, Graph, isConstant, viewAs } from '@tinyforge/ir';

/**
 * The int8 constants a hybrid model computes with: a converter's "dynamic range" quantization stores weights as
 * int8 with scales but keeps activations float32 (TFLite's hybrid kernels dequantize them on the fly). These are
 * the quantized constants read by nodes that compute in float32.
 */
export function hybridWeights(graph: Graph): number[] {
  const readers = new Map<number, boolean[]>();
  for (const node of graph.nodes) {
    const floatNode = node.op !== 'Dequantize' && node.outputs.every((t) => graph.tensors[t].dtype === 'float32');
    for (const t of node.inputs) if (t >= 0) readers.set(t, [...(readers.get(t) ?? []), floatNode]);
  }
  return graph.tensors.flatMap((tensor, t) => {
    const quantizedConstant = isConstant(tensor) && (tensor.dtype === 'int8' || tensor.dtype === 'uint8') && tensor.quant !== undefined && tensor.quant.scale.length > 0;
    const floatReaders = readers.get(t);
    return quantizedConstant && floatReaders !== undefined && floatReaders.every(Boolean) ? [t] : [];
  });
}

/**
 * Hybrid model → float model: each of its `hybridWeights` becomes the float32 constant it stands for,
 * scale × (q − zero point), per channel along the quantized axis. Quantizing the result then re-derives int8
 * weights (with this quantizer's scales, which may differ from the stored ones).
 */
export function dequantizeWeights(input: Graph): Graph {
  const targets = hybridWeights(input);
  if (targets.length === 0) return input;
  const graph = cloneGraph(input);
  for (const t of targets) {
    const tensor = graph.tensors[t];
    const values = dequantizeValues(viewAs(tensor.data!, tensor.dtype) as Int8Array | Uint8Array, tensor.shape, tensor.quant!, tensor.quant!.axis);
    graph.tensors[t] = { ...tensor, dtype: 'float32', data: bytesOf(values), quant: undefined };
  }
  return graph;
}
