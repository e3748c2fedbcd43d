import { spawnSync } from 'child_process';
import { BoardError } from './errors';

export const INSTALL_HINT =
  'install the Arm GNU toolchain: `sudo apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi` on Debian/Ubuntu, ' +
  'or download it from developer.arm.com and put its bin/ directory on PATH (or set TINYFORGE_ARM_GCC to arm-none-eabi-gcc)';

/** The cross compiler; TINYFORGE_ARM_GCC overrides the name found on PATH. objcopy sits beside it. */
export function armGcc(): string {
  return process.env.TINYFORGE_ARM_GCC ?? 'arm-none-eabi-gcc';
}

export function armTool(tool: 'objcopy' | 'size'): string {
  return armGcc().replace(/gcc$/, tool);
}

export function hasArmToolchain(): boolean {
  const r = spawnSync(armGcc(), ['--version'], { encoding: 'utf8' });
  return r.error === undefined && r.status === 0;
}

/** Run a toolchain program; a missing program becomes BOARD_TOOLCHAIN, a failure BOARD_BUILD with its stderr. */
export function runTool(program: string, args: string[], what: string): string {
  const r = spawnSync(program, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error !== undefined) {
    if ((r.error as NodeJS.ErrnoException).code === 'ENOENT') throw new BoardError('BOARD_TOOLCHAIN', `${program} not found: ${INSTALL_HINT}`);
    throw new BoardError('BOARD_BUILD', `${what}: ${r.error.message}`);
  }
  if (r.status !== 0) throw new ToolFailure(what, r.stderr);
  return r.stderr;
}

/** A tool ran and failed; the caller decides what the failure means (e.g. a region overflow). */
export class ToolFailure extends BoardError {
  constructor(
    what: string,
    readonly stderr: string,
  ) {
    super('BOARD_BUILD', `${what} failed:\n${stderr.split('\n').slice(0, 30).join('\n')}`);
  }
}
