'use strict';
// `npm run bench -- arena`: the memory plan of every int8 model in ../shared/models against its lower bound and
// TensorFlow Lite Micro's arena_used_bytes. Targets (issue 5): arena ≤ lower bound + 2 %; with in-place sharing
// below the plain lower bound on vww, ic and kws; arena ≤ 0.8 × TFLM; planning VWW in < 2 s; generating VWW's C
// in < 2 s of CPU time (the `gen ms` column).
const fs = require('fs');
const path = require('path');
const { readTflite } = require('@tinyforge/model-format');
const { generateC, planMemory } = require('@tinyforge/codegen-c');
const { checkPlan, nodeMemory } = require('@tinyforge/codegen-c/testing');

const shared = path.resolve(__dirname, '../../../../shared');
const modelsDir = path.join(shared, 'models');
if (!fs.existsSync(modelsDir)) {
  console.log(`arena: ${modelsDir} not found — nothing to measure`);
  process.exit(0);
}
const models = fs.readdirSync(modelsDir).filter((f) => f.endsWith('_int8.tflite')).sort();
const pad = (s, n) => String(s).padStart(n);
console.log(
  ['model'.padEnd(22), pad('no-share', 9), pad('lower bd', 9), pad('ratio', 6), pad('arena', 8), pad('vs LB', 6), pad('TFLM', 8), pad('vs TFLM', 8), pad('ms', 5), pad('gen ms', 6), ' check'].join(' '),
);
for (const file of models) {
  const name = file.replace(/\.tflite$/, '');
  const graph = readTflite(fs.readFileSync(path.join(modelsDir, file)));
  const metaFile = path.join(shared, 'gold', name, 'meta.json');
  const tflm = fs.existsSync(metaFile) ? JSON.parse(fs.readFileSync(metaFile, 'utf8')).arena_used_bytes : undefined;
  const plain = planMemory(graph, { inPlace: false });
  const started = process.hrtime.bigint();
  const plan = planMemory(graph);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const cpu = process.cpuUsage();
  generateC(graph, { prefix: name });
  const used = process.cpuUsage(cpu);
  const genMs = (used.user + used.system) / 1000;
  const problems = checkPlan(graph, plan, (n) => nodeMemory(graph, graph.nodes[n]).scratchBytes);
  const ok = (cond) => (cond ? ' ' : '!');
  const plainRatio = plain.arenaSize / plain.lowerBound;
  const tflmRatio = tflm ? plan.arenaSize / tflm : NaN;
  console.log(
    [
      name.padEnd(22),
      pad(plain.arenaSize, 9),
      pad(plain.lowerBound, 9),
      pad(plainRatio.toFixed(3), 5) + ok(plainRatio <= 1.02),
      pad(plan.arenaSize, 8),
      pad((plan.arenaSize / plan.lowerBound).toFixed(3), 5) + ok(plan.arenaSize <= plan.lowerBound * 1.02),
      pad(tflm ?? '-', 8),
      pad(tflmRatio.toFixed(3), 7) + ok(tflmRatio <= 0.8),
      pad(ms.toFixed(0), 5),
      pad(genMs.toFixed(0), 5) + ok(genMs < 2000),
      problems.length === 0 ? ' ok' : ` ${problems.length} problems: ${problems[0]}`,
    ].join(' '),
  );
}
console.log('no-share = optimal plan without in-place sharing; ratio = no-share / lower bound (target ≤ 1.02);');
console.log('arena = with in-place sharing and reordering; vs LB < 1 means below the plain lower bound; vs TFLM target ≤ 0.8; "!" marks a missed target.');
