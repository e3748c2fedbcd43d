/**
 * Progress a user sees: `tinyforge flash` to a virtual board with stderr on a pseudo-terminal shows the write
 * advancing (percentages redrawn in place); the same command with --json prints one JSON document on stdout and
 * nothing else, and no progress.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadTarget, startVirtualBoard, VirtualBoard } from '@tinyforge/boards';
import { hasArmToolchain, hasQemu } from '@tinyforge/boards/testing';
import { readModelFile } from '@tinyforge/model-format';
import { buildModelFirmware } from '../pipeline';

const SHARED = path.resolve(__dirname, '../../../../../shared');
const MODEL = path.join(SHARED, 'models', 'ad_autoencoder_int8.tflite');
const CLI = path.resolve(__dirname, '../../../tinyforge/bin/tinyforge.js');
const HELPER = path.resolve(__dirname, '../test-support/stderr-on-pty.py');
const ready = fs.existsSync(MODEL) && hasArmToolchain() && hasQemu() && fs.existsSync('/usr/bin/socat') && fs.existsSync('/usr/bin/python3');
if (!ready) console.warn('flash progress test skipped: needs ../shared/models, arm-none-eabi-gcc, qemu-system-arm, socat and /usr/bin/python3');
const d = ready ? describe : describe.skip;
jest.setTimeout(600_000);

function onPty(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync('/usr/bin/python3', [HELPER, process.execPath, CLI, ...args], { encoding: 'utf8', timeout: 300_000, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`pty helper failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as { code: number; stdout: string; stderr: string };
}

d('flash progress on a terminal (virtual board qemu-m4)', () => {
  let dir: string;
  let vb: VirtualBoard | undefined;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flash-progress-'));
    buildModelFirmware(readModelFile(MODEL), loadTarget('qemu-m4'), { outDir: dir });
    vb = await startVirtualBoard(loadTarget('qemu-m4'), { bootloader: true });
  });
  afterAll(async () => {
    await vb?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('redraws the write line with growing percentages, then --json prints one JSON document only', () => {
    const elf = path.join(dir, 'firmware.elf');
    const shown = onPty(['flash', elf, '--board', 'qemu-m4', '--port', vb!.ptyPath]);
    expect(shown.code).toBe(0);
    const writes = [...shown.stderr.matchAll(/\rflash: write \[[#.]+\] (\d+)% [\d.]+\/([\d.]+) KiB/g)].map((m) => Number(m[1]));
    console.log(`write progress seen: ${writes.join(' ')}`);
    expect(writes.length).toBeGreaterThanOrEqual(3);
    expect(writes[writes.length - 1]).toBe(100);
    expect(writes.every((p, i) => i === 0 || p >= writes[i - 1])).toBe(true);
    expect(new Set(writes).size).toBeGreaterThanOrEqual(3);
    expect(shown.stderr).toMatch(/KiB\/s/);
    expect(shown.stdout).toMatch(/^flashed .* verified/m);

    const json = onPty(['flash', elf, '--board', 'qemu-m4', '--port', vb!.ptyPath, '--json']);
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout) as { protocol: string; bytes: number };
    expect(doc.protocol).toBe('stm32');
    expect(doc.bytes).toBeGreaterThan(0);
    expect(json.stderr).not.toMatch(/flash: write/);
  });
});
