#!/usr/bin/env node
'use strict';
// `npm run bench -- board-load [--sessions N] [--busy N] [MODEL_STEM] [--board NAME]`: board sessions on a saturated
// machine (issue 21). The firmware is built once (`tinyforge build`); then, while N busy loops (default: one per
// core) keep every core at 100 %, each session boots the virtual board, flashes it over the AN3155 bootloader, runs
// the gold input and compares the output with the gold output (`tinyforge run --board --firmware`).
// Target: 0 failed sessions of 20.
const { spawn, spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.resolve(__dirname, '../../..');
const args = process.argv.slice(2);
const option = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const sessions = Number(option('--sessions', '20'));
const busy = Number(option('--busy', String(os.cpus().length)));
const board = option('--board', 'qemu-m4');
const stem = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--')) ?? 'kws_dscnn_int8';
const shared = path.resolve(root, '../shared');
const model = path.join(shared, 'models', `${stem}.tflite`);
const input = path.join(shared, 'gold', stem, 'input_0.bin');
const gold = path.join(shared, 'gold', stem, 'output_0.bin');
if (!fs.existsSync(model) || !fs.existsSync(input)) {
  console.log(`skipped: ${model} or its gold input is absent`);
  process.exit(0);
}
const cli = path.join(root, 'packages/tinyforge/bin/tinyforge.js');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-board-load-'));
const firmware = path.join(work, 'fw');
const build = spawnSync(process.execPath, [cli, 'build', '--board', board, '--model', model, '-o', firmware], { encoding: 'utf8' });
if (build.status !== 0) {
  console.error(build.stderr);
  process.exit(1);
}

// Busy loops on every core; ended by their pids (only the ones started here).
const loops = Array.from({ length: busy }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
const stopLoops = () => loops.forEach((p) => p.kill('SIGKILL'));
process.on('exit', stopLoops);
process.on('SIGINT', () => process.exit(130));

let failed = 0;
const times = [];
for (let i = 0; i < sessions; i++) {
  const out = path.join(work, `out_${i}.bin`);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [cli, 'run', model, '--board', board, '--firmware', firmware, '--input', input, '--output', out], { encoding: 'utf8', timeout: 600_000 });
  const seconds = (Date.now() - t0) / 1000;
  times.push(seconds);
  const ok = r.status === 0 && fs.existsSync(out) && fs.readFileSync(out).equals(fs.readFileSync(gold));
  if (!ok) failed++;
  console.log(`session ${i + 1}/${sessions}: ${ok ? 'ok' : 'FAILED'} in ${seconds.toFixed(1)} s${ok ? '' : ` — ${(r.stderr || `exit ${r.status ?? r.signal}`).trim().split('\n').pop()}`}`);
}
stopLoops();
fs.rmSync(work, { recursive: true, force: true });
const sorted = [...times].sort((a, b) => a - b);
console.log(`${sessions} sessions of ${stem} on ${board} with ${busy} busy loop(s): ${failed} failed (target 0: ${failed === 0 ? 'met' : 'MISSED'}); session time median ${sorted[Math.floor(sorted.length / 2)].toFixed(1)} s, slowest ${sorted[sorted.length - 1].toFixed(1)} s`);
process.exit(failed === 0 ? 0 : 1);
