#!/usr/bin/env node
'use strict';
// `npm test`: build (which typechecks every package's sources), typecheck the tests too (jest only transpiles
// them), run every package's jest suite in one jest run, and end with one summary line
// "tests: N passed, N failed, N skipped" that any CI can read.
//
// Speed on a 2-core machine: jest runs two test files at a time (its default on two cores is one, in band; most
// slow tests wait on QEMU, gcc or a pseudo-terminal, not on jest's own process), and every firmware link of the run
// goes through one content-keyed cache (TINYFORGE_FIRMWARE_CACHE, a fresh folder removed at the end), so the specs
// that build the same model for the same board link it once. A progress line follows each test file; the line
// before the summary gives the wall time, the load average and the slowest files. TINYFORGE_TEST_REPORT=FILE keeps jest's JSON report.
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.resolve(__dirname, '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const started = Date.now();

const build = spawnSync(bin('tsc'), ['-b', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) {
  console.log('tests: 0 passed, 1 failed (the TypeScript build failed)');
  process.exit(1);
}

const specs = spawnSync(bin('tsc'), ['-p', 'tsconfig.specs.json'], { cwd: root, stdio: 'inherit' });
if (specs.status !== 0) {
  console.log('tests: 0 passed, 1 failed (the tests do not typecheck)');
  process.exit(1);
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyforge-jest-'));
const report = path.join(work, 'report.json');
const firmwareCache = path.join(work, 'firmware-cache');
const cleanUp = () => fs.rmSync(work, { recursive: true, force: true });
process.on('exit', cleanUp);
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(130));

const given = process.argv.slice(2);
const workers = given.some((a) => /^(--maxWorkers|-w|--runInBand|-i$)/.test(a)) ? [] : [`--maxWorkers=${process.env.TINYFORGE_TEST_WORKERS ?? 2}`];
const args = ['--json', `--outputFile=${report}`, '--reporters=default', `--reporters=${path.join(root, 'tools/testing/progress-reporter.js')}`, ...workers, ...given];
const jest = spawnSync(bin('jest'), args, { cwd: root, stdio: 'inherit', env: { ...process.env, TINYFORGE_FIRMWARE_CACHE: firmwareCache } });

let summary = 'tests: 0 passed, 1 failed (jest wrote no report)';
if (fs.existsSync(report)) {
  const r = JSON.parse(fs.readFileSync(report, 'utf8'));
  const skipped = r.numPendingTests + r.numTodoTests;
  const suiteFailures = r.numFailedTestSuites > 0 && r.numFailedTests === 0 ? ` (${r.numFailedTestSuites} suites failed to run)` : '';
  summary = `tests: ${r.numPassedTests} passed, ${r.numFailedTests + (suiteFailures ? r.numFailedTestSuites : 0)} failed, ${skipped} skipped${suiteFailures}`;
  const slowest = r.testResults
    .map((t) => ({ file: path.relative(root, t.name), s: (t.endTime - t.startTime) / 1000 }))
    .sort((a, b) => b.s - a.s)
    .slice(0, 5)
    .map((t) => `${t.file} ${t.s.toFixed(0)} s`);
  const wall = (Date.now() - started) / 1000;
  console.log(`wall time ${Math.floor(wall / 60)} min ${Math.round(wall % 60)} s (load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}); slowest: ${slowest.join(', ')}`);
  if (process.env.TINYFORGE_TEST_REPORT) fs.copyFileSync(report, process.env.TINYFORGE_TEST_REPORT);
}
console.log(summary);
process.exit(jest.status === 0 ? 0 : 1);
