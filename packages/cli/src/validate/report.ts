import { escapeHtml, figureList, formatTable, htmlReportPage } from '@tinyforge/common';
import { EngineColumn, ValidateReport } from './run-validate';

const pct = (v: number | undefined): string => (v === undefined ? '-' : `${(100 * v).toFixed(2)}%`);
const num = (v: number | undefined, digits = 4): string => (v === undefined ? '-' : Number.isFinite(v) ? v.toFixed(digits) : String(v));

function columnName(c: EngineColumn): string {
  return c.engine === 'board' && c.board !== undefined ? c.board.name : c.engine;
}

/** Rows of the side-by-side table: one figure per row, one column per engine. */
function rows(report: ValidateReport): [string, (c: EngineColumn) => string][] {
  const out: [string, (c: EngineColumn) => string][] = [];
  if (report.labels) out.push(['accuracy', (c) => pct(c.accuracy)]);
  if (report.columns.some((c) => c.vsFloat !== undefined)) {
    out.push(
      ['top-1 agreement with float', (c) => (c.engine === 'float' ? '-' : pct(c.vsFloat?.top1Agreement))],
      ['RMSE vs float', (c) => (c.engine === 'float' ? '-' : num(c.vsFloat?.rmse, 6))],
      ['MAE vs float', (c) => (c.engine === 'float' ? '-' : num(c.vsFloat?.mae, 6))],
      ['cosine vs float', (c) => (c.engine === 'float' ? '-' : num(c.vsFloat?.cosine, 6))],
      ['L2 relative error vs float', (c) => (c.engine === 'float' ? '-' : num(c.vsFloat?.l2Relative, 6))],
    );
  }
  out.push(['outputs differing from ref', (c) => (c.vsReference !== undefined ? `${c.vsReference.samples} / ${report.samples}` : '-')]);
  out.push(['bytes differing from ref', (c) => (c.vsReference !== undefined ? String(c.vsReference.bytes) : '-')]);
  if (report.columns.some((c) => c.board !== undefined)) out.push(['median invoke', (c) => (c.board !== undefined ? `${Math.round(c.board.medianInvoke)} ${c.board.unit}` : '-')]);
  out.push(['time', (c) => `${(c.milliseconds / 1000).toFixed(1)} s`]);
  return out;
}

export function validateText(report: ValidateReport): string {
  const table = formatTable(
    [{ header: 'figure' }, ...report.columns.map((c) => ({ header: columnName(c), align: 'right' as const }))],
    rows(report).map(([label, cell]) => [label, ...report.columns.map(cell)]),
  );
  const head = `${report.model}${report.float !== undefined ? ` (float: ${report.float})` : ''}: ${report.data}${report.labels ? ', with labels' : ''}`;
  return [head, ...report.warnings.map((w) => `warning: ${w}`), table].join('\n');
}

export function validateJson(report: ValidateReport): string {
  return JSON.stringify(report, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2);
}

/** A confusion matrix as an SVG heat map: rows are labels, columns predictions, darker = more samples. */
export function confusionSvg(confusion: number[][], title: string): string {
  const n = confusion.length;
  const cell = Math.max(14, Math.min(36, Math.floor(360 / Math.max(n, 1))));
  const margin = 34;
  const size = margin + n * cell + 4;
  const rowMax = confusion.map((r) => Math.max(1, r.reduce((a, b) => a + b, 0)));
  const rects: string[] = [];
  confusion.forEach((r, i) =>
    r.forEach((v, j) => {
      const share = v / rowMax[i];
      const light = Math.round(97 - 60 * share);
      const hue = i === j ? 210 : 8;
      rects.push(`<rect x="${margin + j * cell}" y="${margin + i * cell}" width="${cell - 1}" height="${cell - 1}" fill="hsl(${hue},65%,${light}%)"><title>label ${i}, predicted ${j}: ${v}</title></rect>`);
      if (v > 0 && cell >= 20) rects.push(`<text x="${margin + j * cell + cell / 2}" y="${margin + i * cell + cell / 2 + 4}" font-size="10" text-anchor="middle" fill="${share > 0.5 ? '#fff' : '#222'}">${v}</text>`);
    }),
  );
  const labels = Array.from({ length: n }, (_, k) => `<text x="${margin + k * cell + cell / 2}" y="${margin - 6}" font-size="10" text-anchor="middle">${k}</text><text x="${margin - 6}" y="${margin + k * cell + cell / 2 + 4}" font-size="10" text-anchor="end">${k}</text>`);
  return `<figure><svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" role="img" aria-label="${escapeHtml(title)}">${labels.join('')}${rects.join('')}<text x="2" y="12" font-size="10">label ↓ / predicted →</text></svg><figcaption>${escapeHtml(title)}</figcaption></figure>`;
}

export function validateHtml(report: ValidateReport): string {
  const header = `<tr><th class="text">figure</th>${report.columns.map((c) => `<th>${escapeHtml(columnName(c))}</th>`).join('')}</tr>`;
  const body = rows(report)
    .map(([label, cell]) => `<tr><td class="text">${escapeHtml(label)}</td>${report.columns.map((c) => `<td>${escapeHtml(cell(c))}</td>`).join('')}</tr>`)
    .join('\n');
  const figures = figureList([
    ['model', escapeHtml(report.model)],
    ...(report.float !== undefined ? [['float model', escapeHtml(report.float)] as [string, string]] : []),
    ['data', escapeHtml(report.data)],
    ['samples', String(report.samples)],
  ]);
  const warnings = report.warnings.map((w) => `<p class="warn">warning: ${escapeHtml(w)}</p>`).join('\n');
  const matrices = report.columns
    .filter((c) => c.confusion !== undefined)
    .map((c) => confusionSvg(c.confusion!, `${columnName(c)}: accuracy ${pct(c.accuracy)}`))
    .join('\n');
  return htmlReportPage(
    `tinyforge validate: ${report.model}`,
    `${figures}\n${warnings}\n<h2>Metrics</h2>\n<table class="data">${header}\n${body}</table>\n${matrices !== '' ? `<h2>Confusion matrices</h2>\n<div style="display:flex;flex-wrap:wrap;gap:16px">${matrices}</div>` : ''}`,
  );
}
