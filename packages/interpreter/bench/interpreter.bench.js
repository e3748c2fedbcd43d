#!/usr/bin/env node
// Interpreter speed: ms per inference and MACs/s on VWW int8 and float (and any model given on the command line).
// Runs against the built packages: `npx tsc -b tsconfig.build.json` first.
'use strict';
const fs = require('fs');
const path = require('path');
const { Interpreter } = require('../dist/index.js');
const { readTflite } = require('@tinyforge/model-format');
const { graphStats, dtypeBytes } = require('@tinyforge/ir');

const MODELS_DIR = path.resolve(__dirname, '../../../../shared/models');
const models = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const files = models.length > 0 ? models : ['vww_mobilenet_int8', 'vww_mobilenet_float'].map((m) => path.join(MODELS_DIR, `${m}.tflite`));

for (const file of files) {
  if (!fs.existsSync(file)) {
    console.log(`skip ${file}: not found`);
    continue;
  }
  const graph = readTflite(new Uint8Array(fs.readFileSync(file)), { file });
  const interp = new Interpreter(graph);
  const inputs = graph.inputs.map((t) => {
    const tensor = graph.tensors[t];
    const bytes = new Uint8Array(tensor.shape.reduce((a, b) => a * b, 1) * dtypeBytes(tensor.dtype));
    if (tensor.dtype === 'float32') new Float32Array(bytes.buffer).forEach((_, i, a) => (a[i] = ((i * 7919) % 255) / 255));
    else bytes.forEach((_, i, a) => (a[i] = (i * 7919) & 0xff));
    return bytes;
  });
  for (let i = 0; i < 3; i++) interp.run(inputs); // warm up the JIT
  const runs = 20;
  const start = process.hrtime.bigint();
  for (let i = 0; i < runs; i++) interp.run(inputs);
  const ms = Number(process.hrtime.bigint() - start) / 1e6 / runs;
  const macs = graphStats(graph).macs;
  console.log(`${path.basename(file)}: ${ms.toFixed(1)} ms/inference, ${(macs / 1e6).toFixed(2)} M MACs, ${((macs / ms) * 1e3 / 1e6).toFixed(0)} M MACs/s`);
}
