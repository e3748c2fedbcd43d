'use strict';
// `npm run bench -- scale [--max OPS]`: the time of each stage — read, validate, shape inference, lowering, reorder,
// plan (with its check), emit — on chains and on a 400-branch wide graph from 1k to 100k operators (issue 21). Targets: read + validate +
// codegen of the 100,000-op chain and of the 400-branch graph each under 10 s; every stage's growth from one size
// to the next ten times larger within 2× of linear (≤ 20×). CPU milliseconds (user + system) of this process;
// codegen's stages split its CPU time in the proportions of their wall-clock times (GeneratedC.stageMs).
const { readTflite, writeTflite } = require('@tinyforge/model-format');
const { validateGraph, inferShapes } = require('@tinyforge/ir');
const { generateC } = require('@tinyforge/codegen-c');
const { chainGraph, wideGraph } = require('@tinyforge/fuzz');

const maxOps = Number(process.argv[process.argv.indexOf('--max') + 1]) || 100000;
const cpu = (f) => {
  const t0 = process.cpuUsage();
  const value = f();
  const d = process.cpuUsage(t0);
  return { ms: (d.user + d.system) / 1000, value };
};

// Collect garbage between measurements, so that one size does not pay for the previous one's.
require('v8').setFlagsFromString('--expose-gc');
const gc = require('vm').runInNewContext('gc');

function measure(graph) {
  const bytes = writeTflite(graph);
  gc();
  const read = cpu(() => readTflite(bytes));
  const g = read.value;
  const validate = cpu(() => validateGraph(g));
  if (validate.value.length > 0) throw new Error(`invalid: ${validate.value[0].message}`);
  const infer = cpu(() => inferShapes(g));
  gc();
  const codegen = cpu(() => generateC(g, { prefix: 'scale' }));
  // codegen's own wall-clock split of its stages, applied to its CPU time.
  const s = codegen.value.stageMs;
  const wall = s.lower + s.reorder + s.plan + s.emit;
  const share = (x) => (codegen.ms * x) / Math.max(wall, 1e-9);
  return {
    ops: g.nodes.length,
    kb: bytes.length / 1024,
    read: read.ms,
    validate: validate.ms,
    infer: infer.ms,
    lower: share(s.lower),
    reorder: share(s.reorder),
    plan: share(s.plan),
    emit: share(s.emit),
    total: read.ms + validate.ms + codegen.ms,
    arena: codegen.value.plan.arenaSize,
  };
}

const STAGES = ['read', 'validate', 'infer', 'lower', 'reorder', 'plan', 'emit', 'total'];
const pad = (s, n) => String(s).padStart(n);
function table(title, rows) {
  console.log(`\n${title}`);
  console.log([pad('ops', 7), pad('KiB', 7), ...STAGES.map((s) => pad(`${s} ms`, 11)), pad('arena B', 8)].join(' '));
  for (const r of rows) console.log([pad(r.ops, 7), pad(r.kb.toFixed(0), 7), ...STAGES.map((s) => pad(r[s].toFixed(0), 11)), pad(r.arena, 8)].join(' '));
  // Growth per 10× in operators, from the closest pair of sizes ten times apart (≥ 100 ms so noise does not rule).
  const growth = [];
  for (let i = 0; i < rows.length; i++) {
    const j = rows.findIndex((r) => r.ops >= rows[i].ops * 9);
    if (j < 0) continue;
    const ratio = rows[j].ops / rows[i].ops;
    const g = Object.fromEntries(STAGES.map((s) => [s, rows[j][s] < 100 ? NaN : (rows[j][s] / Math.max(rows[i][s], 1)) * (10 / ratio)]));
    growth.push({ from: rows[i].ops, to: rows[j].ops, g });
  }
  for (const { from, to, g } of growth) {
    const worst = Math.max(...STAGES.map((s) => g[s]).filter((x) => Number.isFinite(x)));
    console.log(`  ${from} → ${to} ops, per 10×: ${STAGES.map((s) => `${s} ${Number.isFinite(g[s]) ? g[s].toFixed(1) : '-'}`).join(', ')}  (target ≤ 20: ${worst <= 20 ? 'met' : 'MISSED'})`);
  }
  const last = rows[rows.length - 1];
  console.log(`  largest: read + validate + codegen ${(last.total / 1000).toFixed(1)} s (target < 10 s: ${last.total < 10000 ? 'met' : 'MISSED'})`);
}

const chainSizes = [1000, 3000, 10000, 30000, 100000].filter((n) => n <= maxOps);
table('chain (conv 1x1 + ReLU, reshape, reshape)', chainSizes.map((n) => measure(chainGraph(n))));
const depths = [2, 8, 25, 75, 250].filter((d) => 400 * d <= maxOps);
table('wide: 400 branches of conv 1x1 chains, joined by concatenations', depths.map((d) => measure(wideGraph(400, d))));
