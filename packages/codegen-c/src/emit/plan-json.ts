import { Graph } from '@tinyforge/ir';
import { PackingChoice } from '@tinyforge/kernels-cmsis';
import { MemoryPlan } from '../memory/plan';

/**
 * plan.json: every buffer with its offset (and, in a multi-region plan, its region: offsets count from the region's array), size and first/last step, plus the totals (weightsBytes: the weights figure); for a DSP core's
 * convolutions, which have packed filters and why (by node index).
 */
export function planJson(graph: Graph, plan: MemoryPlan, weightsBytes: number, packing: (PackingChoice | undefined)[] = []): string {
  const packedLayers = graph.nodes
    .map((node, i) => ({ node: node.name, choice: packing[i] }))
    .filter((x): x is { node: string; choice: PackingChoice } => x.choice !== undefined)
    .map(({ node, choice }) => ({ node, ...choice }));
  const doc = {
    arenaBytes: plan.arenaSize,
    /** Multi-region plans: each region's array (arenaBytes is their sum), its room, and how buffers were placed. */
    ...(plan.regions !== undefined
      ? { regions: plan.regions.map((r) => ({ name: r.name, bytes: r.size, room: r.room, fast: r.fast, ...(r.section !== undefined ? { section: r.section } : {}) })), regionPolicy: plan.regionPolicy }
      : {}),
    lowerBoundBytes: plan.lowerBound,
    lowerBoundOriginalOrderBytes: plan.lowerBoundOriginalOrder,
    lowerBoundWithSharingBytes: plan.lowerBoundWithSharing,
    /** Op state: a static region of its own beside the arena, never reused (persistent state carries across invokes). */
    stateBytes: plan.state.size,
    weightsBytes,
    ...(packedLayers.length > 0 ? { packedFilters: packedLayers } : {}),
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
      ...(plan.regions !== undefined ? { region: plan.regions[b.region!].name } : {}),
      offset: b.offset,
      size: b.size,
      firstStep: b.first,
      lastStep: b.last,
    })),
    state: plan.state.buffers.map((b) => ({ name: b.name, tensor: b.tensor, kind: b.kind, region: 'state', offset: b.offset, size: b.size, resetByte: b.resetByte })),
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
