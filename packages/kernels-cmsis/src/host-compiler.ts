/**
 * Builds C test programs against the kernel library with the host gcc (or any compiler given), with the
 * warnings the library promises to be clean under.
 */
import { spawn, spawnSync } from 'child_process';
import { kernelIncludeDir, kernelSources } from './sources';

export const STRICT_C_FLAGS = ['-std=c99', '-Wall', '-Wextra', '-Werror', '-Wconversion'];

/** Whether `compiler --version` runs; tests skip (with a message) when it does not. */
export function hasCompiler(compiler: string): boolean {
  const r = spawnSync(compiler, ['--version'], { encoding: 'utf8' });
  return r.status === 0;
}

/** Compile the whole library plus `extraSources` into `output`; throws with the compiler's stderr on failure. */
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
  const { compiler, args } = compileCommand(extraSources, output, options);
  return new Promise((resolve, reject) => {
    const child = spawn(compiler, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (status) => (status === 0 ? resolve() : reject(new Error(`${compiler} failed (${status}):\n${stderr}`))));
  });
}

function compileCommand(extraSources: string[], output: string, options: { compiler?: string; flags?: string[] }): { compiler: string; args: string[] } {
  const compiler = options.compiler ?? 'gcc';
  const args = [...STRICT_C_FLAGS, '-O2', ...(options.flags ?? []), `-I${kernelIncludeDir}`, ...kernelSources(), ...extraSources, '-o', output, '-lm'];
  return { compiler, args };
}
