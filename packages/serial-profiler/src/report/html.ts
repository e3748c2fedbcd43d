import { ProfileReport } from './aggregate';
import { ArenaPlan } from './layer-table';
import { printable } from './text-table';

/** Escape for HTML text and attribute values; names come from model files and boards and are untrusted. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const KIND_COLORS: Record<string, string> = { input: '#6baed6', output: '#74c476', activation: '#fdae6b', scratch: '#bcbddc' };

function barChart(r: ProfileReport): string {
  const rowH = 18;
  const labelW = 260;
  const plotW = 560;
  const height = r.layers.length * rowH + 30;
  const max = Math.max(1, ...r.layers.map((l) => l.counts.max));
  const bars = r.layers.map((l, i) => {
    const y = 10 + i * rowH;
    const w = (l.counts.median / max) * plotW;
    const whisker = `<line x1="${(labelW + (l.counts.min / max) * plotW).toFixed(1)}" x2="${(labelW + (l.counts.max / max) * plotW).toFixed(1)}" y1="${y + rowH / 2 - 2}" y2="${y + rowH / 2 - 2}" stroke="#333"/>`;
    const label = escapeHtml(`${l.index} ${printable(l.op, 18)} ${printable(l.name, 24)}`);
    const tip = escapeHtml(`${l.name} (${l.op}): median ${fmt(l.counts.median)} ${r.unit}, min ${fmt(l.counts.min)}, max ${fmt(l.counts.max)}, ${l.percent.toFixed(1)}% of total`);
    return `<g><text x="${labelW - 6}" y="${y + 12}" text-anchor="end" font-size="11">${label}</text><rect class="layer-bar" data-layer="${l.index}" x="${labelW}" y="${y + 2}" width="${Math.max(w, 0.5).toFixed(1)}" height="${rowH - 6}" fill="#3182bd"><title>${tip}</title></rect>${whisker}<text x="${(labelW + w + 4).toFixed(1)}" y="${y + 12}" font-size="10">${l.percent.toFixed(1)}%</text></g>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" id="layer-chart" width="${labelW + plotW + 60}" height="${height}" role="img" aria-label="${escapeHtml(r.unit)} per layer">
${bars.join('\n')}
<text x="${labelW}" y="${height - 4}" font-size="11">median ${escapeHtml(r.unit)} per layer (line: min–max over ${r.runs} runs)</text>
</svg>`;
}

function arenaPicture(a: ArenaPlan, steps: number): string {
  const width = 860;
  const height = 320;
  const left = 70;
  const plotW = width - left - 10;
  const plotH = height - 40;
  const arena = Math.max(a.arenaBytes, 1);
  const lastStep = Math.max(steps, ...a.buffers.map((b) => b.lastStep + 1), 1);
  const x = (s: number): number => left + (s / lastStep) * plotW;
  const y = (addr: number): number => 10 + plotH - (addr / arena) * plotH;
  const boxes = a.buffers.map((b) => {
    const tip = escapeHtml(`${b.name} (${b.kind}): ${b.size} bytes at offset ${b.offset}, steps ${b.firstStep}–${b.lastStep}`);
    const fill = KIND_COLORS[b.kind] ?? '#cccccc';
    return `<rect class="arena-buffer" x="${x(b.firstStep).toFixed(1)}" y="${y(b.offset + b.size).toFixed(1)}" width="${Math.max(x(b.lastStep + 1) - x(b.firstStep) - 1, 1).toFixed(1)}" height="${Math.max(y(b.offset) - y(b.offset + b.size), 0.5).toFixed(1)}" fill="${fill}" stroke="#333" stroke-width="0.5"><title>${tip}</title></rect>`;
  });
  return `<h2>Arena</h2>
<p>${fmt(a.arenaBytes)} bytes of arena${a.flashBytes !== undefined ? `, ${fmt(a.flashBytes)} bytes of constant data in flash` : ''} (from codegen's plan.json)</p>
<svg xmlns="http://www.w3.org/2000/svg" id="arena" width="${width}" height="${height}" role="img" aria-label="arena buffers over layers">
<rect x="${left}" y="10" width="${plotW}" height="${plotH}" fill="#fafafa" stroke="#999"/>
${boxes.join('\n')}
<text x="${left - 6}" y="${y(0)}" text-anchor="end" font-size="11">0</text><text x="${left - 6}" y="${y(arena) + 10}" text-anchor="end" font-size="11">${fmt(arena)}</text>
<text x="${left + plotW / 2}" y="${height - 8}" text-anchor="middle" font-size="12">layer (execution step) → arena offset (bytes) ↑</text>
</svg>`;
}

function layerTable(r: ProfileReport): string {
  const rows = r.layers.map(
    (l) =>
      `<tr><td>${l.index}</td><td>${escapeHtml(l.name)}</td><td>${escapeHtml(l.op)}</td><td>${l.outputShape ? escapeHtml(`[${l.outputShape.join(',')}]`) : '-'}</td><td>${l.macs !== undefined ? fmt(l.macs) : '-'}</td><td>${fmt(l.counts.median)}</td><td>${fmt(l.counts.min)}–${fmt(l.counts.max)}</td><td>${l.macsPerCount !== undefined ? l.macsPerCount.toFixed(3) : '-'}</td><td>${l.percent.toFixed(1)}%</td><td>${l.timeUs.toFixed(1)}</td></tr>`,
  );
  return `<table><thead><tr><th>#</th><th>layer</th><th>op</th><th>output</th><th>MACs</th><th>${escapeHtml(r.unit)} (median)</th><th>min–max</th><th>MACs/${r.unit === 'cycles' ? 'cycle' : 'instruction'}</th><th>% total</th><th>µs</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table>`;
}

/**
 * One self-contained page (no scripts, nothing loaded from elsewhere; the CSP says so): summary, a bar per
 * layer, the table, and the arena picture when codegen's plan.json was given.
 */
export function reportHtml(r: ProfileReport, title = 'tinyforge profile'): string {
  const mhz = r.clockHz > 0 ? `${(r.clockHz / 1e6).toFixed(2)} MHz` : 'unknown clock';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)}</title>
<style>body{font-family:sans-serif;margin:20px;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;font-size:12px;text-align:right}td:nth-child(2),td:nth-child(3){text-align:left}</style>
</head><body>
<h1>${escapeHtml(title)}</h1>
<p id="summary">Board <b>${escapeHtml(r.board)}</b> · ${r.runs} runs · total <b>${fmt(r.total.median)}</b> ${escapeHtml(r.unit)} (median; min ${fmt(r.total.min)}, max ${fmt(r.total.max)}) · ${mhz}${r.hookOverhead !== undefined ? ` · hook overhead ${fmt(r.hookOverhead)} ${escapeHtml(r.unit)} (subtracted)` : ''} · outside layers ${fmt(r.unattributed)}</p>
<h2>Per layer</h2>
${barChart(r)}
${layerTable(r)}
${r.arena ? arenaPicture(r.arena, r.layers.length) : ''}
</body></html>
`;
}
