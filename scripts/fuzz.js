#!/usr/bin/env node
'use strict';
// `npm run fuzz -- --format tflite|onnx [--count N] [--seed S] [--model NAME] [--workers W] ...`: the structure-aware
// fuzz campaign over the whole pipeline (packages/fuzz, src/cli.ts says every option). Runs on the built packages:
// build them with `npx tsc -b tsconfig.build.json`.
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'packages', 'fuzz', 'dist', 'index.js');
if (!fs.existsSync(dist)) {
  console.error(`error[FUZZ_NOT_BUILT]: ${path.relative(root, dist)} is missing; run \`npx tsc -b tsconfig.build.json\` first`);
  process.exit(1);
}
require(dist)
  .fuzzMain(process.argv.slice(2), root)
  .then((status) => process.exit(status));
