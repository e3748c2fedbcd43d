/**
 * Convolutions streamed in place, as generated models run them: 1x1 and 3x3 convolutions and 3x3 depthwise with
 * the output starting just below the input (the row-stream rule's least displacement plus slack). On the host
 * (plain C) and on emulated Cortex-M4 (DSP path: the pixel-pair GEMM, the depthwise assembly runs), every case's
 * in-place output must equal its separate-buffer output, and the M4 lines must equal the host's.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { compileWithKernels, hasCompiler } from '../host-compiler';
import { IN_PLACE_SELFTEST_C } from '../testing/in-place-selftest';
import { bareMetalFlags, CORTEX_M4, runProcess } from '../testing/model-program';
import { QEMU_DIR } from '../testing/c-harness';

const available = hasCompiler('gcc') && hasCompiler('arm-none-eabi-gcc') && hasCompiler('qemu-system-arm');
if (!available) console.warn('in-place convolution tests skipped: needs gcc, arm-none-eabi-gcc and qemu-system-arm');
const d = available ? describe : describe.skip;

d('convolutions streamed in place', () => {
  let work: string;
  let source: string;
  let hostLines: string[];

  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'tfg-inplace-'));
    source = path.join(work, 'in_place_selftest.c');
    fs.writeFileSync(source, IN_PLACE_SELFTEST_C);
    const host = path.join(work, 'host');
    compileWithKernels([source, path.join(QEMU_DIR, 'host_main.c')], host);
    const r = spawnSync(host, [], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    hostLines = r.stdout.trim().split('\n');
  }, 60_000);

  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test('host (plain C): every case ran and matched its separate-buffer run', () => {
    expect(hostLines).toHaveLength(101);
    expect(hostLines[100]).toBe('done');
    const cases = hostLines.slice(0, 100);
    expect(cases.filter((l) => / o [0-9a-f]{8} =$/.test(l))).toHaveLength(100);
    expect(new Set(cases.map((l) => l.slice(-10, -2))).size).toBeGreaterThan(90);
  });

  test('Cortex-M4 (DSP path) prints the host lines', async () => {
    const elf = path.join(work, 'm4.elf');
    compileWithKernels([source, path.join(QEMU_DIR, 'startup.c')], elf, { compiler: 'arm-none-eabi-gcc', flags: bareMetalFlags(CORTEX_M4) });
    const dis = spawnSync('arm-none-eabi-objdump', ['-d', elf], { encoding: 'utf8', maxBuffer: 1 << 26 });
    expect(dis.stdout).toMatch(/<pair_dot_all>:/);
    expect(dis.stdout).toMatch(/<dw_run_3_wide>:/);
    const r = await runProcess('qemu-system-arm', ['-M', CORTEX_M4.machine, '-nographic', '-semihosting-config', 'enable=on,target=native', '-kernel', elf], 90_000);
    expect(r.status).toBe(0);
    expect(r.output.trim().split('\n')).toEqual(hostLines);
  }, 120_000);
});
