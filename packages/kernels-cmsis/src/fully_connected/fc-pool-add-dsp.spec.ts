/**
 * Fully connected, max/average pooling and element-wise add on emulated Cortex-M against plain C on the host:
 * test/qemu/tfg_selftest_fc_pool_add.c (seeded edge cases: depths around multiples of 8, odd channel counts,
 * unaligned weight rows, no bias, offsets at the ends of their ranges, average pools at the int16-lane limit) runs
 * on both; every line must match.
 * Plain C itself is checked against the reference interpreter by the property tests.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { compileWithKernels, compileWithKernelsAsync, hasCompiler } from '../index';
import { runProcess } from '../testing/model-program';

const QEMU_DIR = path.resolve(__dirname, '../../test/qemu');
const SELFTEST = path.join(QEMU_DIR, 'tfg_selftest_fc_pool_add.c');

const TARGETS = [
  // Cortex-M4: the DSP paths; the image must hold the FC's SXTB16/SMLAD blocks (both weight-load variants).
  { machine: 'mps2-an386', flags: ['-mcpu=cortex-m4', '-mfpu=fpv4-sp-d16'], ld: 'mps2_an386.ld', symbols: ['dot_2rows_aligned', 'dot_2rows_any'] },
  // Cortex-M55: fully connected takes the Helium GEMM; the small kernels their DSP paths.
  { machine: 'mps3-an547', flags: ['-mcpu=cortex-m55'], ld: 'mps3_an547.ld', symbols: [] as string[] },
];

const available = hasCompiler('gcc') && hasCompiler('arm-none-eabi-gcc') && hasCompiler('qemu-system-arm');
if (!available) console.warn('kernels-cmsis FC/pool/add DSP tests skipped: needs gcc, arm-none-eabi-gcc and qemu-system-arm');
const d = available ? describe : describe.skip;

d('fully connected, pooling, add: Cortex-M paths bit-exact with plain C', () => {
  let work: string;
  let hostLines: string[];

  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'tfg-fpa-'));
    const host = path.join(work, 'selftest_host');
    compileWithKernels([SELFTEST, path.join(QEMU_DIR, 'host_main.c')], host);
    const r = spawnSync(host, [], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    hostLines = r.stdout.trim().split('\n');
  }, 60_000);

  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test('host run covers every case, every kernel returned TFG_OK, outputs differ', () => {
    expect(hostLines).toHaveLength(203);
    expect(hostLines[hostLines.length - 1]).toBe('done');
    const ok = hostLines.filter((l) => /^(fc|maxpool|avgpool|avgpool-edge|add) \d{3} o [0-9a-f]{8}$/.test(l));
    const skipped = hostLines.filter((l) => l.startsWith('fc-skip'));
    expect(ok.length + skipped.length).toBe(202);
    expect(skipped.length).toBeLessThan(5);
    expect(new Set(ok.map((l) => l.slice(-8))).size).toBe(ok.length);
  });

  test.each(TARGETS)('$machine prints the same lines as the host', async ({ machine, flags, ld, symbols }) => {
    const elf = path.join(work, `selftest_${machine}.elf`);
    await compileWithKernelsAsync([SELFTEST, path.join(QEMU_DIR, 'startup.c')], elf, {
      compiler: 'arm-none-eabi-gcc',
      flags: [...flags, '-mthumb', '-mfloat-abi=hard', '-ffunction-sections', '-fdata-sections', '-nostartfiles', '--specs=nano.specs', '-Wl,--gc-sections', `-T${path.join(QEMU_DIR, ld)}`],
    });
    const nm = await runProcess('arm-none-eabi-nm', [elf], 30_000);
    for (const s of symbols) expect(nm.output).toMatch(new RegExp(`\\b${s}\\b`));
    const r = await runProcess('qemu-system-arm', ['-M', machine, '-nographic', '-semihosting-config', 'enable=on,target=native', '-kernel', elf], 120_000);
    expect(r.status).toBe(0);
    expect(r.output.trim().split('\n')).toEqual(hostLines);
  }, 180_000);
});
