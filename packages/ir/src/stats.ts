import { dtypeBytes } from './dtype';
import { Graph } from './graph';
import { Node } from './ops';
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
  switch (node.op) {
    case 'Conv2D':
    case 'DepthwiseConv2D':
    case 'FullyConnected':
      return position >= 1;
    case 'BatchNorm':
      return position >= 1;
    case 'Add':
    case 'Sub':
    case 'Mul':
    case 'Concatenation':
      return true;
    default:
      return false;
  }
}

export function nodeMacs(graph: Graph, node: Node): number {
  const out = graph.tensors[node.outputs[0]];
  const outElems = elementCount(out.shape);
  switch (node.op) {
    case 'Conv2D': {
      const w = graph.tensors[node.inputs[1]].shape;
      return outElems * w[1] * w[2] * w[3];
    }
    case 'DepthwiseConv2D': {
      const w = graph.tensors[node.inputs[1]].shape;
      return outElems * w[1] * w[2];
    }
    case 'FullyConnected':
      return outElems * graph.tensors[node.inputs[1]].shape[1];
    case 'Mul':
    case 'BatchNorm':
      return outElems;
    default:
      return 0;
  }
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
