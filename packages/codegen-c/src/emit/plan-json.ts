import { Graph } from '@tinyforge/ir';
import { MemoryPlan } from '../memory/plan';

/** plan.json: every buffer with its offset, size and first/last step, plus the totals (weightsBytes: the weights figure). */
export function planJson(graph: Graph, plan: MemoryPlan, weightsBytes: number): string {
  const doc = {
    arenaBytes: plan.arenaSize,
    lowerBoundBytes: plan.lowerBound,
    lowerBoundOriginalOrderBytes: plan.lowerBoundOriginalOrder,
    lowerBoundWithSharingBytes: plan.lowerBoundWithSharing,
    weightsBytes,
    align: plan.align,
    planner: plan.planner,
    searchComplete: plan.searchComplete,
    planningMs: plan.planningMs,
    order: plan.order.map((n, step) => ({ step, node: graph.nodes[n].name, op: graph.nodes[n].op })),
    buffers: plan.buffers.map((b) => ({
      name: b.name,
      kind: b.kind,
      ...(b.tensor !== undefined ? { tensor: b.tensor } : {}),
      ...(b.node !== undefined ? { node: graph.nodes[b.node].name } : {}),
      offset: b.offset,
      size: b.size,
      firstStep: b.first,
      lastStep: b.last,
    })),
    shared: plan.shared.map((s) => ({
      input: plan.buffers[s.input].name,
      output: plan.buffers[s.output].name,
      node: graph.nodes[s.node].name,
      rule: s.rule.kind,
      ...(s.rule.kind === 'stream' ? { minDisplacement: s.rule.minDisplacement } : {}),
    })),
  };
  return JSON.stringify(doc, null, 2) + '\n';
}
