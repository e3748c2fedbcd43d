#!/usr/bin/env node
'use strict';
// `npm run bench -- kill [--kills N] [--seed S] [--only quantize|codegen|build|export]`: SIGKILL at random moments of
// `quantize`, `codegen`, `build` and export (`convert` to ONNX) (issue 21). Each command has an old output (model A)
// and a new one (model B), both recorded from uninterrupted runs into the same path. Then, N times: start the command
// writing B over A, kill its whole process group at a random moment (half of them in the last part of the run,
// where the outputs are written), and check that the output is byte for byte the old one or the new one; run the
// command once more to completion and check that no temporary of ours remains (`.tinyforge-<pid>-…` beside or
// inside the output, and in the kernel object cache). Target: every kill leaves old or new, none leaves a temporary.
const { spawn, spawnSync } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { seededUniform } = require('@tinyforge/ir');
const { cacheRoot } = require('@tinyforge/common');

const root = path.resolve(__dirname, '../../..');
const args = process.argv.slice(2);
const option = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const kills = Number(option('--kills', '50'));
const only = option('--only', undefined);
const next = seededUniform(Number(option('--seed', '2021')));
const shared = path.resolve(root, '../shared/models');
if (!fs.existsSync(shared)) {
  console.log(`skipped: ${shared} is absent`);
  process.exit(0);
}
const cli = path.join(root, 'packages/tinyforge/bin/tinyforge.js');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-kill-'));
const m = (name) => path.join(shared, name);
// A cache of its own (the commands inherit it): other users' builds have live temporaries in the shared one.
process.env.TINYFORGE_CACHE_DIR = path.join(work, 'cache');

/** The commands, each writing model A's or model B's output to `out`. */
const COMMANDS = {
  quantize: {
    out: path.join(work, 'q', 'model.tflite'),
    argv: (model, out) => ['quantize', model, '--calib', 'random', '--samples', '2', '-o', out, '--json'],
    a: m('ad_autoencoder_float.tflite'),
    b: m('ic_resnet8_float.tflite'),
  },
  codegen: {
    out: path.join(work, 'c', 'out'),
    argv: (model, out) => ['codegen', model, '-o', out, '--prefix', 'm'],
    a: m('kws_dscnn_int8.tflite'),
    b: m('vww_mobilenet_int8.tflite'),
  },
  build: {
    out: path.join(work, 'b', 'fw'),
    argv: (model, out) => ['build', '--board', 'qemu-m4', '--model', model, '-o', out],
    a: m('kws_dscnn_int8.tflite'),
    b: m('ad_autoencoder_int8.tflite'),
  },
  export: {
    out: path.join(work, 'e', 'model.onnx'),
    argv: (model, out) => ['convert', model, out],
    a: m('ic_resnet8_float.tflite'),
    b: m('vww_mobilenet_float.tflite'),
  },
};

/**
 * What differs between two identical runs: plan.json records how long planning took, and the linker map names the
 * compiler's own temporary objects (`/tmp/ccXXXXXX.o`, from sources compiled in the link command) and the
 * staging folder the ELF was linked in (`.fw.tinyforge-<pid>-<token>.stage`).
 */
function normalised(name, bytes) {
  if (name === 'plan.json') return Buffer.from(bytes.toString('utf8').replace(/"planningMs": [0-9.]+/, '"planningMs": 0'));
  if (name.endsWith('.map')) return Buffer.from(bytes.toString('latin1').replace(/\bcc[A-Za-z0-9]{6}\.o\b/g, 'ccXXXXXX.o').replace(/\.tinyforge-\d+-[0-9a-f]+\./g, '.tinyforge-N-T.'), 'latin1');
  return bytes;
}

/** Every file under `p` (or `p` itself) with its sha256, as one string: two outputs are equal when these are. */
function snapshot(p) {
  if (!fs.existsSync(p)) return 'missing';
  const st = fs.statSync(p);
  if (st.isFile()) return crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex');
  const entries = [];
  const walk = (dir, rel) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((x, y) => x.name.localeCompare(y.name))) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full, `${rel}${e.name}/`);
      else entries.push(`${rel}${e.name} ${crypto.createHash('sha256').update(normalised(e.name, fs.readFileSync(full))).digest('hex')}`);
    }
  };
  walk(p, '');
  return entries.join('\n');
}

/** Our temporaries beside and inside the output, and in the object caches. */
function temporaries(out) {
  const found = [];
  const look = (dir, deep) => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (/\.tinyforge-\d+-/.test(e.name)) found.push(full);
      if (deep && e.isDirectory()) look(full, deep);
    }
  };
  look(path.dirname(out), false);
  if (fs.existsSync(out) && fs.statSync(out).isDirectory()) look(out, true);
  look(cacheRoot(), true); // compiled kernel objects (common's compileCached)
  return found;
}

/** Runs a command to its end; returns how long it took (ms). */
function runToEnd(argv) {
  const t = Date.now();
  const r = spawnSync(process.execPath, [cli, ...argv], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed: ${r.stderr}`);
  return Date.now() - t;
}

async function killAt(argv, ms) {
  const child = spawn(process.execPath, [cli, ...argv], { stdio: 'ignore', detached: true });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  const timer = new Promise((resolve) => setTimeout(() => resolve('timer'), ms));
  const first = await Promise.race([exited, timer]);
  if (first === 'timer') {
    try {
      process.kill(-child.pid, 'SIGKILL'); // the command and the compilers it runs
    } catch {
      // already gone
    }
  }
  return { killed: first === 'timer', end: await exited };
}

(async () => {
  const names = Object.keys(COMMANDS).filter((n) => only === undefined || n === only);
  const ref = {};
  for (const name of names) {
    const c = COMMANDS[name];
    fs.mkdirSync(path.dirname(c.out), { recursive: true });
    runToEnd(c.argv(c.b, c.out));
    const b = snapshot(c.out);
    runToEnd(c.argv(c.a, c.out));
    // The duration of a warm run (caches filled) sets the range of the kill moments.
    const ms = runToEnd(c.argv(c.b, c.out));
    if (snapshot(c.out) !== b) {
      const now = new Set(snapshot(c.out).split('\n'));
      throw new Error(`${name}: two uninterrupted runs differ (${b.split('\n').filter((l) => !now.has(l)).map((l) => l.split(' ')[0]).join(', ')}); the output is not deterministic`);
    }
    const msA = runToEnd(c.argv(c.a, c.out));
    ref[name] = { a: snapshot(c.out), b, ms, msA, scale: 1 };
    console.log(`${name}: an uninterrupted run takes ${(ms / 1000).toFixed(1)} s`);
  }
  const tally = { killed: 0, finished: 0, old: 0, new: 0, neither: 0, leftovers: 0 };
  const failures = [];
  // `kills` SIGKILLs that land while the command runs; a run that ends before its kill moment counts apart (the
  // machine's load changes run times: each command's duration is re-measured by every run to the end).
  for (let k = 0; tally.killed < kills && k < 3 * kills; k++) {
    const name = names[k % names.length];
    const c = COMMANDS[name];
    const r = ref[name];
    // Half the kills anywhere in the run, half in its last part (where outputs are written and published).
    const span = r.ms * r.scale;
    const at = Math.round(k % 2 === 0 ? next() * span : span * (0.6 + next() * 0.4));
    const { killed } = await killAt(c.argv(c.b, c.out), at);
    tally[killed ? 'killed' : 'finished']++;
    const now = snapshot(c.out);
    const state = now === r.a ? 'old' : now === r.b ? 'new' : 'neither';
    tally[state]++;
    // The next run (back to A) completes and leaves nothing of ours behind.
    // How much slower or faster the machine runs now than when the durations were taken.
    r.scale = runToEnd(c.argv(c.a, c.out)) / r.msA;
    const left = temporaries(c.out);
    if (left.length > 0) tally.leftovers++;
    const ok = state !== 'neither' && left.length === 0 && snapshot(c.out) === r.a;
    if (!ok) failures.push(`${name} killed at ${at} ms: ${state}${left.length > 0 ? `; left ${left.join(', ')}` : ''}`);
    console.log(`run ${k + 1} (kill ${tally.killed}/${kills}): ${name} at ${at} ms${killed ? '' : ' (finished first)'} → ${state}${left.length > 0 ? `, ${left.length} temporaries left` : ''}`);
  }
  fs.rmSync(work, { recursive: true, force: true });
  console.log(`${tally.killed + tally.finished} runs (${tally.killed} killed during the run, ${tally.finished} ended before their kill moment): ${tally.old} left the old output, ${tally.new} the new one, ${tally.neither} neither; ${tally.leftovers} left temporaries after the next run (target: ${kills} kills, 0 neither, 0 temporaries: ${tally.killed >= kills && tally.neither === 0 && tally.leftovers === 0 ? 'met' : 'MISSED'})`);
  for (const f of failures) console.log(`  ${f}`);
  process.exit(failures.length === 0 ? 0 : 1);
})();
