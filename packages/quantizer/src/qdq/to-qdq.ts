import { cloneGraph, Graph, Node, OpType, pruneTensors, Tensor } from '@tinyforge/ir';
import { QuantizerError } from '../errors';
import { tfliteRounding } from './tflite-rounding';

/** Ops that only move int8 values; they stay int8 in the QDQ graph (the ONNX writer accepts them quantized). */
const MOVES_ONLY: ReadonlySet<OpType> = new Set<OpType>(['Reshape', 'Squeeze', 'Transpose', 'Identity', 'Concatenation', 'Dequantize']);

/**
 * The QDQ form of an int8 graph, for the ONNX writer (which writes float ops and Quantize/Dequantize nodes): every
 * computing op reads Dequantize(int8 activation) and is followed by a Quantize into its int8 output, so int8 values
 * and parameters are carried by QuantizeLinear/DequantizeLinear pairs, as onnxruntime's QDQ format expects.
 * Constants stay quantized behind a Dequantize (int8 weights, int32 biases), as in QDQ models from real quantizers.
 * An int8 → int8 Quantize (requantization) becomes Dequantize + Quantize.
 *
 * `rounding: 'tflite'` (the default): each conv / depthwise / fully connected / mean is followed by TFLite's
 * requantization spelled out on int64, each add / sub / mul / int8 → int8 quantize / relu / leaky relu replaced by
 * it, each average pool followed by a tie-break (tflite-rounding.ts), so any ONNX runtime computes our int8 results
 * exactly (softmax, logistic, tanh, hard-swish: within one). The runtime then runs those ops on float kernels: the extra nodes sit
 * between the op and its Quantize, so it cannot fuse the group into an integer kernel. `rounding: 'plain'` writes
 * the standard DQ → op → Q groups, which onnxruntime fuses into QLinearConv/QGemm; those round once, half to even,
 * and differ from ours by one wherever TFLite's double rounding moves a result (rounding-analysis.ts).
 */
export interface QdqOptions {
  rounding?: 'tflite' | 'plain';
}

export function toQdqGraph(int8Graph: Graph, options: QdqOptions = {}): Graph {
  const wide = int8Graph.tensors.find((t) => t.data === undefined && t.dtype === 'int16');
  if (wide !== undefined) {
    // (a 16x8 model, or an int8 one with a 16-bit classifier head: quantize with head 'int8' for this export)
    throw new QuantizerError('QUANT_UNSUPPORTED', `the ONNX QDQ export spells out int8 arithmetic; '${wide.name}' is int16: it has no 16x8 form`);
  }
  const rounding = options.rounding ?? 'tflite';
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
  const quantize = (from: number, to: number): void => {
    nodes.push({ name: `${g.tensors[to].name}/quantize`, op: 'Quantize', attrs: {}, inputs: [from], outputs: [to] });
  };

  for (const node of g.nodes) {
    const quantized = (t: number): boolean => t >= 0 && g.tensors[t].quant !== undefined && g.tensors[t].dtype !== 'float32';
    if (MOVES_ONLY.has(node.op) || (node.op === 'Quantize' && g.tensors[node.inputs[0]].dtype === 'float32')) {
      nodes.push(node);
      continue;
    }
    const source: Node = { ...node, inputs: [...node.inputs] }; // the int8 node, for TFLite's rounding
    node.inputs = node.inputs.map((t) => (quantized(t) ? dequantized(t) : t));
    const outs = node.outputs;
    const rounded = rounding === 'tflite' && quantized(outs[0]) ? tfliteRounding(source) : undefined;
    if (node.op === 'Quantize' && rounded === undefined) {
      nodes.push(node); // now float → int8: a QuantizeLinear
      continue;
    }
    // Not recorded in floatOf: readers must see the int8 value again (Dequantize of the Quantize), else they would
    // compute on the unrounded float and the export would be a float model with quantized taps.
    const floatOut = (t: number, suffix: string): number => addTensor({ name: `${g.tensors[t].name}/${suffix}`, shape: [...g.tensors[t].shape], dtype: 'float32' });
    if (rounded !== undefined) {
      const f = floatOut(outs[0], 'float');
      if (rounded.readsOpResult) {
        // The op writes its unrounded float result, without its fused activation; TFLite's rounding and the
        // activation follow.
        const y = floatOut(outs[0], 'unrounded');
        const attrs = 'activation' in node.attrs ? { ...node.attrs, activation: 'none' } : node.attrs;
        nodes.push({ ...node, attrs, outputs: [y] } as Node);
        nodes.push(...rounded.nodes(g, y, f, addTensor));
      } else {
        nodes.push(...rounded.nodes(g, node.inputs, f, addTensor));
      }
      quantize(f, outs[0]);
      continue;
    }
    node.outputs = outs.map((t) => (quantized(t) ? floatOut(t, 'float') : t));
    nodes.push(node);
    outs.forEach((t, k) => {
      if (node.outputs[k] !== t) quantize(node.outputs[k], t);
    });
  }
  g.nodes = nodes;
  return g;
}

/**
 * Whether a graph computes on quantized values (an int8 model, which ONNX holds only in the QDQ form), as opposed
 * to a float one (hybrid models, whose only quantized tensors are constants, included).
 */
export function computesQuantized(graph: Graph): boolean {
  return graph.nodes.some((n) => n.op !== 'Quantize' && n.outputs.some((t) => graph.tensors[t].dtype !== 'float32' && graph.tensors[t].quant !== undefined));
}

/** An int8 graph as the ONNX writer takes it: the QDQ form, without the tensors it no longer uses. */
export function qdqGraphForOnnx(int8Graph: Graph, options: QdqOptions = {}): Graph {
  return pruneTensors(toQdqGraph(int8Graph, options));
}
