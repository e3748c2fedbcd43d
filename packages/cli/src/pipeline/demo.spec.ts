/**
 * `npm run demo` as CI runs it: the script end to end (Fashion-MNIST float ONNX → int8 → C → qemu-m4 → AN3155 flash
 * over serial → 20 images with profiling). Checks the exit status, that the board matched the int8 reference bit
 * for bit, that per-layer counts sum to the whole inference within 1 %, and the HTML report with the arena. Each
 * run gets a temporary folder of its own ($TMPDIR here, so that what the demo leaves there can be listed): the
 * results folder it prints is all that stays, after a finished run; nothing after Ctrl-C.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { hasArmToolchain, hasQemu } from '@tinyforge/boards/testing';
import { cacheRoot } from '@tinyforge/common';

const ROOT = path.resolve(__dirname, '../../../..');
const DATASET = process.env.FASHION_MNIST_DIR ?? '/usr/share/datasets/fashion-mnist';
const ready = fs.existsSync(DATASET) && hasArmToolchain() && hasQemu() && fs.existsSync('/usr/bin/socat');
if (!ready) console.warn(`demo test skipped: needs Fashion-MNIST in ${DATASET} (dataset-fashion-mnist), arm-none-eabi-gcc, qemu-system-arm and socat`);
const d = ready ? describe : describe.skip;

/** The demo with `tmp` as its temporary directory; the build caches stay where they are (warm). */
function demoEnv(tmp: string): NodeJS.ProcessEnv {
  return { ...process.env, TMPDIR: tmp, TINYFORGE_CACHE_DIR: cacheRoot() };
}

function runDemo(tmp: string): Promise<{ status: number | null; output: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'scripts/demo.js')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: demoEnv(tmp) });
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

  test('runs end to end: exit 0, on-board == int8 bit for bit, layers sum to the total within 1 %; results in a folder of its own', async () => {
    const tmp = fs.mkdtempSync(path.join(out, 'tmp-'));
    const r = await runDemo(tmp);
    if (r.status !== 0) console.error(r.output);
    expect(r.status).toBe(0);
    expect(r.output).toMatch(/on-board outputs == int8 reference: yes, bit for bit on all 20 images/);
    expect(r.output).toMatch(/accuracy on 20 test images: float \d+\/20 .*, int8 reference \d+\/20 .*, on-board \d+\/20/);
    const apart = /layers sum to \d+ \(([\d.]+) % apart\)/.exec(r.output);
    expect(apart).not.toBeNull();
    expect(Number(apart![1])).toBeLessThan(1);
    expect(r.output).toMatch(/estimated \d+ cortex-m4 cycles per inference \(\d\.\d\d per instruction/);
    expect(r.output).toContain('† estimated cortex-m4 cycles, a model and not a measurement');
    for (let stage = 1; stage <= 6; stage++) expect(r.output).toContain(`[${stage}/6]`);
    // The results folder it names is a new one in the temporary directory, and the only thing left there.
    const results = /results in (\S+) \(a new folder per run; --out DIR to choose one\):/.exec(r.output)?.[1];
    expect(results).toBeDefined();
    expect(path.dirname(results!)).toBe(tmp);
    expect(path.basename(results!)).toMatch(/^tinyforge-demo-/);
    expect(fs.readdirSync(tmp)).toEqual([path.basename(results!)]);
    expect(fs.readdirSync(results!).sort()).toEqual(['profile.html', 'profile.json', 'src', 'trace.json']);
    expect(fs.readdirSync(path.join(results!, 'src'))).toContain('plan.json');
    const html = fs.readFileSync(path.join(results!, 'profile.html'), 'utf8');
    expect(html).toContain('class="arena-buffer"');
    // The report shows the firmware's flash and RAM and the three accuracies the demo measured.
    expect(html).toMatch(/<dt>firmware flash<\/dt><dd>[\d,]+ of [\d,]+ bytes/);
    expect(html).toMatch(/<dt>accuracy \(int8, on the board\)<\/dt><dd>\d+\/20/);
    console.log(`demo: ${r.ms} ms wall; ${apart![1]} % between layer sum and total`);
  }, 600_000);

  test('Ctrl-C while the board runs: the demo ends, QEMU and socat are gone, and it leaves nothing behind', async () => {
    const tmp = fs.mkdtempSync(path.join(out, 'tmp-'));
    const child = spawn(process.execPath, [path.join(ROOT, 'scripts/demo.js'), '--images', '2', '--calibration', '10'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: demoEnv(tmp) });
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
    expect(fs.readdirSync(tmp)).toEqual([]);
  }, 120_000);
});
