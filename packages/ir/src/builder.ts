import { DType } from './dtype';
import { Graph } from './graph';
import { AttrsInput, Node, OpType, withDefaultAttrs } from './ops';
import { inferOutputShapes } from './shape-inference';
import { Quantization, StateKind, Tensor } from './tensor';

export interface TensorSpec {
  name: string;
  shape: number[];
  dtype: DType;
  quant?: Quantization;
}

/**
 * Builds small graphs in code: test fixtures, and graphs that passes synthesize. Output shapes are inferred, so a
 * fixture states only what it means.
 */
export class GraphBuilder {
  private readonly graph: Graph;

  constructor(name = 'graph') {
    this.graph = { name, tensors: [], nodes: [], inputs: [], outputs: [], metadata: { props: {} } };
  }

  tensor(spec: TensorSpec & { data?: Uint8Array }): number {
    const t: Tensor = { name: spec.name, shape: [...spec.shape], dtype: spec.dtype };
    if (spec.data !== undefined) t.data = spec.data;
    if (spec.quant !== undefined) t.quant = spec.quant;
    this.graph.tensors.push(t);
    return this.graph.tensors.length - 1;
  }

  input(spec: TensorSpec): number {
    const i = this.tensor(spec);
    this.graph.inputs.push(i);
    return i;
  }

  constant(spec: TensorSpec, data: Uint8Array | ArrayBufferView): number {
    const bytes = data instanceof Uint8Array ? data : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    return this.tensor({ ...spec, data: bytes.slice() });
  }

  /**
   * Add a node; its output tensor gets the inferred shape and the given dtype/quantization. Attributes with an IR
   * default (no dilation, no fused activation…) may be left out.
   */
  node<K extends OpType>(
    op: K,
    attrs: AttrsInput<K>,
    inputs: number[],
    output: { name: string; dtype: DType; quant?: Quantization; shape?: number[] },
  ): number {
    const out = this.tensor({ name: output.name, shape: output.shape ?? [], dtype: output.dtype, quant: output.quant });
    const node = { name: output.name, op, attrs: withDefaultAttrs(op, attrs), inputs, outputs: [out] } as unknown as Node;
    if (output.shape === undefined) this.graph.tensors[out].shape = inferOutputShapes(this.graph, node)[0];
    this.graph.nodes.push(node);
    return out;
  }

  /** An op state tensor (see Tensor.state): LSTM/GRU/SVDF state, read and updated in place by its node. */
  state(spec: TensorSpec, kind: StateKind = 'persistent'): number {
    const i = this.tensor(spec);
    this.graph.tensors[i].state = kind;
    return i;
  }

  output(tensor: number): this {
    this.graph.outputs.push(tensor);
    return this;
  }

  build(): Graph {
    return this.graph;
  }
}
