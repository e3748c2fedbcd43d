import { arenaChartSvg, escapeHtml, printable, timelineChartSvg } from '@tinyforge/common';
import { ProfileReport } from './aggregate';
import { ArenaPlan } from './layer-table';

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

/** A bar per layer (median count), its min–max over the runs as a line, its share of the total beside it. */
function barChart(r: ProfileReport): string {
  return timelineChartSvg({
    id: 'layer-chart',
    title: `${r.unit} per layer`,
    orientation: 'rows',
    steps: { label: 'layer', count: r.layers.length, names: r.layers.map((l) => `${l.index} ${printable(l.op, 18)} ${printable(l.name, 24)}`) },
    values: { label: `median ${r.unit} per layer (line: min–max over ${r.runs} runs)`, max: Math.max(1, ...r.layers.map((l) => l.counts.max)), format: fmt },
    series: [{ key: 'layer', label: `median ${r.unit}`, color: '#3182bd' }],
    boxes: r.layers.map((l, i) => ({
      series: 'layer',
      steps: [i, i + 1],
      values: [0, l.counts.median],
      whisker: [l.counts.min, l.counts.max],
      note: `${l.percent.toFixed(1)}%`,
      tip: `${l.name} (${l.op}): median ${fmt(l.counts.median)} ${r.unit}, min ${fmt(l.counts.min)}, max ${fmt(l.counts.max)}, ${l.percent.toFixed(1)}% of total`,
      className: 'layer-bar',
      data: { layer: l.index },
    })),
  });
}

/** The arena picture of codegen's memory plan report, from the plan.json given with the layer table. */
function arenaPicture(a: ArenaPlan, steps: number): string {
  return `<h2>Arena</h2>
<p>${fmt(a.arenaBytes)} bytes of arena${a.flashBytes !== undefined ? `, ${fmt(a.flashBytes)} bytes of constant data in flash` : ''} (from codegen's plan.json)</p>
${arenaChartSvg({ id: 'arena', arenaBytes: a.arenaBytes, steps, buffers: a.buffers })}`;
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
