/**
 * The Armv7E-M / Armv8-M DSP path (SXTB16/SMLAD) and the Helium path (GEMM, depthwise) against plain C: the same seeded self-test
 * (test/qemu/tfg_selftest.c) runs on the host (plain C, gcc) and on emulated Cortex-M4, M7, M33 and M55
 * (arm-none-eabi-gcc, QEMU, all four runs side by side); every output hash must match.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { compileWithKernels, compileWithKernelsAsync, hasCompiler } from './index';
import { runProcess } from './testing/model-program';

const QEMU_DIR = path.resolve(__dirname, '../test/qemu');
const SELFTEST = path.join(QEMU_DIR, 'tfg_selftest.c');

const TARGETS = [
  { machine: 'mps2-an386', flags: ['-mcpu=cortex-m4', '-mfpu=fpv4-sp-d16'], ld: 'mps2_an386.ld' },
  { machine: 'mps2-an500', flags: ['-mcpu=cortex-m7', '-mfpu=fpv5-d16'], ld: 'mps2_an386.ld' },
  { machine: 'mps2-an505', flags: ['-mcpu=cortex-m33', '-mfpu=fpv5-sp-d16'], ld: 'mps2_an505.ld' },
  // Cortex-M55: the GEMM (convolutions, fully connected) and depthwise (multiplier 1) take the Helium path.
  { machine: 'mps3-an547', flags: ['-mcpu=cortex-m55'], ld: 'mps3_an547.ld', mve: true },
];

const available = hasCompiler('gcc') && hasCompiler('arm-none-eabi-gcc') && hasCompiler('qemu-system-arm');
if (!available) console.warn('kernels-cmsis DSP-path tests skipped: needs gcc, arm-none-eabi-gcc and qemu-system-arm');
const d = available ? describe : describe.skip;

d('DSP path bit-exact with plain C', () => {
  let work: string;
  let hostLines: string[];
  const runs = new Map<string, Promise<{ status: number | null; output: string }>>();

  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'tfg-dsp-'));
    const host = path.join(work, 'selftest_host');
    compileWithKernels([SELFTEST, path.join(QEMU_DIR, 'host_main.c')], host);
    const r = spawnSync(host, [], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    hostLines = r.stdout.trim().split('\n');
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled(runs.values());
    fs.rmSync(work, { recursive: true, force: true });
  });

  const elfFor = (machine: string): string => path.join(work, `selftest_${machine}.elf`);

  test('host run covers every case and every kernel returned TFG_OK', () => {
    expect(hostLines).toHaveLength(131);
    expect(hostLines[hostLines.length - 1]).toBe('done');
    expect(hostLines.filter((l) => / o [0-9a-f]{8}$/.test(l))).toHaveLength(130);
    // Distinct hashes: the cases really produce different outputs.
    expect(new Set(hostLines.map((l) => l.slice(-8))).size).toBeGreaterThan(120);
  });

  // Each target compiles, is checked for its SIMD path, and runs under QEMU as its own chain; the chains proceed
  // side by side and the per-target tests await theirs.
  const runTarget = async ({ machine, flags, ld, mve }: (typeof TARGETS)[number]): Promise<{ status: number | null; output: string }> => {
    await compileWithKernelsAsync([SELFTEST, path.join(QEMU_DIR, 'startup.c')], elfFor(machine), {
      compiler: 'arm-none-eabi-gcc',
      flags: [
        ...flags,
        '-mthumb',
        '-mfloat-abi=hard',
        '-ffunction-sections',
        '-fdata-sections',
        '-nostartfiles',
        '--specs=nano.specs',
        '-Wl,--gc-sections',
        `-T${path.join(QEMU_DIR, ld)}`,
      ],
    });
    // The SIMD path must really be in the image, or this test would compare plain C with plain C.
    const arch = mve === true ? ['-m', 'armv8.1-m.main'] : [];
    const dis = await runProcess('arm-none-eabi-objdump', ['-d', ...arch, elfFor(machine)], 60_000);
    // Helium replaces the DSP GEMM and depthwise (binutils spells VMLADAVA as its alias vmlava).
    const expected = mve === true ? [/\bvml(?:ad)?ava\.s8\b/, /\bvmul\.i32\b/] : [/\bsxtb16\b/, /\bsmlad\b/];
    for (const re of expected) if (!re.test(dis.output)) throw new Error(`${machine}: ${re} not in the image`);
    const args = ['-M', machine, '-nographic', '-semihosting-config', 'enable=on,target=native', '-kernel', elfFor(machine)];
    return runProcess('qemu-system-arm', args, 90_000);
  };

  test('every target builds and starts', () => {
    for (const target of TARGETS) {
      const run = runTarget(target);
      run.catch(() => undefined); // reported by the test that awaits it
      runs.set(target.machine, run);
    }
    expect(runs.size).toBe(TARGETS.length);
  });

  test.each(TARGETS)('$machine output equals the host', async ({ machine }) => {
    const run = runs.get(machine);
    if (run === undefined) throw new Error(`${machine} was not built`);
    const r = await run;
    expect(r.status).toBe(0);
    // Semihosting console output arrives on QEMU's stderr.
    expect(r.output.trim().split('\n')).toEqual(hostLines);
  }, 90_000);
});
