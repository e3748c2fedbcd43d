/**
 * Model names are untrusted: they reach C identifiers, comments, string literals and HTML. Everything that puts a
 * model string into generated text goes through one of these helpers.
 */

const C_KEYWORDS = new Set(
  (
    'auto break case char const continue default do double else enum extern float for goto if inline int long ' +
    'register restrict return short signed sizeof static struct switch typedef union unsigned void volatile while ' +
    '_Bool _Complex _Imaginary'
  ).split(' '),
);

/** A C identifier from any string: [a-z0-9_] only, not starting with a digit or '_', never a keyword. */
export function cIdentifier(raw: string, maxLength = 40): string {
  let s = raw
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, maxLength)
    .replace(/_+$/, '');
  if (s === '' || /^[0-9]/.test(s)) s = `m_${s}`.replace(/_+$/, '');
  if (C_KEYWORDS.has(s)) s = `${s}_`;
  return s;
}

/** Hands out identifiers unique within one generated file set (suffixing _2, _3… on collisions). */
export class NameTable {
  private readonly used = new Set<string>();

  unique(raw: string, maxLength = 40): string {
    const base = cIdentifier(raw, maxLength);
    let name = base;
    for (let k = 2; this.used.has(name); k++) name = `${base}_${k}`;
    this.used.add(name);
    return name;
  }
}

/**
 * Text safe inside a C block comment: printable ASCII only (no `*` followed by `/`, no backslash that could splice
 * lines, no `??` trigraphs), capped in length.
 */
export function cCommentText(raw: string, maxLength = 100): string {
  const s = raw
    .replace(/[^\x20-\x7e]/g, '_')
    .replace(/\\/g, '/')
    .replace(/\*\//g, '*_')
    .replace(/\/\*/g, '/_')
    .replace(/\?\?/g, '?_');
  return s.length > maxLength ? `${s.slice(0, maxLength - 3)}...` : s;
}

/** A C string literal body: printable ASCII, quotes and backslashes escaped, no trigraphs. */
export function cStringLiteral(raw: string, maxLength = 100): string {
  const body = cCommentText(raw, maxLength).replace(/"/g, '\\"');
  return `"${body}"`;
}

/** A macro name part: upper-case identifier. */
export function macroName(raw: string): string {
  return cIdentifier(raw).toUpperCase();
}
