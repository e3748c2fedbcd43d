import { Graph, tensorBytes } from '@tinyforge/ir';
import { nodeMemory } from '../lower/node-memory';
import { InPlacePair, PlanBuffer, PlanProblem } from './types';

/**
 * Buffers and lifetimes for a graph executed in `order` (node indices). Every non-constant tensor is a buffer
 * live from the step that produces it to the last step that reads it; graph inputs from step 0, graph outputs to
 * the last step. Each kernel's scratch memory is a buffer live at its own step only.
 */
export function buildPlanProblem(graph: Graph, order: readonly number[]): PlanProblem {
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
    const mem = nodeMemory(graph, node);
    for (const t of node.outputs) {
      const kind = outputs.has(t) ? 'output' : 'activation';
      bufferOf[t] = add({ name: graph.tensors[t].name, kind, size: tensorBytes(graph.tensors[t]), first: step, last: step, tensor: t });
    }
    if (mem.scratchBytes > 0) {
      add({ name: `${node.name} (scratch)`, kind: 'scratch', size: mem.scratchBytes, first: step, last: step, node: nodeIndex });
    }
    const from = node.inputs[mem.inPlace?.inputPosition ?? -1];
    if (mem.inPlace !== undefined && from !== undefined && from >= 0 && bufferOf[from] >= 0) {
      const pair = { input: bufferOf[from], output: bufferOf[node.outputs[0]], step, rule: mem.inPlace.rule };
      (node.op === 'Reshape' || node.op === 'Squeeze' || node.op === 'Identity' ? views : candidates).push(pair);
    }
  });
  for (const t of graph.outputs) if (bufferOf[t] >= 0) buffers[bufferOf[t]].last = lastStep;
  return { buffers, steps, candidates, views };
}

/** Max over steps of the bytes live at that step, every buffer separate: no plan without sharing does better. */
export function lowerBound(problem: PlanProblem): number {
  const live = new Float64Array(problem.steps + 1);
  for (const b of problem.buffers) for (let s = b.first; s <= b.last; s++) live[s] += b.size;
  return live.reduce((m, v) => Math.max(m, v), 0);
}

/** The step (and the bytes) at which the lower bound is reached. */
export function peakStep(problem: PlanProblem): { step: number; bytes: number } {
  const live = new Float64Array(problem.steps + 1);
  for (const b of problem.buffers) for (let s = b.first; s <= b.last; s++) live[s] += b.size;
  let step = 0;
  live.forEach((v, s) => {
    if (v > live[step]) step = s;
  });
  return { step, bytes: live[step] };
}
