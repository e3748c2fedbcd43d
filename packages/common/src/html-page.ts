import { escapeHtml, shortName } from './text';

/**
 * The page every HTML report is: self-contained (no scripts, nothing loaded from elsewhere: the CSP says so), using
 * the window's width, with one table style. Layer names from model files are long (TFLite joins fused ops' names
 * with ';'), so tables show `shortName`s with the full name on hover and in a "full names" list under the table;
 * numeric columns never wrap, so the table fits the page instead of pushing its figures off-screen.
 */
const STYLE = [
  'body{font-family:sans-serif;margin:16px 20px;color:#222}',
  'h1{font-size:20px;margin:0 0 8px}h2{font-size:16px;margin:20px 0 6px}',
  'p,li{font-size:13px}',
  'table.data{border-collapse:collapse;max-width:100%}',
  'table.data td,table.data th{border:1px solid #ccc;padding:2px 6px;font-size:12px;text-align:right;white-space:nowrap}',
  'table.data th{background:#f2f2f2;position:sticky;top:0}',
  'table.data td.name,table.data td.text,table.data th.name,table.data th.text{text-align:left}',
  'table.data td.name{max-width:34ch;overflow:hidden;text-overflow:ellipsis}',
  'details{margin:6px 0 12px;font-size:12px}details ul{list-style:none;padding-left:8px;font-family:monospace;word-break:break-all;margin:4px 0}',
  'dl.figures{display:grid;grid-template-columns:max-content auto;gap:2px 12px;font-size:13px}dl.figures dt{font-weight:bold}dl.figures dd{margin:0}',
  '.warn{color:#b03a2e}',
].join('\n');

/** A whole report page around `body` (HTML the caller built with `escapeHtml` for every model string). */
export function htmlReportPage(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head><body>
<h1>${escapeHtml(title)}</h1>
${body}
</body></html>
`;
}

/** A header cell of a left-aligned (text) column: `name` for the layer column, `text` for others. */
export function textHeader(label: string, kind: 'name' | 'text' = 'text'): string {
  return `<th class="${kind}">${escapeHtml(label)}</th>`;
}

/** A table cell with a layer or tensor name: shortened, the full name as its hover text. */
export function nameCell(fullName: string, max = 40): string {
  const short = shortName(fullName, max);
  const title = short !== fullName ? ` title="${escapeHtml(fullName)}"` : '';
  return `<td class="name"${title}>${escapeHtml(short)}</td>`;
}

/**
 * The full names of a table's rows, each after its row's index (`label`), folded away under the table; only when
 * some name was shortened to `max` characters.
 */
export function fullNamesList(names: readonly { label: string; name: string }[], max = 40): string {
  if (names.every((n) => shortName(n.name, max) === n.name)) return '';
  const items = names.map((n) => `<li><b>${escapeHtml(n.label)}</b> ${escapeHtml(n.name)}</li>`).join('\n');
  return `<details class="full-names"><summary>full names (${names.length})</summary><ul>\n${items}\n</ul></details>`;
}

/** A definition list of figures (label → value HTML). */
export function figureList(figures: readonly (readonly [string, string])[]): string {
  return `<dl class="figures">${figures.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${v}</dd>`).join('')}</dl>`;
}
