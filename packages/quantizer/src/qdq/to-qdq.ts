import { cloneGraph, Graph, Node, OpType, Quantization, Tensor, viewAs } from '@tinyforge/ir';

/** Ops that only move int8 values; they stay int8 in the QDQ graph (the ONNX writer accepts them quantized). */
const MOVES_ONLY: ReadonlySet<OpType> = new Set<OpType>(['Reshape', 'Squeeze', 'Transpose', 'Identity', 'Concatenation', 'Dequantize']);

/**
 * The QDQ form of an int8 graph, for the ONNX writer (which writes float ops and Quantize/Dequantize nodes): every
 * computing op reads Dequantize(int8 activation) and is followed by a Quantize into its int8 output, so int8 values
 * and parameters are carried by QuantizeLinear/DequantizeLinear pairs, as onnxruntime's QDQ format expects.
 * Weights and biases become float constants holding exactly scale × q (onnxruntime folds DequantizeLinear of
 * constants the same way). An int8 → int8 Quantize (requantization) becomes Dequantize + Quantize.
 */
export function toQdqGraph(int8Graph: Graph): Graph {
  const g = cloneGraph(int8Graph);
  const floatOf = new Map<number, number>();
  const nodes: Node[] = [];
  const addTensor = (t: Tensor): number => g.tensors.push(t) - 1;

  /** The float value of an int8 tensor: a dequantized constant, or a Dequantize node emitted before first use. */
  const dequantized = (t: number): number => {
    const known = floatOf.get(t);
    if (known !== undefined) return known;
    const tensor = g.tensors[t];
    let f: number;
    if (tensor.data !== undefined) {
      f = addTensor({ name: `${tensor.name}/dequantized`, shape: [...tensor.shape], dtype: 'float32', data: dequantizeConstant(tensor) });
    } else {
      f = addTensor({ name: `${tensor.name}/dq`, shape: [...tensor.shape], dtype: 'float32' });
      nodes.push({ name: `${tensor.name}/dequantize`, op: 'Dequantize', attrs: {}, inputs: [t], outputs: [f] });
    }
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
      const f = addTensor({ name: `${g.tensors[t].name}/float`, shape: [...g.tensors[t].shape], dtype: 'float32' });
      floatOf.set(t, f);
      return f;
    });
    nodes.push(node);
    outs.forEach((t, k) => {
      if (node.outputs[k] !== t) nodes.push({ name: `${g.tensors[t].name}/quantize`, op: 'Quantize', attrs: {}, inputs: [node.outputs[k]], outputs: [t] });
    });
  }
  g.nodes = nodes;
  return g;
}

/** scale × (q − zero point) of a quantized constant (int8 weights, int32 biases), per axis where it has one. */
function dequantizeConstant(t: Tensor): Uint8Array {
  const q = t.quant as Quantization;
  const values = viewAs(t.data!, t.dtype) as ArrayLike<number>;
  const channels = q.scale.length;
  const inner = channels > 1 ? t.shape.slice(q.axis + 1).reduce((a, b) => a * b, 1) : 1;
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const c = channels > 1 ? Math.floor(i / inner) % channels : 0;
    out[i] = q.scale[c] * (Number(values[i]) - q.zeroPoint[c]);
  }
  return new Uint8Array(out.buffer);
}
