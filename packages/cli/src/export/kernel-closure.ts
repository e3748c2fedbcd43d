import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BoardError } from '@tinyforge/boards';

/** One compiler the closure is taken with: its own objects, its own preprocessor paths (DSP, Helium, plain C). */
export interface ClosureCompiler {
  /** e.g. 'gcc' or 'arm-none-eabi-gcc'; its nm is found beside it by name (`<prefix>nm`). */
  cc: string;
  flags: readonly string[];
}

export interface KernelClosure {
  /** Kernel C sources the model links, absolute. */
  sources: string[];
  /** Kernel headers those sources and the model include, absolute. */
  headers: string[];
  /** Bytes of code and data of the linked kernel objects, per compiler (Berkeley `size` text + data). */
  codeBytes: Map<string, number>;
}

function tool(cc: string, name: string): string {
  return cc.endsWith('gcc') ? `${cc.slice(0, -'gcc'.length)}${name}` : name;
}

function runTool(command: string, args: string[], cwd: string): string {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error !== undefined || r.status !== 0) {
    throw new BoardError('BOARD_BUILD', `${command} ${args.slice(0, 3).join(' ')}… failed: ${(r.error?.message ?? r.stderr).slice(0, 2000)}`);
  }
  return r.stdout;
}

/** `nm -P` lines: symbol, type, … ; defined globals and undefined symbols of one object. */
function symbols(nm: string, object: string, cwd: string): { defined: string[]; undefined: string[] } {
  const lines = runTool(nm, ['-P', '-g', object], cwd).split('\n').filter((l) => l.trim() !== '');
  const fields = lines.map((l) => l.trim().split(/\s+/));
  return { defined: fields.filter((f) => f[1] !== 'U' && f[1] !== 'w').map((f) => f[0]), undefined: fields.filter((f) => f[1] === 'U').map((f) => f[0]) };
}

/**
 * Exactly the kernel sources a generated model links, found the way a linker finds them: compile the model and
 * every kernel source, then follow undefined symbols to the objects that define them, from the model's until none
 * is left (the C library's are not ours). Taken once per compiler, since DSP, Helium and plain C paths call
 * different helpers; the result is the union. Headers come from the compilers' dependency lists.
 */
export function kernelClosure(modelSources: readonly string[], kernelSources: readonly string[], includeDirs: readonly string[], compilers: readonly ClosureCompiler[], kernelRoot: string): KernelClosure {
  const bases = kernelSources.map((s) => path.basename(s, '.c'));
  if (new Set(bases).size !== bases.length) throw new BoardError('BOARD_BUILD', 'two kernel sources share a file name; the closure keys objects by name');
  const sources = new Set<string>();
  const headers = new Set<string>();
  const codeBytes = new Map<string, number>();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tfg-export-'));
  try {
    compilers.forEach((c, k) => {
      const dir = path.join(work, String(k));
      fs.mkdirSync(dir);
      const all = [...modelSources, ...kernelSources];
      // One compiler process for every file: -MMD leaves each object's header list beside it.
      runTool(c.cc, ['-c', '-O2', '-MMD', ...c.flags, ...includeDirs.map((d) => `-I${d}`), ...all], dir);
      const object = (source: string) => path.join(dir, `${path.basename(source, '.c')}.o`);
      const nm = tool(c.cc, 'nm');
      const definedBy = new Map<string, string>();
      for (const s of kernelSources) for (const name of symbols(nm, object(s), dir).defined) definedBy.set(name, s);
      const linked = new Set<string>();
      const pending = modelSources.flatMap((s) => symbols(nm, object(s), dir).undefined);
      while (pending.length > 0) {
        const source = definedBy.get(pending.pop()!);
        if (source === undefined || linked.has(source)) continue;
        linked.add(source);
        pending.push(...symbols(nm, object(source), dir).undefined);
      }
      for (const s of [...modelSources, ...linked]) {
        const deps = fs.readFileSync(path.join(dir, `${path.basename(s, '.c')}.d`), 'utf8').replace(/\\\n/g, ' ');
        for (const f of deps.slice(deps.indexOf(':') + 1).trim().split(/\s+/)) {
          const abs = path.resolve(dir, f);
          if (abs.startsWith(kernelRoot + path.sep) && abs.endsWith('.h')) headers.add(abs);
        }
      }
      linked.forEach((s) => sources.add(s));
      const sizes = runTool(tool(c.cc, 'size'), ['-t', ...[...linked].map(object)], dir).trim().split('\n');
      const total = sizes[sizes.length - 1].trim().split(/\s+/).map(Number);
      codeBytes.set(c.cc, (total[0] || 0) + (total[1] || 0));
    });
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  return { sources: [...sources].sort(), headers: [...headers].sort(), codeBytes };
}
