import { arenaChartSvg, escapeHtml } from '@tinyforge/common';
import { Graph } from '@tinyforge/ir';
import { PackingChoice } from '@tinyforge/kernels-cmsis';
import { MemoryPlan } from '../memory/plan';

/**
 * report.html: one self-contained page (no scripts, no external resources). The arena picture (the one the
 * profile report draws too) shows every buffer as a box over execution step (x) × arena address (y), with the
 * plain lower bound dashed; every model string is escaped. For a DSP core the table says which convolutions have
 * packed filters and why.
 */
export function reportHtml(graph: Graph, plan: MemoryPlan, flashBytes: number, title: string, packing: (PackingChoice | undefined)[] = []): string {
  const hasPacking = packing.some((c) => c !== undefined);
  const picture = arenaChartSvg({
    id: 'arena',
    arenaBytes: plan.arenaSize,
    steps: plan.order.length,
    lowerBound: plan.lowerBound,
    buffers: plan.buffers.map((b) => ({ name: b.name, kind: b.kind, offset: b.offset, size: b.size, firstStep: b.first, lastStep: b.last })),
  });
  const rows = plan.order
    .map((n, step) => {
      const filter = hasPacking ? `<td>${escapeHtml(packing[n]?.reason ?? '')}</td>` : '';
      return `<tr><td>${step}</td><td>${escapeHtml(graph.nodes[n].op)}</td><td>${escapeHtml(graph.nodes[n].name)}</td>${filter}</tr>`;
    })
    .join('\n');
  const stateRows = plan.state.buffers
    .map((b) => `<tr><td>${escapeHtml(b.name)}</td><td>${b.kind}</td><td>${b.offset}</td><td>${b.size}</td><td>${b.kind === 'persistent' ? 'first invoke and reset_state()' : 'every invoke'}</td></tr>`)
    .join('\n');
  const stateSection =
    plan.state.buffers.length === 0
      ? ''
      : `<h2>Op state: ${plan.state.size} bytes, a static region outside the arena</h2>
<p>Recurrent state is never part of the reused arena: persistent state carries from one invoke to the next; per-run state is reset at the start of every invoke.</p>
<table><tr><th>tensor</th><th>kind</th><th>offset</th><th>bytes</th><th>reset</th></tr>
${stateRows}
</table>
`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} — memory plan</title>
<style>body{font-family:sans-serif;margin:20px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;font-size:12px}</style>
</head><body>
<h1>${escapeHtml(title)}: memory plan</h1>
<p>Arena <b>${plan.arenaSize}</b> bytes · plain lower bound ${plan.lowerBound} bytes (ratio ${(plan.arenaSize / Math.max(plan.lowerBound, 1)).toFixed(3)}) · ${plan.state.size > 0 ? `op state ${plan.state.size} bytes (static, outside the arena) · ` : ''}flash (constant data) ${flashBytes} bytes · ${escapeHtml(plan.planner)} planner, align ${plan.align}, ${plan.shared.length} in-place pairs</p>
${picture}
${stateSection}<h2>Execution order</h2>
<table><tr><th>step</th><th>op</th><th>node</th>${hasPacking ? '<th>convolution filter</th>' : ''}</tr>
${rows}
</table>
</body></html>
`;
}
