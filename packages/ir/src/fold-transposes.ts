import { cloneGraph, consumers, Graph, producers } from './graph';
import { pruneTensors, removeDeadNodes, replaceUses } from './graph-edit';
import { composePerms, isDataPreservingPerm, isIdentityPerm } from './layout';
import { isElementwise, Node, NodeOf } from './ops';
import { constantInts, Tensor } from './tensor';

/**
 * Layout clean-up, run after import and among the quantizer's float passes. Importers convert layouts with explicit
 * Transposes (an ONNX graph input from its declared NCHW to the IR's NHWC, a flatten back to NCHW order), and
 * models bring their own (keras2onnx starts with an NHWC → NCHW Transpose), so:
 * - a Transpose of a Transpose becomes one Transpose of the composed permutation (pairs that cancel disappear);
 * - a Transpose with the identity permutation goes (its readers read its input);
 * - a Transpose that moves no bytes (it only moves size-1 axes: NCHW → NHWC with C = 1) becomes a Reshape, which
 *   copies nothing;
 * - a Reshape of a Reshape reads the first one's input, and a Reshape to its input's own shape goes;
 * and nodes nothing reads any more are dropped.
 */
export function foldTransposes(input: Graph): Graph {
  const graph = cloneGraph(input);
  const constants = new ConstantMaker(graph);
  // Dropping an identity can make two transposes adjacent (1-D ops: Transpose, Reshape back and forth, Transpose).
  for (let before = Infinity; graph.nodes.length < before; ) {
    before = graph.nodes.length;
    while (hoistElementwise(graph, constants));
    const producer = producers(graph);
    for (let i = 0; i < graph.nodes.length; i++) graph.nodes[i] = foldNode(graph, graph.nodes[i], producer, constants);
    dropIdentities(graph, constants);
    removeDeadNodes(graph);
  }
  return pruneTensors(graph);
}

/** New int32 constants (shapes, permutations) with names unused in the graph. */
class ConstantMaker {
  private readonly names: Set<string>;

  constructor(private readonly graph: Graph) {
    this.names = new Set(graph.tensors.map((t) => t.name));
  }

  int32(base: string, values: readonly number[]): number {
    this.graph.tensors.push({ name: this.name(base), shape: [values.length], dtype: 'int32', data: new Uint8Array(Int32Array.from(values).buffer) });
    return this.graph.tensors.length - 1;
  }

  /** A tensor name not used yet. */
  name(base: string): string {
    let name = base;
    for (let k = 1; this.names.has(name); k++) name = `${base}_${k}`;
    this.names.add(name);
    return name;
  }
}

/**
 * An element-wise op (Relu, Clip, …: OpDef.elementwise) between two layout changes (a Transpose or Reshape that only it
 * reads, and one that is its only reader) moves before the first, so that they meet and fold: a 1-D convolution's
 * output goes back to [N, C, L] and the next one's input to NHWC, with the activation in between. True when
 * something moved.
 */
function hoistElementwise(graph: Graph, names: ConstantMaker): boolean {
  const producer = producers(graph);
  const readers = consumers(graph);
  let moved = false;
  for (let i = 0; i < graph.nodes.length; i++) {
    const op = graph.nodes[i];
    if (!isElementwise(op.op) || op.inputs.length !== 1) continue;
    const mid = op.inputs[0];
    const j = producer[mid];
    const layout = j >= 0 ? graph.nodes[j] : undefined;
    if (layout === undefined || (layout.op !== 'Transpose' && layout.op !== 'Reshape')) continue;
    if (readers[mid].length !== 1 || graph.outputs.includes(mid)) continue;
    const [src] = layout.inputs;
    const [out] = op.outputs;
    const next = readers[out].length === 1 && !graph.outputs.includes(out) ? graph.nodes[readers[out][0]] : undefined;
    if (next === undefined || (next.op !== 'Transpose' && next.op !== 'Reshape')) continue;
    graph.tensors.push({ ...graph.tensors[out], name: names.name(`${graph.tensors[src].name}/${op.name}`), shape: [...graph.tensors[src].shape] });
    const early = graph.tensors.length - 1;
    graph.nodes[j] = { ...op, inputs: [src], outputs: [early] } as Node;
    graph.nodes[i] = { ...layout, inputs: [early, ...layout.inputs.slice(1)], outputs: [out] } as Node;
    producer[early] = j;
    producer[out] = i;
    readers[early] = [i];
    moved = true;
  }
  return moved;
}

/** The node with its chain of Transposes (or Reshapes) folded into it, as a Transpose or a Reshape. */
function foldNode(graph: Graph, node: Node, producer: Int32Array, constants: ConstantMaker): Node {
  const viewOf = (t: number): Node | undefined => (producer[t] >= 0 ? graph.nodes[producer[t]] : undefined);
  if (node.op === 'Reshape') {
    const inner = viewOf(node.inputs[0]);
    if (inner?.op !== 'Reshape') return node;
    return { ...node, inputs: [inner.inputs[0], ...node.inputs.slice(1)] };
  }
  if (node.op !== 'Transpose') return node;
  let source = node.inputs[0];
  let perm = constantInts(graph.tensors[node.inputs[1]]);
  for (let inner = viewOf(source); inner?.op === 'Transpose'; inner = viewOf(source)) {
    perm = composePerms(constantInts(graph.tensors[inner.inputs[1]]), perm);
    source = inner.inputs[0];
  }
  const x: Tensor = graph.tensors[source];
  const out = graph.tensors[node.outputs[0]];
  if (isDataPreservingPerm(x.shape, perm) && !isIdentityPerm(perm)) {
    return { name: node.name, op: 'Reshape', attrs: {}, inputs: [source, constants.int32(`${node.name}/shape`, out.shape)], outputs: node.outputs } satisfies NodeOf<'Reshape'>;
  }
  if (source === node.inputs[0]) return node;
  return { ...node, inputs: [source, constants.int32(`${node.name}/perm`, perm)] };
}

/** A Transpose by the identity permutation, or a Reshape to the shape its input already has. */
function isIdentity(graph: Graph, node: Node): boolean {
  if (node.op === 'Transpose') return isIdentityPerm(constantInts(graph.tensors[node.inputs[1]]));
  if (node.op !== 'Reshape') return false;
  const [x, y] = [graph.tensors[node.inputs[0]].shape, graph.tensors[node.outputs[0]].shape];
  return x.length === y.length && x.every((d, i) => d === y[i]);
}

/**
 * Transposes with the identity permutation (and Reshapes to the same shape): readers read the input. When the output is a graph output, the node
 * that made the input makes the output instead; failing that (the input is a graph input or output) a Reshape stays.
 */
function dropIdentities(graph: Graph, constants: ConstantMaker): void {
  const producer = producers(graph);
  graph.nodes = graph.nodes.map((node) => {
    if (!isIdentity(graph, node)) return node;
    const [src] = node.inputs;
    const [dst] = node.outputs;
    if (!graph.outputs.includes(dst)) {
      replaceUses(graph, dst, src);
      return node; // now dead: removed with the others
    }
    const maker = producer[src] >= 0 ? graph.nodes[producer[src]] : undefined;
    if (maker !== undefined && !graph.outputs.includes(src) && !graph.inputs.includes(src)) {
      replaceUses(graph, src, dst);
      maker.outputs = maker.outputs.map((t) => (t === src ? dst : t));
      producer[dst] = producer[src];
      node.inputs = [dst, node.inputs[1]];
      node.outputs = [src];
      return node; // reads its own former output now: dead, removed with the others
    }
    if (node.op === 'Reshape') return node;
    const shape = constants.int32(`${node.name}/shape`, graph.tensors[dst].shape);
    return { name: node.name, op: 'Reshape', attrs: {}, inputs: [src, shape], outputs: node.outputs } satisfies NodeOf<'Reshape'>;
  });
}
