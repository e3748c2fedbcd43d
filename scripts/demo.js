#!/usr/bin/env node
'use strict';
// `npm run demo`: the main job, end to end as far as this version goes. Today: inspect the MLPerf Tiny VWW int8
// model with the tinyforge CLI (quantize → codegen → flash → profile join as their issues land).
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const model = path.resolve(root, '../shared/models/vww_mobilenet_int8.tflite');
if (!fs.existsSync(model)) {
  console.error(`demo: ${model} is absent (the demo uses the MLPerf Tiny models in ../shared/models)`);
  process.exit(1);
}
const cli = path.join(root, 'packages/cli/bin/tinyforge.js');
const step = (title, args) => {
  console.log(`\n== ${title}\n$ tinyforge ${args.map((a) => path.relative(root, a) || a).join(' ')}`);
  const r = spawnSync(process.execPath, [cli, ...args], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
step('inspect the int8 model', ['inspect', model]);
