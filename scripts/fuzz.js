#!/usr/bin/env node
'use strict';
// `npm run fuzz -- [--count N] [--seed S] [--model NAME] [--models DIR]`: a long fuzz run of the TFLite reader
// over seeded mutations of the shared models, using the built package (packages/model-format/dist; build it with
// `npx tsc -b tsconfig.build.json`). Case i mutates model i mod (number of models) with seed S + i, so any failure
// replays with `--model NAME --seed SEED --count 1`. Exit status 1 when any case fails.
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'packages', 'model-format', 'dist', 'index.js');
const SLOW_MS = 2000;

function usage(message) {
  if (message) console.error(`error[USAGE]: ${message}`);
  console.error('usage: npm run fuzz -- [--count N] [--seed S] [--model NAME] [--models DIR]');
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { count: 10000, seed: Date.now() % 1e9, model: undefined, models: path.resolve(root, '..', 'shared', 'models') };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i];
    const value = argv[++i];
    if (value === undefined) usage(`${key} needs a value`);
    if (key === '--count' || key === '--seed') {
      const n = Number(value);
      if (!Number.isSafeInteger(n) || n < 0) usage(`${key} must be a non-negative integer`);
      opts[key.slice(2)] = n;
    } else if (key === '--model') opts.model = value;
    else if (key === '--models') opts.models = path.resolve(value);
    else usage(`unknown option ${key}`);
  }
  return opts;
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(dist)) {
    console.error(`error[FUZZ_NOT_BUILT]: ${path.relative(root, dist)} is missing; run \`npx tsc -b tsconfig.build.json\` first`);
    process.exit(1);
  }
  const { readTflite, ModelFormatError } = require(dist);
  const { mutateBytes } = require(path.join(path.dirname(dist), 'testing'));
  if (!fs.existsSync(opts.models)) {
    console.error(`error[FUZZ_NO_MODELS]: no model directory at ${opts.models}`);
    process.exit(1);
  }
  let names = fs.readdirSync(opts.models).filter((f) => f.endsWith('.tflite')).sort();
  if (opts.model !== undefined) names = names.filter((n) => n === opts.model || n === `${opts.model}.tflite`);
  if (names.length === 0) usage(`no .tflite model${opts.model ? ` named ${opts.model}` : ''} in ${opts.models}`);
  const models = names.map((n) => ({ name: n, bytes: new Uint8Array(fs.readFileSync(path.join(opts.models, n))) }));

  console.log(`fuzzing readTflite: ${opts.count} mutants of ${models.length} model(s), seeds ${opts.seed}..${opts.seed + opts.count - 1}`);
  const rejected = {};
  const failures = [];
  let parsed = 0;
  let slowest = 0;
  const start = Date.now();
  for (let i = 0; i < opts.count; i++) {
    const model = models[i % models.length];
    const seed = opts.seed + i;
    const mutant = mutateBytes(model.bytes, seed);
    const t0 = performance.now();
    let problem;
    try {
      readTflite(mutant.bytes, { file: model.name });
      parsed++;
    } catch (e) {
      if (e instanceof ModelFormatError) rejected[e.code] = (rejected[e.code] || 0) + 1;
      else problem = `threw ${e && e.name}: ${e && e.message}`;
    }
    const ms = performance.now() - t0;
    slowest = Math.max(slowest, ms);
    if (problem === undefined && ms > SLOW_MS) problem = `took ${ms.toFixed(0)} ms (limit ${SLOW_MS})`;
    if (problem !== undefined) {
      failures.push({ model: model.name, seed });
      console.log(`FAIL ${model.name} seed=${seed} [${mutant.description}]: ${problem}`);
    }
    if ((i + 1) % 5000 === 0) console.log(`  ${i + 1}/${opts.count} …`);
  }
  const secs = (Date.now() - start) / 1000;
  const rejectedTotal = Object.values(rejected).reduce((a, b) => a + b, 0);
  console.log(`parsed ${parsed}, rejected ${rejectedTotal} ${JSON.stringify(rejected)}, failed ${failures.length}`);
  console.log(`${secs.toFixed(1)} s, slowest case ${slowest.toFixed(1)} ms`);
  for (const f of failures.slice(0, 10)) console.log(`replay: npm run fuzz -- --model ${f.model} --seed ${f.seed} --count 1`);
  process.exit(failures.length > 0 ? 1 : 0);
}

main();
