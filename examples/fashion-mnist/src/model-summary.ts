import { Graph, graphStats } from '@tinyforge/ir';

export interface ModelSummary {
  macs: number;
  params: number;
  paramBytes: number;
  ops: Record<string, number>;
}

/** MACs, parameter count and op histogram, as `tinyforge inspect` computes them. */
export function summarizeGraph(graph: Graph): ModelSummary {
  const s = graphStats(graph);
  return { macs: s.macs, params: s.params, paramBytes: s.paramBytes, ops: s.opHistogram };
}
