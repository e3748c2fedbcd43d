#!/usr/bin/env node
'use strict';
// Wall time of one `tinyforge run MODEL --board qemu-m4 --input IN --output OUT --profile`: codegen, build,
// boot QEMU with the AN3155 bootloader, flash over serial, run, profile, stop. Target: KWS in < 30 s, build
// included. `--cold` first removes the compiled-kernel cache, so the kernel library is compiled too.
//   npm run bench -- run-board [MODEL_STEM] [--cold] [--board NAME]
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.resolve(__dirname, '../../..');
const args = process.argv.slice(2);
const stem = args.find((a) => !a.startsWith('--') && args[args.indexOf(a) - 1] !== '--board') ?? 'kws_dscnn_int8';
const board = args.includes('--board') ? args[args.indexOf('--board') + 1] : 'qemu-m4';
const shared = path.resolve(root, '../shared');
const model = path.join(shared, 'models', `${stem}.tflite`);
const input = path.join(shared, 'gold', stem, 'input_0.bin');
if (!fs.existsSync(model) || !fs.existsSync(input)) {
  console.log(`skipped: ${model} or its gold input is absent`);
  process.exit(0);
}
if (args.includes('--cold')) fs.rmSync(path.join(os.tmpdir(), 'tinyforge-firmware-kernels'), { recursive: true, force: true });

const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tf-bench-run-')), 'out.bin');
const started = process.hrtime.bigint();
const r = spawnSync(process.execPath, [path.join(root, 'packages/tinyforge/bin/tinyforge.js'), 'run', model, '--board', board, '--input', input, '--output', out, '--profile', '--json'], {
  encoding: 'utf8',
  maxBuffer: 1 << 26,
});
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
if (r.status !== 0) {
  console.error(r.stderr.trim());
  process.exit(1);
}
const same = fs.readFileSync(out).equals(fs.readFileSync(path.join(shared, 'gold', stem, 'output_0.bin')));
const json = JSON.parse(r.stdout);
const stages = json.timings ? Object.entries(json.timings).map(([k, v]) => `${k} ${(Number(v) / 1000).toFixed(1)} s`).join(', ') : '';
console.log(`tinyforge run ${stem} --board ${board} --profile${args.includes('--cold') ? ' (cold kernel cache)' : ''}`);
console.log(`  wall ${seconds.toFixed(1)} s (target < 30 s: ${seconds < 30 ? 'met' : 'NOT met'})${stages ? `; ${stages}` : ''}`);
console.log(`  output equals gold output_0.bin: ${same ? 'yes' : 'NO'}`);
