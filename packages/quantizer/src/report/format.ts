import { escapeHtml, figureList, formatTable, fullNamesList, htmlReportPage, nameCell, textHeader, printable, shortName, timelineChartSvg } from '@tinyforge/common';
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

/** Width of a layer name in the text table; the full names are in --report / --json. */
const NAME_WIDTH = 44;

/** A row's index: the producing node's execution step, `in` for a graph input. */
const indexOf = (l: LayerReport): string => (l.step === undefined ? 'in' : String(l.step));

/**
 * A plain-text table for people: one line per tensor (the graph inputs, then each op's output in execution order),
 * named by the tensor (TFLite's name for the op), shortened with `shortName`; then the overall figures.
 */
export function reportToTable(report: QuantizationReport): string {
  const rows = report.layers.map((l) => [indexOf(l), shortName(l.tensor, NAME_WIDTH), printable(l.op, 20), `[${num(l.range.min)}, ${num(l.range.max)}]`, db(l.sqnrDb), pct(l.clipping)]);
  const columns = [{ header: '#', align: 'right' as const }, { header: 'layer (output tensor)' }, { header: 'op' }, { header: 'int8 range' }, { header: 'SQNR dB', align: 'right' as const }, { header: 'clipped', align: 'right' as const }];
  const out = [formatTable(columns, rows), ''];
  out.push(`samples: ${report.samples}`);
  out.push(`output SQNR: ${db(report.outputSqnrDb)} dB`);
  if (report.top1Agreement !== undefined) out.push(`top-1 agreement float vs int8: ${pct(report.top1Agreement)}`);
  if (report.accuracy !== undefined) out.push(`accuracy: float ${pct(report.accuracy.float)}, int8 ${pct(report.accuracy.int8)}`);
  const search = report.methodSearch;
  if (search !== undefined) {
    const each = search.candidates.map((c) => `${c.method} ${db(c.heldOutSqnrDb)} dB`).join(', ');
    out.push(`method auto: ${search.chosen} (held-out output SQNR on ${search.heldOutSamples} samples, calibrated on ${search.calibrationSamples}: ${each})`);
  } else if (report.method !== undefined) {
    out.push(`method: ${report.method}`);
  }
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

/** Drawn for a 1400-pixel window less the page margins; narrower windows scale it down. */
const CHART_WIDTH = 1340;

/** A self-contained HTML page (no scripts, no external files): overall figures, a bar per layer, the table. */
export function reportToHtml(report: QuantizationReport, title: string): string {
  const top = 60;
  const chart = timelineChartSvg({
    id: 'sqnr-chart',
    title: 'per-layer SQNR',
    orientation: 'rows',
    steps: {
      label: 'layer',
      count: report.layers.length,
      names: report.layers.map((l) => `${indexOf(l)} ${printable(l.op, 18)} ${shortName(l.tensor, 32)}`),
      fullNames: report.layers.map((l) => `${indexOf(l)} ${l.op} ${l.tensor}`),
    },
    values: { label: 'SQNR float vs int8 (dB; exact layers drawn at 60)', max: top, ticks: [0, 10, 20, 30, 40, 50, 60] },
    series: SQNR_SERIES,
    boxes: report.layers.map((l, i) => ({
      series: l.sqnrDb >= 30 ? 'good' : l.sqnrDb >= 15 ? 'fair' : 'poor',
      steps: [i, i + 1],
      values: [0, barValue(l, top)],
      note: `${db(l.sqnrDb)} dB`,
      tip: `${l.tensor} (${l.op}): ${db(l.sqnrDb)} dB, ${pct(l.clipping)} clipped`,
      className: 'layer-sqnr',
      data: { layer: indexOf(l) },
    })),
    width: CHART_WIDTH,
  });
  const rows = report.layers
    .map((l) => `<tr><td>${indexOf(l)}</td>${nameCell(l.tensor, NAME_WIDTH)}<td class="text">${escapeHtml(printable(l.op, 24))}</td><td>[${num(l.range.min)}, ${num(l.range.max)}]</td><td>${db(l.sqnrDb)}</td><td>${pct(l.clipping)}</td></tr>`)
    .join('\n');
  const figures: [string, string][] = [
    ['samples', String(report.samples)],
    ['output SQNR', `${db(report.outputSqnrDb)} dB`],
    ...(report.top1Agreement === undefined ? [] : [['top-1 agreement', pct(report.top1Agreement)] as [string, string]]),
    ...(report.accuracy === undefined ? [] : [['accuracy', `float ${pct(report.accuracy.float)}, int8 ${pct(report.accuracy.int8)}`] as [string, string]]),
    ...(report.methodSearch !== undefined
      ? [['calibration method', `${escapeHtml(report.methodSearch.chosen)} (auto: ${report.methodSearch.candidates.map((c) => `${escapeHtml(c.method)} ${db(c.heldOutSqnrDb)} dB`).join(', ')} held-out output SQNR)`] as [string, string]]
      : report.method !== undefined
        ? [['calibration method', escapeHtml(report.method)] as [string, string]]
        : []),
  ];
  const warnings = report.warnings.map((w) => `<li class="warn">warning: ${escapeHtml(w)}</li>`).join('\n');
  return htmlReportPage(
    title,
    `${figureList(figures)}
${warnings ? `<ul>${warnings}</ul>` : ''}
<h2>Per-layer SQNR (dB)</h2>
${chart}
<table class="data" id="layer-table"><thead><tr><th>#</th>${textHeader('layer (output tensor)', 'name')}${textHeader('op')}<th>int8 range</th><th>SQNR dB</th><th>clipped</th></tr></thead><tbody>
${rows}
</tbody></table>
${fullNamesList(report.layers.map((l) => ({ label: indexOf(l), name: l.tensor })), NAME_WIDTH)}`,
  );
}
