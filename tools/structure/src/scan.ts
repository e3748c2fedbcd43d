import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

/** Every TypeScript source under `dirs` (relative to `root`), skipping build output and dependencies. */
export function sourceFiles(root: string, dirs: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && e.name !== 'dist') walk(p);
      } else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p);
    }
  };
  for (const d of dirs) if (fs.existsSync(path.join(root, d))) walk(path.join(root, d));
  return out.sort();
}

/** A place in a file where an op type is dispatched on. */
export interface OpDispatch {
  line: number;
  text: string;
}

/**
 * Dispatch over op types in one file's text: a `switch` on an op-like value (`switch (node.op)`, `switch (op)`,
 * `switch (n.opType)`, `switch (builtin)`), a `case` naming an IR op type, or a condition comparing `.op` with three
 * or more op names (a switch in disguise). A single `node.op === 'Conv2D'` check for one rewrite is not dispatch.
 */
export function opDispatches(text: string, opTypes: readonly string[]): OpDispatch[] {
  const names = new Set(opTypes);
  const found: OpDispatch[] = [];
  text.split('\n').forEach((line, i) => {
    const hit = (): number => found.push({ line: i + 1, text: line.trim() });
    if (/\bswitch\s*\(\s*(?:[\w$]+\.)*(?:op|opType|op_type|builtin|builtinCode)\s*\)/.test(line)) return hit();
    for (const m of line.matchAll(/\bcase\s+'([A-Za-z0-9_]+)'\s*:/g)) if (names.has(m[1])) return hit();
    if ((line.match(/\.op\s*[!=]==?\s*'/g) ?? []).length >= 3) return hit();
  });
  return found;
}

/**
 * The import graph of `files`: for each file, the files it imports (static imports, `export … from`, `import type`,
 * `import()` and `require` alike), resolved with the TypeScript compiler's own module resolution; workspace packages
 * (`@tinyforge/x`, `@tinyforge/x/sub`) resolve to their sources, as the jest preset maps them.
 */
export function importGraph(root: string, files: readonly string[]): Map<string, string[]> {
  const options: ts.CompilerOptions = { moduleResolution: ts.ModuleResolutionKind.Node10 };
  const known = new Set(files.map((f) => path.resolve(f)));
  const graph = new Map<string, string[]>();
  // '@tinyforge/x/sub' → '<root>/packages/x/src/sub' (resolved from the root as a relative path: file or index).
  const workspace = (spec: string): string | undefined => {
    const m = /^@tinyforge\/([a-z0-9-]+)(?:\/(.+))?$/.exec(spec);
    return m === null ? undefined : './' + path.posix.join('packages', m[1], 'src', m[2] ?? '');
  };
  const fromRoot = path.join(root, 'package.json');
  for (const file of files) {
    const info = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
    const targets = new Set<string>();
    for (const ref of info.importedFiles) {
      const mapped = workspace(ref.fileName);
      const resolved = ts.resolveModuleName(mapped ?? ref.fileName, mapped === undefined ? file : fromRoot, options, ts.sys).resolvedModule?.resolvedFileName;
      if (resolved !== undefined && known.has(path.resolve(resolved))) targets.add(path.resolve(resolved));
    }
    graph.set(path.resolve(file), [...targets].sort());
  }
  return graph;
}

/** The cycles of a directed graph: its strongly connected components with more than one member, or a self-loop (Tarjan). */
export function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(scc.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return out;
}
