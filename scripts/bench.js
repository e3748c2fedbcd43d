#!/usr/bin/env node
'use strict';
// `npm run bench -- NAME [args]`: runs packages/*/bench/NAME.bench.js against the built packages (dist/).
// `npm run bench` alone lists the benchmarks. Benchmarks print figures and their targets; they never fail a build.
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const packages = path.join(root, 'packages');
const benches = {};
for (const pkg of fs.readdirSync(packages)) {
  const dir = path.join(packages, pkg, 'bench');
  if (!fs.existsSync(dir)) continue;
  for (const f of fs.readdirSync(dir)) {
    if (f.endsWith('.bench.js')) benches[f.slice(0, -'.bench.js'.length)] = path.join(dir, f);
  }
}

const [name, ...rest] = process.argv.slice(2);
if (!name || !benches[name]) {
  if (name) console.error(`error[USAGE]: no benchmark named '${name}'`);
  console.log('benchmarks:');
  for (const [n, file] of Object.entries(benches).sort()) console.log(`  ${n.padEnd(20)} ${path.relative(root, file)}`);
  process.exit(name ? 2 : 0);
}

const build = spawnSync(path.join(root, 'node_modules', '.bin', 'tsc'), ['-b', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(1);
const run = spawnSync(process.execPath, [benches[name], ...rest], { cwd: root, stdio: 'inherit' });
process.exit(run.status ?? 1);
