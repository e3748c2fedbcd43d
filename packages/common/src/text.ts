/**
 * Text for people: names from model files and boards are untrusted, so they reach a terminal only through
 * `printable` and HTML only through `escapeHtml`; tables go through the one `formatTable`.
 */

// C0/C1 control characters (terminal escape sequences) and the bidi overrides/isolates that reorder what is shown.
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * `s` safe for a terminal: unprintable characters become `?`, and a name longer than `max` is shortened with `…`,
 * keeping its start (default) or its end (`keep: 'end'`, for names whose distinctive part is the suffix).
 */
export function printable(s: string, max = 60, keep: 'start' | 'end' = 'start'): string {
  const clean = s.replace(UNPRINTABLE, '?');
  if (clean.length <= max) return clean;
  return keep === 'start' ? `${clean.slice(0, max - 1)}…` : `…${clean.slice(clean.length - max + 1)}`;
}

/**
 * A layer or tensor name short enough for a table cell or a chart label, keeping what tells layers apart. TFLite
 * joins the names of the ops a converter fused with ';' ("model/activation_3/Relu;model/batch_normalization_3/…;
 * …/BiasAdd/ReadVariableOp/resource1"): the first is the fused op's own output, the rest are its inputs' names, so
 * the first is kept and "…" says more follow. A part still longer than `max` keeps its start and its last path
 * components ("model/…/conv2d_12/Conv2D"), never only one end. Unprintable characters become `?` as in `printable`.
 * Show the full name beside it where there is room (an HTML title, a details list, `--json`).
 */
export function shortName(name: string, max = 40): string {
  const parts = name.replace(UNPRINTABLE, '?').split(';').filter((p) => p !== '');
  const first = parts[0] ?? '';
  const more = parts.length > 1;
  const room = Math.max(max - (more ? 2 : 0), 8);
  return `${first.length <= room ? first : cutMiddle(first, room)}${more ? ';…' : ''}`;
}

/** `s` in `max` characters: some of its start, as much of its end as fits (from a '/' where one is near), '…' between. */
function cutMiddle(s: string, max: number): string {
  const budget = max - 1;
  const firstComponent = s.indexOf('/') + 1 || budget;
  const tailRoom = budget - Math.min(firstComponent, Math.floor(budget / 3));
  let tail = s.slice(s.length - tailRoom);
  const slash = tail.indexOf('/');
  const wholeComponents = s[s.length - tailRoom - 1] === '/';
  if (!wholeComponents && slash > 0 && tail.length - slash >= tailRoom / 2) tail = tail.slice(slash);
  return `${s.slice(0, budget - tail.length)}…${tail}`;
}

// A UTF-16 surrogate without its partner: not a character, and no valid UTF-8 to write it as.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Escape for HTML text and attribute values (also inside inline SVG): every character that could end either, and
 * no raw control character (NUL, ESC, C1, bidi overrides become `?`) or lone surrogate (U+FFFD) from a model name.
 */
export function escapeHtml(s: string): string {
  return s
    .replace(LONE_SURROGATE, '\ufffd')
    .replace(UNPRINTABLE, (c) => (c === '\n' || c === '\t' ? c : '?'))
    .replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

export interface Column {
  header: string;
  align?: 'left' | 'right';
}

/**
 * A plain-text table: a header line, a line of dashes, one line per row; columns two spaces apart, each as wide
 * as its widest cell, left- or right-aligned; no trailing spaces. Cells are printed as given (run names through
 * `printable` first).
 */
export function formatTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((c, i) => rows.reduce((w, r) => Math.max(w, r[i].length), c.header.length));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (columns[i].align === 'right' ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
