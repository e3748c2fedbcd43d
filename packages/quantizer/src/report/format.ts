import { escapeHtml, formatTable, printable, timelineChartSvg } from '@tinyforge/common';
import { LayerReport, QuantizationReport } from './measure';

/** Numbers as JSON allows: ±Infinity (an exact int8 layer) becomes the string "inf" / "-inf". */
export function reportToJson(report: QuantizationReport): string {
  return JSON.stringify(report, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? (Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf') : v), 2);
}

function db(v: number): string {
  return Number.isFinite(v) ? v.toFixed(1) : v > 0 ? 'inf' : '-inf';
}

function num(v: number): string {
  return Math.abs(v) >= 1000 || (Math.abs(v) < 0.001 && v !== 0) ? v.toExponential(2) : v.toFixed(3);
}

function pct(v: number): string {
  return `${(100 * v).toFixed(2)}%`;
}

/** A plain-text table for people: one line per layer, then the overall figures. */
export function reportToTable(report: QuantizationReport): string {
  // Node names from model files: made safe for the terminal; long ones keep their distinctive end.
  const rows = report.layers.map((l) => [printable(l.node, 40, 'end'), l.op, `[${num(l.range.min)}, ${num(l.range.max)}]`, db(l.sqnrDb), pct(l.clipping)]);
  const columns = [{ header: 'layer' }, { header: 'op' }, { header: 'int8 range' }, { header: 'SQNR dB', align: 'right' as const }, { header: 'clipped', align: 'right' as const }];
  const out = [formatTable(columns, rows), ''];
  out.push(`samples: ${report.samples}`);
  out.push(`output SQNR: ${db(report.outputSqnrDb)} dB`);
  if (report.top1Agreement !== undefined) out.push(`top-1 agreement float vs int8: ${pct(report.top1Agreement)}`);
  if (report.accuracy !== undefined) out.push(`accuracy: float ${pct(report.accuracy.float)}, int8 ${pct(report.accuracy.int8)}`);
  for (const w of report.warnings) out.push(`warning: ${w}`);
  return out.join('\n');
}

/** SQNR of a layer for the chart: exact layers are drawn at the top of the scale. */
function barValue(l: LayerReport, top: number): number {
  return Number.isFinite(l.sqnrDb) ? Math.max(0, Math.min(top, l.sqnrDb)) : top;
}

const SQNR_SERIES = [
  { key: 'good', label: 'SQNR ≥ 30 dB', color: '#3a7d44' },
  { key: 'fair', label: '15–30 dB', color: '#d9a400' },
  { key: 'poor', label: 'below 15 dB', color: '#c0392b' },
];

/** A self-contained HTML page (no scripts, no external files): overall figures, an SVG bar chart, the table. */
export function reportToHtml(report: QuantizationReport, title: string): string {
  const top = 60;
  const chart = timelineChartSvg({
    id: 'sqnr-chart',
    title: 'per-layer SQNR',
    orientation: 'columns',
    steps: { label: 'layer (execution order)', count: report.layers.length },
    values: { label: 'SQNR (dB)', max: top, ticks: [0, 20, 40, 60] },
    series: SQNR_SERIES,
    boxes: report.layers.map((l, i) => ({
      series: l.sqnrDb >= 30 ? 'good' : l.sqnrDb >= 15 ? 'fair' : 'poor',
      steps: [i, i + 1],
      values: [0, barValue(l, top)],
      tip: `${l.node} (${l.op}): ${db(l.sqnrDb)} dB`,
      className: 'layer-sqnr',
    })),
    width: Math.max(400, report.layers.length * 22 + 100),
    height: 300,
  });
  const rows = report.layers
    .map((l) => `<tr><td>${escapeHtml(l.node)}</td><td>${escapeHtml(l.op)}</td><td>[${num(l.range.min)}, ${num(l.range.max)}]</td><td>${db(l.sqnrDb)}</td><td>${pct(l.clipping)}</td></tr>`)
    .join('\n');
  const summary = [
    `<li>samples: ${report.samples}</li>`,
    `<li>output SQNR: ${db(report.outputSqnrDb)} dB</li>`,
    report.top1Agreement === undefined ? '' : `<li>top-1 agreement: ${pct(report.top1Agreement)}</li>`,
    report.accuracy === undefined ? '' : `<li>accuracy: float ${pct(report.accuracy.float)}, int8 ${pct(report.accuracy.int8)}</li>`,
    ...report.warnings.map((w) => `<li class="warn">warning: ${escapeHtml(w)}</li>`),
  ].join('\n');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{padding:2px 8px;border-bottom:1px solid #eee;text-align:left}.warn{color:#c0392b}</style>
</head><body>
<h1>${escapeHtml(title)}</h1>
<ul>${summary}</ul>
<h2>Per-layer SQNR (dB)</h2>
${chart}
<table><thead><tr><th>layer</th><th>op</th><th>int8 range</th><th>SQNR dB</th><th>clipped</th></tr></thead><tbody>
${rows}
</tbody></table>
</body></html>
`;
}
