import { cloneGraph, Graph, Node, OpType, Tensor } from '@tinyforge/ir';

/** Ops that only move int8 values; they stay int8 in the QDQ graph (the ONNX writer accepts them quantized). */
const MOVES_ONLY: ReadonlySet<OpType> = new Set<OpType>(['Reshape', 'Squeeze', 'Transpose', 'Identity', 'Concatenation', 'Dequantize']);

/**
 * The QDQ form of an int8 graph, for the ONNX writer (which writes float ops and Quantize/Dequantize nodes): every
 * computing op reads Dequantize(int8 activation) and is followed by a Quantize into its int8 output, so int8 values
 * and parameters are carried by QuantizeLinear/DequantizeLinear pairs, as onnxruntime's QDQ format expects.
 * Constants stay quantized behind a Dequantize (int8 weights, int32 biases), as in QDQ models from real quantizers:
 * onnxruntime then recognises the DQ → Conv/Gemm → Q groups and runs them with integer kernels (with float weights it
 * picks float kernels), whose results equal ours except where TFLite's double rounding moves ours by one
 * (rounding-analysis.ts). An int8 → int8 Quantize (requantization) becomes Dequantize + Quantize.
 */
export function toQdqGraph(int8Graph: Graph): Graph {
  const g = cloneGraph(int8Graph);
  const floatOf = new Map<number, number>();
  const nodes: Node[] = [];
  const addTensor = (t: Tensor): number => g.tensors.push(t) - 1;

  /** The float value of an int8 tensor (activation or constant): a Dequantize node emitted before its first use. */
  const dequantized = (t: number): number => {
    const known = floatOf.get(t);
    if (known !== undefined) return known;
    const tensor = g.tensors[t];
    const f = addTensor({ name: `${tensor.name}/${tensor.data === undefined ? 'dq' : 'dequantized'}`, shape: [...tensor.shape], dtype: 'float32' });
    nodes.push({ name: `${tensor.name}/dequantize`, op: 'Dequantize', attrs: {}, inputs: [t], outputs: [f] });
    floatOf.set(t, f);
    return f;
  };

  for (const node of g.nodes) {
    const quantized = (t: number): boolean => t >= 0 && g.tensors[t].quant !== undefined && g.tensors[t].dtype !== 'float32';
    if (MOVES_ONLY.has(node.op) || (node.op === 'Quantize' && g.tensors[node.inputs[0]].dtype === 'float32')) {
      nodes.push(node);
      continue;
    }
    node.inputs = node.inputs.map((t) => (quantized(t) ? dequantized(t) : t));
    if (node.op === 'Quantize') {
      nodes.push(node); // now float → int8: a QuantizeLinear
      continue;
    }
    const outs = node.outputs;
    node.outputs = outs.map((t) => {
      if (!quantized(t)) return t;
      // Not recorded in floatOf: readers must see the int8 value again (Dequantize of the Quantize), else they
      // would compute on the unrounded float and the export would be a float model with quantized taps.
      return addTensor({ name: `${g.tensors[t].name}/float`, shape: [...g.tensors[t].shape], dtype: 'float32' });
    });
    nodes.push(node);
    outs.forEach((t, k) => {
      if (node.outputs[k] !== t) nodes.push({ name: `${g.tensors[t].name}/quantize`, op: 'Quantize', attrs: {}, inputs: [node.outputs[k]], outputs: [t] });
    });
  }
  g.nodes = nodes;
  return g;
}
