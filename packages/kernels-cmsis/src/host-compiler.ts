/**
 * Builds C test programs against the kernel library with the host gcc (or any compiler given), with the
 * warnings the library promises to be clean under.
 */
import { spawn, spawnSync } from 'child_process';
import { compileCached } from '@tinyforge/common';
import { kernelIncludeDir, kernelSourceDir, kernelSources } from './sources';

export const STRICT_C_FLAGS = ['-std=c99', '-Wall', '-Wextra', '-Werror', '-Wconversion'];

/** Whether `compiler --version` runs; tests skip (with a message) when it does not. */
export function hasCompiler(compiler: string): boolean {
  const r = spawnSync(compiler, ['--version'], { encoding: 'utf8' });
  return r.status === 0;
}

/** Link the whole library (its objects from the cache below) plus `extraSources` into `output`; throws with the compiler's stderr on failure. */
export function compileWithKernels(
  extraSources: string[],
  output: string,
  options: { compiler?: string; flags?: string[] } = {},
): void {
  const { compiler, args } = compileCommand(extraSources, output, options);
  const r = spawnSync(compiler, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${compiler} failed (${r.status}):\n${r.stderr}`);
}

/** compileWithKernels without blocking, so several builds (e.g. one per target) can run at once. */
export function compileWithKernelsAsync(
  extraSources: string[],
  output: string,
  options: { compiler?: string; flags?: string[] } = {},
): Promise<void> {
  let command: { compiler: string; args: string[] };
  try {
    command = compileCommand(extraSources, output, options);
  } catch (e) {
    return Promise.reject(e);
  }
  const { compiler, args } = command;
  return new Promise((resolve, reject) => {
    const child = spawn(compiler, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (status) => (status === 0 ? resolve() : reject(new Error(`${compiler} failed (${status}):\n${stderr}`))));
  });
}

/**
 * The library's objects are compiled once per compiler, flag set and source content (common's compileCached, under
 * cacheRoot()/kernel-test-objects), so the many test programs of a run, each a different harness over the same
 * library, compile only their own sources and link. Same objects as one `gcc a.c b.c ...` call: gcc compiles every
 * source on its own either way.
 */
function compileCommand(extraSources: string[], output: string, options: { compiler?: string; flags?: string[] }): { compiler: string; args: string[] } {
  const compiler = options.compiler ?? 'gcc';
  const flags = [...STRICT_C_FLAGS, '-O2', ...(options.flags ?? []), `-I${kernelIncludeDir}`];
  const objects = compileCached({
    kind: 'kernel-test-objects',
    compiler,
    flags,
    sources: kernelSources(),
    headerDirs: [kernelIncludeDir, kernelSourceDir],
    compile: (args, src) => {
      const r = spawnSync(compiler, args, { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${compiler} failed on ${src} (${r.status ?? r.error?.message}):\n${r.stderr}`);
    },
  });
  return { compiler, args: [...flags, ...objects, ...extraSources, '-o', output, '-lm'] };
}
