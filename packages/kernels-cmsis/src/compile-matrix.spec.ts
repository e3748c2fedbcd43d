import { execFile } from 'child_process';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { hasCompiler, STRICT_C_FLAGS } from './host-compiler';
import { kernelIncludeDir, kernelSources } from './sources';

// Firmware is also built for debugging (-O0, -Og) and for size (-Os): the inline assembly of the DSP and Helium
// paths must keep compiling there (register pressure differs by level), warning-free under the strict flags.
const run = promisify(execFile);
const haveArm = hasCompiler('arm-none-eabi-gcc');
if (!haveArm) console.warn('kernels-cmsis compile matrix skipped: arm-none-eabi-gcc not found');
const d = haveArm ? describe : describe.skip;

const CORES: Record<string, string[]> = {
  'cortex-m0plus': ['-mcpu=cortex-m0plus', '-mfloat-abi=soft'],
  'cortex-m4': ['-mcpu=cortex-m4', '-mfloat-abi=hard', '-mfpu=fpv4-sp-d16'],
  'cortex-m55': ['-mcpu=cortex-m55', '-mfloat-abi=hard'],
};
const LEVELS = ['-O0', '-Og', '-Os'];

d('every kernel compiles with the strict flags at every optimization level', () => {
  it.each(Object.keys(CORES))('%s at -O0, -Og and -Os', async (core) => {
    const jobs = LEVELS.flatMap((level) => kernelSources().map((src) => ({ level, src })));
    const failures: string[] = [];
    // Two compilers at a time: the machine has two cores.
    for (let i = 0; i < jobs.length; i += 2) {
      await Promise.all(
        jobs.slice(i, i + 2).map(async ({ level, src }) => {
          const args = [...CORES[core], '-mthumb', level, ...STRICT_C_FLAGS, `-I${kernelIncludeDir}`, '-c', src, '-o', os.devNull];
          try {
            await run('arm-none-eabi-gcc', args);
          } catch (e) {
            failures.push(`${path.basename(src)} ${level}: ${String((e as { stderr?: string }).stderr ?? e).split('\n').find((l) => l.includes('error')) ?? e}`);
          }
        }),
      );
    }
    expect(failures).toEqual([]);
  }, 180_000);
});
