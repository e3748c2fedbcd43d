import { dtypeBytes } from './dtype';
import { Graph } from './graph';
import { Node, opDef, OpDef } from './ops';
import { elementCount, tensorBytes } from './tensor';

export interface NodeStats {
  /** Multiply-accumulates of one inference. */
  macs: number;
  /** Elements of the node's constant inputs (weights, bias). */
  params: number;
  /** Bytes of the node's constant inputs. */
  paramBytes: number;
  /** Bytes of the node's non-constant inputs plus outputs. */
  activationBytes: number;
}

/** MACs, parameter count and activation bytes of one node (used by inspect, reports and the profiler). */
export function nodeStats(graph: Graph, node: Node): NodeStats {
  let params = 0;
  let paramBytes = 0;
  let activationBytes = 0;
  for (const i of node.inputs) {
    if (i < 0) continue;
    const t = graph.tensors[i];
    if (t.data !== undefined) {
      // Shape operands (RESHAPE's shape, MEAN's axes…) are not parameters of the layer.
      if (isWeightOperand(node, node.inputs.indexOf(i))) {
        params += elementCount(t.shape);
        paramBytes += t.data.byteLength;
      }
    } else activationBytes += tensorBytes(t);
  }
  for (const o of node.outputs) activationBytes += tensorBytes(graph.tensors[o]);
  return { macs: nodeMacs(graph, node), params, paramBytes, activationBytes };
}

function isWeightOperand(node: Node, position: number): boolean {
  const from = opDef(node.op).parametersFrom;
  return from !== undefined && position >= from;
}

export function nodeMacs(graph: Graph, node: Node): number {
  const def = opDef(node.op) as OpDef<Node['attrs']>;
  if (def.macs === undefined) return 0;
  return def.macs({
    attrs: node.attrs,
    inputShape: (i) => graph.tensors[node.inputs[i]].shape,
    outputElements: elementCount(graph.tensors[node.outputs[0]].shape),
  });
}

export interface GraphStats {
  macs: number;
  params: number;
  paramBytes: number;
  /** Sum of all activation tensor sizes (an upper bound on the arena, before planning). */
  activationBytes: number;
  opHistogram: Record<string, number>;
}

export function graphStats(graph: Graph): GraphStats {
  const opHistogram: Record<string, number> = {};
  let macs = 0;
  let params = 0;
  let paramBytes = 0;
  for (const node of graph.nodes) {
    const s = nodeStats(graph, node);
    macs += s.macs;
    params += s.params;
    paramBytes += s.paramBytes;
    opHistogram[node.op] = (opHistogram[node.op] ?? 0) + 1;
  }
  let activationBytes = 0;
  for (const t of graph.tensors) if (t.data === undefined) activationBytes += elementCount(t.shape) * dtypeBytes(t.dtype);
  return { macs, params, paramBytes, activationBytes, opHistogram };
}
