/**
 * The Armv7E-M DSP path (SXTB16/SMLAD) against plain C: the same seeded self-test (test/qemu/tfg_selftest.c) runs
 * on the host (plain C, gcc) and on emulated Cortex-M4/M7 (arm-none-eabi-gcc, QEMU); every output hash must match.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { compileWithKernels, hasCompiler } from './index';

const QEMU_DIR = path.resolve(__dirname, '../test/qemu');
const SELFTEST = path.join(QEMU_DIR, 'tfg_selftest.c');

const TARGETS = [
  { machine: 'mps2-an386', flags: ['-mcpu=cortex-m4', '-mfpu=fpv4-sp-d16'] },
  { machine: 'mps2-an500', flags: ['-mcpu=cortex-m7', '-mfpu=fpv5-d16'] },
];

const available = hasCompiler('gcc') && hasCompiler('arm-none-eabi-gcc') && hasCompiler('qemu-system-arm');
if (!available) console.warn('kernels-cmsis DSP-path tests skipped: needs gcc, arm-none-eabi-gcc and qemu-system-arm');
const d = available ? describe : describe.skip;

d('DSP path bit-exact with plain C', () => {
  let work: string;
  let hostLines: string[];

  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'tfg-dsp-'));
    const host = path.join(work, 'selftest_host');
    compileWithKernels([SELFTEST, path.join(QEMU_DIR, 'host_main.c')], host);
    const r = spawnSync(host, [], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    hostLines = r.stdout.trim().split('\n');
  }, 60_000);

  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test('host run covers every case and every kernel returned TFG_OK', () => {
    expect(hostLines).toHaveLength(131);
    expect(hostLines[hostLines.length - 1]).toBe('done');
    expect(hostLines.filter((l) => / o [0-9a-f]{8}$/.test(l))).toHaveLength(130);
    // Distinct hashes: the cases really produce different outputs.
    expect(new Set(hostLines.map((l) => l.slice(-8))).size).toBeGreaterThan(120);
  });

  test.each(TARGETS)('$machine output equals the host', ({ machine, flags }) => {
    const elf = path.join(work, `selftest_${machine}.elf`);
    compileWithKernels([SELFTEST, path.join(QEMU_DIR, 'startup.c')], elf, {
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
        `-T${path.join(QEMU_DIR, 'mps2_an386.ld')}`,
      ],
    });
    // The DSP path must really be in the image, or this test would compare plain C with plain C.
    const dis = spawnSync('arm-none-eabi-objdump', ['-d', elf], { encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(dis.stdout).toMatch(/\bsmlad\b/);
    expect(dis.stdout).toMatch(/\bsxtb16\b/);

    const args = ['-M', machine, '-nographic', '-semihosting-config', 'enable=on,target=native', '-kernel', elf];
    const r = spawnSync('qemu-system-arm', args, { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(0);
    // Semihosting console output arrives on QEMU's stderr.
    expect((r.stdout + r.stderr).trim().split('\n')).toEqual(hostLines);
  }, 60_000);
});
