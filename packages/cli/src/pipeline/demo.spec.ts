/**
 * `npm run demo` as CI runs it: the script end to end (Fashion-MNIST float ONNX → int8 → C → qemu-m4 → AN3155 flash
 * over serial → 20 images with profiling). Checks the exit status, that the board matched the int8 reference bit
 * for bit, that per-layer counts sum to the whole inference within 1 %, and the HTML report with the arena.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { hasArmToolchain, hasQemu } from '@tinyforge/boards/testing';

const ROOT = path.resolve(__dirname, '../../../..');
const DATASET = process.env.FASHION_MNIST_DIR ?? '/usr/share/datasets/fashion-mnist';
const ready = fs.existsSync(DATASET) && hasArmToolchain() && hasQemu() && fs.existsSync('/usr/bin/socat');
if (!ready) console.warn(`demo test skipped: needs Fashion-MNIST in ${DATASET} (dataset-fashion-mnist), arm-none-eabi-gcc, qemu-system-arm and socat`);
const d = ready ? describe : describe.skip;

function runDemo(outDir: string): Promise<{ status: number | null; output: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'scripts/demo.js'), '--out', outDir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr.on('data', (b: Buffer) => (output += b.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, output, ms: Date.now() - started }));
  });
}

d('npm run demo', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-demo-test-'));
  afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

  test('runs end to end: exit 0, on-board == int8 bit for bit, layers sum to the total within 1 %', async () => {
    const r = await runDemo(out);
    if (r.status !== 0) console.error(r.output);
    expect(r.status).toBe(0);
    expect(r.output).toMatch(/on-board outputs == int8 reference: yes, bit for bit on all 20 images/);
    expect(r.output).toMatch(/accuracy on 20 test images: float \d+\/20 .*, int8 reference \d+\/20 .*, on-board \d+\/20/);
    const apart = /layers sum to \d+ \(([\d.]+) % apart\)/.exec(r.output);
    expect(apart).not.toBeNull();
    expect(Number(apart![1])).toBeLessThan(1);
    for (let stage = 1; stage <= 6; stage++) expect(r.output).toContain(`[${stage}/6]`);
    const html = fs.readFileSync(path.join(out, 'profile.html'), 'utf8');
    expect(html).toContain('class="arena-buffer"');
    console.log(`demo: ${r.ms} ms wall; ${apart![1]} % between layer sum and total`);
  }, 600_000);

  test('Ctrl-C while the board runs: the demo ends and QEMU and socat are gone', async () => {
    const child = spawn(process.execPath, [path.join(ROOT, 'scripts/demo.js'), '--out', path.join(out, 'interrupted'), '--images', '2', '--calibration', '10'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const pids = await new Promise<number[]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no QEMU pid within 90 s:\n${output}`)), 90_000);
      child.stdout.on('data', (b: Buffer) => {
        output += b.toString();
        const m = /QEMU running \(pid (\d+)(?:, socat pid (\d+))?\)/.exec(output);
        if (m) {
          clearTimeout(timer);
          resolve([Number(m[1]), ...(m[2] ? [Number(m[2])] : [])]);
        }
      });
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).not.toBe(0);
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 30 && pids.some(alive); i++) await new Promise((r) => setTimeout(r, 100));
    expect(pids.filter(alive)).toEqual([]);
  }, 120_000);
});
