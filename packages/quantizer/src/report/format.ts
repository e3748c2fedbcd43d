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

/** Names from model files: control characters replaced (no terminal escapes), long ones shortened from the left. */
function shortName(s: string, max = 40): string {
  // eslint-disable-next-line no-control-regex
  const clean = s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return clean.length > max ? `…${clean.slice(clean.length - max + 1)}` : clean;
}

/** A plain-text table for people: one line per layer, then the overall figures. */
export function reportToTable(report: QuantizationReport): string {
  const rows = report.layers.map((l) => [shortName(l.node), l.op, `[${num(l.range.min)}, ${num(l.range.max)}]`, db(l.sqnrDb), pct(l.clipping)]);
  const head = ['layer', 'op', 'int8 range', 'SQNR dB', 'clipped'];
  const widths = head.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)));
  const line = (r: string[]): string => r.map((c, k) => (k >= 3 ? c.padStart(widths[k]) : c.padEnd(widths[k]))).join('  ').trimEnd();
  const out = [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line), ''];
  out.push(`samples: ${report.samples}`);
  out.push(`output SQNR: ${db(report.outputSqnrDb)} dB`);
  if (report.top1Agreement !== undefined) out.push(`top-1 agreement float vs int8: ${pct(report.top1Agreement)}`);
  if (report.accuracy !== undefined) out.push(`accuracy: float ${pct(report.accuracy.float)}, int8 ${pct(report.accuracy.int8)}`);
  for (const w of report.warnings) out.push(`warning: ${w}`);
  return out.join('\n');
}

/** Escape text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** SQNR of a layer for the chart: exact layers are drawn at the top of the scale. */
function barValue(l: LayerReport, top: number): number {
  return Number.isFinite(l.sqnrDb) ? Math.max(0, Math.min(top, l.sqnrDb)) : top;
}

/** A self-contained HTML page (no scripts, no external files): overall figures, an SVG bar chart, the table. */
export function reportToHtml(report: QuantizationReport, title: string): string {
  const top = 60;
  const barW = 18;
  const gap = 4;
  const chartH = 200;
  const width = Math.max(300, report.layers.length * (barW + gap) + 60);
  const bars = report.layers
    .map((l, i) => {
      const h = (barValue(l, top) / top) * chartH;
      const x = 40 + i * (barW + gap);
      const colour = l.sqnrDb >= 30 ? '#3a7d44' : l.sqnrDb >= 15 ? '#d9a400' : '#c0392b';
      return `<rect x="${x}" y="${(chartH - h + 10).toFixed(1)}" width="${barW}" height="${h.toFixed(1)}" fill="${colour}"><title>${escapeHtml(`${l.node} (${l.op}): ${db(l.sqnrDb)} dB`)}</title></rect>`;
    })
    .join('\n');
  const ticks = [0, 20, 40, 60]
    .map((v) => {
      const y = 10 + chartH - (v / top) * chartH;
      return `<line x1="36" x2="${width}" y1="${y}" y2="${y}" stroke="#ddd"/><text x="30" y="${y + 4}" text-anchor="end" font-size="10">${v}</text>`;
    })
    .join('\n');
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
<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${chartH + 20}" role="img" aria-label="per-layer SQNR">
${ticks}
${bars}
</svg>
<table><thead><tr><th>layer</th><th>op</th><th>int8 range</th><th>SQNR dB</th><th>clipped</th></tr></thead><tbody>
${rows}
</tbody></table>
</body></html>
`;
}
