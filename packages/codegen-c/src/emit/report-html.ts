import { Graph } from '@tinyforge/ir';
import { MemoryPlan } from '../memory/plan';
import { htmlText } from './naming';

const COLORS: Record<string, string> = { input: '#6baed6', output: '#74c476', activation: '#fdae6b', scratch: '#bcbddc' };

/**
 * report.html: one self-contained page (no scripts, no external resources). The SVG draws every buffer as a box
 * over layer index (x) × arena address (y); every model string is escaped.
 */
export function reportHtml(graph: Graph, plan: MemoryPlan, flashBytes: number, title: string): string {
  const width = 900;
  const height = 480;
  const left = 70;
  const top = 20;
  const plotW = width - left - 20;
  const plotH = height - top - 40;
  const steps = Math.max(plan.order.length, 1);
  const arena = Math.max(plan.arenaSize, 1);
  const x = (s: number): number => left + (s / steps) * plotW;
  const y = (addr: number): number => top + plotH - (addr / arena) * plotH;
  const boxes = plan.buffers
    .map((b) => {
      const x0 = x(b.first);
      const x1 = x(b.last + 1);
      const y0 = y(b.offset + b.size);
      const y1 = y(b.offset);
      const label = `${b.name} (${b.kind}): ${b.size} bytes at ${b.offset}, steps ${b.first}-${b.last}`;
      return `<rect x="${x0.toFixed(1)}" y="${y0.toFixed(1)}" width="${Math.max(x1 - x0 - 1, 1).toFixed(1)}" height="${Math.max(y1 - y0, 0.5).toFixed(1)}" fill="${COLORS[b.kind]}" stroke="#333" stroke-width="0.5"><title>${htmlText(label)}</title></rect>`;
    })
    .join('\n');
  const ticks = [0, 0.25, 0.5, 0.75, 1]
    .map((f) => `<text x="${left - 6}" y="${y(f * arena).toFixed(1)}" text-anchor="end" font-size="11">${Math.round(f * arena)}</text>`)
    .join('');
  const lbLine = plan.lowerBound <= arena ? `<line x1="${left}" x2="${left + plotW}" y1="${y(plan.lowerBound).toFixed(1)}" y2="${y(plan.lowerBound).toFixed(1)}" stroke="#c00" stroke-dasharray="4 3"><title>plain lower bound ${plan.lowerBound}</title></line>` : '';
  const rows = plan.order
    .map((n, step) => `<tr><td>${step}</td><td>${htmlText(graph.nodes[n].op)}</td><td>${htmlText(graph.nodes[n].name)}</td></tr>`)
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${htmlText(title)} — memory plan</title>
<style>body{font-family:sans-serif;margin:20px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;font-size:12px}</style>
</head><body>
<h1>${htmlText(title)}: memory plan</h1>
<p>Arena <b>${plan.arenaSize}</b> bytes · plain lower bound ${plan.lowerBound} bytes (ratio ${(plan.arenaSize / Math.max(plan.lowerBound, 1)).toFixed(3)}) · flash (constant data) ${flashBytes} bytes · ${htmlText(plan.planner)} planner, align ${plan.align}, ${plan.shared.length} in-place pairs</p>
<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="arena timeline">
<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" fill="#fafafa" stroke="#999"/>
${boxes}
${lbLine}
${ticks}
<text x="${left + plotW / 2}" y="${height - 8}" text-anchor="middle" font-size="12">layer index (execution order)</text>
<text x="14" y="${top + plotH / 2}" font-size="12" transform="rotate(-90 14 ${top + plotH / 2})" text-anchor="middle">arena address (bytes)</text>
</svg>
<h2>Execution order</h2>
<table><tr><th>step</th><th>op</th><th>node</th></tr>
${rows}
</table>
</body></html>
`;
}
