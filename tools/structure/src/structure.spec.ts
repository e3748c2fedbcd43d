/**
 * Structural rules of issue 17, checked over the TypeScript sources of every package (packages/, examples/, tools/):
 *  1. no dispatch over op types outside the registries: no `switch` on an op, no `case` naming an IR op type, no
 *     condition comparing `.op` with three or more op names — each stage looks ops up in its own table;
 *  2. no import cycle. The import graph is built with the TypeScript compiler API (ts.preProcessFile for every
 *     import, export-from, import type, import() and require; ts.resolveModuleName to resolve them) and its cycles
 *     found with Tarjan's strongly connected components. No extra dependency, nothing fetched.
 * Both detectors are also run on small fixtures below, so a broken detector fails here rather than passing silently.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { OP_TYPES } from '@tinyforge/ir';
import { cycles, importGraph, opDispatches, sourceFiles } from './scan';

const root = path.resolve(__dirname, '../../..');
const rel = (f: string): string => path.relative(root, f).split(path.sep).join('/');
const files = sourceFiles(root, ['packages', 'examples', 'tools']);

/** The registries: the one place per stage where an op's handling is declared (they need no switch either). */
const REGISTRIES: readonly string[] = [
  'packages/ir/src/ops/registry.ts',
  'packages/interpreter/src/kernels/registry.ts',
  'packages/model-format/src/tflite/read-ops.ts',
  'packages/model-format/src/tflite/write-ops.ts',
  'packages/model-format/src/onnx/import-ops.ts',
  'packages/model-format/src/onnx/export-ops.ts',
];

describe('structure', () => {
  it('finds the sources it checks', () => {
    expect(files.length).toBeGreaterThan(200);
    expect(files.map(rel)).toContain('packages/ir/src/ops/registry.ts');
  });

  it('has no dispatch over op types outside the registries', () => {
    const excused = new Set(REGISTRIES);
    // The checker's own sources spell the patterns it looks for (in its fixtures and comments).
    const checked = files.filter((f) => !rel(f).startsWith('tools/structure/'));
    const found = checked.map((f) => ({ file: rel(f), hits: opDispatches(fs.readFileSync(f, 'utf8'), OP_TYPES) })).filter((x) => x.hits.length > 0);
    const violations = found.filter((x) => !excused.has(x.file)).flatMap((x) => x.hits.map((h) => `${x.file}:${h.line}: ${h.text}`));
    expect(violations).toEqual([]);
  });

  it('has no import cycle', () => {
    const found = cycles(importGraph(root, files)).map((c) => c.map(rel).sort().join(' ↔ '));
    expect(found).toEqual([]);
  });
});

describe('the detectors', () => {
  it('see a switch over op types, an op-type case and a disguised switch, and let a single check pass', () => {
    const text = [
      'switch (node.op) {',
      "  case 'Conv2D':",
      'switch (int8Node.op) {',
      'switch (op) {',
      "if (n.op === 'Reshape' || n.op === 'Squeeze' || n.op === 'Identity') x();",
      "if (node.op === 'Conv2D') rewrite();",
      "switch (activation) { case 'relu': }",
      "switch (node.opType) {",
    ].join('\n');
    expect(opDispatches(text, OP_TYPES).map((d) => d.line)).toEqual([1, 2, 3, 4, 5, 8]);
  });

  it('finds a cycle through several files and a workspace import, and none in a tree', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyforge-structure-'));
    try {
      const write = (name: string, text: string): string => {
        const p = path.join(dir, name);
        fs.mkdirSync(path.dirname(p), { recursive: true });
        fs.writeFileSync(p, text);
        return p;
      };
      const a = write('packages/a/src/index.ts', "export * from './one';\n");
      const one = write('packages/a/src/one.ts', "import type { T } from './two';\nexport const one = 1;\n");
      const two = write('packages/a/src/two.ts', "import { three } from '@tinyforge/b';\nexport type T = number;\n");
      const three = write('packages/b/src/index.ts', "import { one } from '@tinyforge/a';\nexport const three = 3;\n");
      const leaf = write('packages/b/src/leaf.ts', 'export const leaf = 0;\n');
      const graph = importGraph(dir, [a, one, two, three, leaf]);
      expect(cycles(graph).map((c) => c.map((f) => path.relative(dir, f).split(path.sep).join('/')))).toEqual([
        ['packages/a/src/index.ts', 'packages/a/src/one.ts', 'packages/a/src/two.ts', 'packages/b/src/index.ts'],
      ]);
      expect(cycles(new Map([['x', ['y']], ['y', []]]))).toEqual([]);
      expect(cycles(new Map([['x', ['x']]]))).toEqual([['x']]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
