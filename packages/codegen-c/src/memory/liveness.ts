import { Graph, tensorBytes, VIEW_OPS } from '@tinyforge/ir';
import { KernelPath } from '@tinyforge/kernels-cmsis';
import { nodeMemory } from '../lower/node-memory';
import { groupBuffers, groupLowerBound } from './groups';
import { InPlacePair, PlanBuffer, PlanProblem } from './types';

/**
 * Buffers and lifetimes for a graph executed in `order` (node indices). Every non-constant tensor is a buffer
 * live from the step that produces it to the last step that reads it; graph inputs from step 0, graph outputs to
 * the last step. Each kernel's scratch memory is a buffer live at its own step only.
 */
export function buildPlanProblem(graph: Graph, order: readonly number[], paths?: readonly KernelPath[]): PlanProblem {
  const steps = order.length;
  const lastStep = Math.max(steps - 1, 0);
  const bufferOf = new Int32Array(graph.tensors.length).fill(-1);
  const buffers: PlanBuffer[] = [];
  const outputs = new Set(graph.outputs);

  const add = (b: Omit<PlanBuffer, 'id'>): number => {
    buffers.push({ id: buffers.length, ...b });
    return buffers.length - 1;
  };
  for (const t of graph.inputs) {
    bufferOf[t] = add({ name: graph.tensors[t].name, kind: 'input', size: tensorBytes(graph.tensors[t]), first: 0, last: 0, tensor: t });
  }
  const candidates: InPlacePair[] = [];
  const views: InPlacePair[] = [];
  order.forEach((nodeIndex, step) => {
    const node = graph.nodes[nodeIndex];
    for (const t of node.inputs) {
      if (t >= 0 && bufferOf[t] >= 0) buffers[bufferOf[t]].last = step;
    }
    const mem = nodeMemory(graph, node, paths);
    for (const t of node.outputs) {
      const kind = outputs.has(t) ? 'output' : 'activation';
      bufferOf[t] = add({ name: graph.tensors[t].name, kind, size: tensorBytes(graph.tensors[t]), first: step, last: step, tensor: t });
    }
    if (mem.scratchBytes > 0) {
      add({ name: `${node.name} (scratch)`, kind: 'scratch', size: mem.scratchBytes, first: step, last: step, node: nodeIndex });
    }
    const from = node.inputs[mem.inPlace?.inputPosition ?? -1];
    // A graph output is copied out after the last layer: no layer may overwrite it in place (a view only aliases it).
    const keep = from !== undefined && outputs.has(from) && !VIEW_OPS.has(node.op);
    if (mem.inPlace !== undefined && from !== undefined && from >= 0 && bufferOf[from] >= 0 && !keep) {
      const pair = { input: bufferOf[from], output: bufferOf[node.outputs[0]], step, rule: mem.inPlace.rule };
      (VIEW_OPS.has(node.op) ? views : candidates).push(pair);
    }
  });
  for (const t of graph.outputs) if (bufferOf[t] >= 0) buffers[bufferOf[t]].last = lastStep;
  return { buffers, steps, candidates, views };
}

/**
 * Max over steps of the bytes live at that step, every buffer separate except views (a RESHAPE output is its
 * input's bytes): no plan without in-place sharing does better.
 */
export function lowerBound(problem: PlanProblem): number {
  return groupLowerBound(problem, groupBuffers(problem, 1, []).groups, 1);
}
