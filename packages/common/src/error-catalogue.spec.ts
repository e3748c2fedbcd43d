/**
 * The catalogue against the sources: every code raised anywhere (packages/*\/src, examples/*\/src, scripts/) is
 * in it, every entry is raised somewhere, and docs/errors.md is what the catalogue renders.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ERROR_CATALOGUE, ERROR_FAMILIES, errorCatalogueMarkdown, errorFamily, errorInfo } from './error-catalogue';

const ROOT = path.resolve(__dirname, '../../..');
const CATALOGUE_FILE = path.join(__dirname, 'error-catalogue.ts');

function sources(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && e.name !== 'dist') walk(full);
      } else if (/\.(ts|js)$/.test(e.name) && !/\.(spec|d)\.ts$/.test(e.name) && full !== CATALOGUE_FILE) {
        out.push(full);
      }
    }
  };
  for (const group of ['packages', 'examples']) {
    for (const pkg of fs.readdirSync(path.join(ROOT, group))) {
      const src = path.join(ROOT, group, pkg, 'src');
      if (pkg !== 'onnx-proto' && fs.existsSync(src)) walk(src);
    }
  }
  walk(path.join(ROOT, 'scripts'));
  return out;
}

const CODE = String.raw`[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*`;
/** Where a code is raised or declared, whatever its family: the constructor or a failure helper's first argument,
 * a `code:` field, a union of codes in an error module, or printed text `error[CODE]`. */
const RAISE_PATTERNS = [
  new RegExp(String.raw`new \w*Error\(\s*'(${CODE})'`, 'g'),
  new RegExp(String.raw`\bsuper\(\s*'(${CODE})'`, 'g'),
  new RegExp(String.raw`\b(?:fail|error)\(\s*'(${CODE})'`, 'g'),
  new RegExp(String.raw`\bcode:\s*'(${CODE})'`, 'g'),
  new RegExp(String.raw`error\[(${CODE})\]`, 'g'),
];
const UNION_MEMBER = new RegExp(String.raw`\|\s*'(${CODE})'`, 'g');

interface Scan {
  /** Codes found by the patterns above, with a file that raises each. */
  raised: Map<string, string>;
  /** Every all-capitals string literal (or `error[...]` text) with the file it is in. */
  literals: Map<string, string>;
}

function scan(): Scan {
  const raised = new Map<string, string>();
  const literals = new Map<string, string>();
  for (const file of sources()) {
    // Comment lines mention codes as examples (`error[CODE]`); only code counts.
    const text = fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => !/^\s*(\/\/|\/\*|\*)/.test(line))
      .join('\n');
    const rel = path.relative(ROOT, file);
    const patterns = /(errors|-error)\.ts$/.test(file) ? [...RAISE_PATTERNS, UNION_MEMBER] : RAISE_PATTERNS;
    for (const p of patterns) for (const m of text.matchAll(p)) if (!raised.has(m[1])) raised.set(m[1], rel);
    for (const m of text.matchAll(new RegExp(String.raw`'(${CODE})'|error\[(${CODE})\]`, 'g'))) {
      const code = m[1] ?? m[2];
      if (!literals.has(code)) literals.set(code, rel);
    }
  }
  return { raised, literals };
}

describe('error catalogue', () => {
  const { raised, literals } = scan();

  test('the scan finds codes of every family (the patterns still match how the sources raise errors)', () => {
    expect(raised.size).toBeGreaterThan(80);
    for (const f of ERROR_FAMILIES) expect([...raised.keys()].some((c) => errorFamily(c) === f)).toBe(true);
  });

  test('every code raised or declared in the sources is in the catalogue', () => {
    const missing = [...raised].filter(([code]) => errorInfo(code) === undefined).map(([code, file]) => `${code} (${file})`);
    expect(missing).toEqual([]);
  });

  test('every string literal of a known family is in the catalogue (codes passed through helpers or variables)', () => {
    const missing = [...literals].filter(([code]) => errorFamily(code) !== undefined && errorInfo(code) === undefined).map(([code, file]) => `${code} (${file})`);
    expect(missing).toEqual([]);
  });

  test('every catalogue entry is used by some source, belongs to one family, and is documented', () => {
    const unused = ERROR_CATALOGUE.filter((e) => !literals.has(e.code)).map((e) => e.code);
    expect(unused).toEqual([]);
    expect(new Set(ERROR_CATALOGUE.map((e) => e.code)).size).toBe(ERROR_CATALOGUE.length);
    for (const e of ERROR_CATALOGUE) {
      expect(errorFamily(e.code)).toBeDefined();
      expect(e.meaning.length).toBeGreaterThan(10);
      expect(e.action.length).toBeGreaterThan(5);
    }
  });

  test('docs/errors.md is generated from the catalogue (regenerate with `npm run errors-doc`)', () => {
    const doc = fs.readFileSync(path.join(ROOT, 'docs/errors.md'), 'utf8');
    expect(doc).toBe(errorCatalogueMarkdown());
    for (const e of ERROR_CATALOGUE) expect(doc).toContain(`| \`${e.code}\` |`);
  });
});
