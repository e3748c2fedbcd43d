import { Node } from './ops';
import { Tensor } from './tensor';

/** Where a graph came from, kept for reports and for writing the model back. */
export interface GraphMetadata {
  /** 'tflite' | 'onnx' | a tool name */
  sourceFormat?: string;
  /** Producer string from the file (ONNX producer_name, TFLite description). */
  producer?: string;
  /** Free-form key/value metadata (ONNX metadata_props, TFLite string metadata). */
  props: Record<string, string>;
  /** What an importer had to assume (e.g. the layout of an input the graph does not tell), for tools to print. */
  warnings?: string[];
}

/**
 * A model: tensors referenced by index, nodes in execution (topological) order, graph inputs and outputs.
 * Nodes and tensors are plain data so that passes can copy and rewrite them freely.
 */
export interface Graph {
  name: string;
  tensors: Tensor[];
  nodes: Node[];
  inputs: number[];
  outputs: number[];
  metadata: GraphMetadata;
}

/** For each tensor, the index of the node that produces it (-1 for inputs and constants). */
export function producers(graph: Graph): Int32Array {
  const p = new Int32Array(graph.tensors.length).fill(-1);
  graph.nodes.forEach((n, i) => n.outputs.forEach((t) => (p[t] = i)));
  return p;
}

/** For each tensor, the indices of the nodes that read it, in execution order. */
export function consumers(graph: Graph): number[][] {
  const c: number[][] = graph.tensors.map(() => []);
  graph.nodes.forEach((n, i) =>
    n.inputs.forEach((t) => {
      if (t >= 0 && !c[t].includes(i)) c[t].push(i);
    }),
  );
  return c;
}

/** The tensor at `index`, which must exist. */
export function tensorAt(graph: Graph, index: number): Tensor {
  const t = graph.tensors[index];
  if (t === undefined) throw new RangeError(`tensor index ${index} out of range`);
  return t;
}

/** A deep copy (constant data shared: it is never mutated in place). */
export function cloneGraph(graph: Graph): Graph {
  return {
    name: graph.name,
    tensors: graph.tensors.map((t) => ({
      ...t,
      shape: [...t.shape],
      quant: t.quant && { scale: [...t.quant.scale], zeroPoint: [...t.quant.zeroPoint], axis: t.quant.axis },
    })),
    nodes: graph.nodes.map((n) => ({ ...n, attrs: structuredClone(n.attrs), inputs: [...n.inputs], outputs: [...n.outputs] }) as typeof n),
    inputs: [...graph.inputs],
    outputs: [...graph.outputs],
    metadata: { ...graph.metadata, props: { ...graph.metadata.props } },
  };
}
