#!/usr/bin/env node
'use strict';
// Time to read each shared model into the IR (warm, median of N runs). Target: VWW int8 in < 100 ms.
const fs = require('fs');
const path = require('path');
const { readModel } = require('../dist');

const modelsDir = path.resolve(__dirname, '../../../../shared/models');
if (!fs.existsSync(modelsDir)) {
  console.log(`skipped: ${modelsDir} is absent`);
  process.exit(0);
}
const runs = Number(process.argv[2] ?? 30);
const TARGET_MS = { 'vww_mobilenet_int8.tflite': 100 };

console.log(`read-model: median / min of ${runs} warm reads (bytes already in memory), first (cold) read separately`);
console.log(`${'model'.padEnd(32)} ${'bytes'.padStart(9)} ${'cold ms'.padStart(8)} ${'median ms'.padStart(10)} ${'min ms'.padStart(8)}  target`);
for (const file of fs.readdirSync(modelsDir).filter((f) => f.endsWith('.tflite')).sort()) {
  const bytes = fs.readFileSync(path.join(modelsDir, file));
  let t0 = process.hrtime.bigint();
  readModel(bytes, { file });
  const cold = Number(process.hrtime.bigint() - t0) / 1e6;
  const times = [];
  for (let i = 0; i < runs; i++) {
    t0 = process.hrtime.bigint();
    readModel(bytes, { file });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  const target = TARGET_MS[file];
  const verdict = target === undefined ? '' : `< ${target} ms: ${Math.max(cold, median) < target ? 'met' : 'NOT met'}`;
  console.log(
    `${file.padEnd(32)} ${String(bytes.length).padStart(9)} ${cold.toFixed(2).padStart(8)} ${median.toFixed(2).padStart(10)} ${times[0].toFixed(2).padStart(8)}  ${verdict}`,
  );
}
