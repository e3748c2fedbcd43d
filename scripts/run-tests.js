#!/usr/bin/env node
'use strict';
// `npm test`: build (which typechecks every package's sources), typecheck the tests too (jest only transpiles
// them), run every package's jest suite in one jest run, and end with one summary line
// "tests: N passed, N failed, N skipped" that any CI can read.
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.resolve(__dirname, '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

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

const report = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tinyforge-jest-')), 'report.json');
const args = ['--json', `--outputFile=${report}`, ...process.argv.slice(2)];
const jest = spawnSync(bin('jest'), args, { cwd: root, stdio: 'inherit' });

let summary = 'tests: 0 passed, 1 failed (jest wrote no report)';
if (fs.existsSync(report)) {
  const r = JSON.parse(fs.readFileSync(report, 'utf8'));
  const skipped = r.numPendingTests + r.numTodoTests;
  const suiteFailures = r.numFailedTestSuites > 0 && r.numFailedTests === 0 ? ` (${r.numFailedTestSuites} suites failed to run)` : '';
  summary = `tests: ${r.numPassedTests} passed, ${r.numFailedTests + (suiteFailures ? r.numFailedTestSuites : 0)} failed, ${skipped} skipped${suiteFailures}`;
}
console.log(summary);
process.exit(jest.status === 0 ? 0 : 1);
