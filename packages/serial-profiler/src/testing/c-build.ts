/** Host/ARM compilation of the on-board link and profiler sources for tests. */
import { spawnSync } from 'child_process';
import { BOARD_C_DIR, BOARD_C_SOURCES } from '../board-c';

export const PROFILER_C_DIR = BOARD_C_DIR;
/** The profiler's records go out through the link's framing: both files. */
export const PROFILER_C_SOURCES = [BOARD_C_SOURCES.profile, BOARD_C_SOURCES.link];
export const STRICT_C_FLAGS = ['-std=c99', '-Wall', '-Wextra', '-Werror', '-Wconversion'];

export function hasTool(tool: string): boolean {
  return spawnSync(tool, ['--version'], { encoding: 'utf8' }).status === 0;
}

export function compileC(compiler: string, sources: string[], output: string, flags: string[] = []): void {
  const r = spawnSync(compiler, [...STRICT_C_FLAGS, '-O2', `-I${PROFILER_C_DIR}`, ...flags, ...sources, '-o', output], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${compiler} failed (${r.status}):\n${r.stderr}`);
}
