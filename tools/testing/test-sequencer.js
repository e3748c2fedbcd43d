// jest's test order for `npm test`: the slowest files first, so that both workers stay busy to the end (the longest
// processing time first rule). jest orders by the durations of its last run (its cache folder), but a fresh clone
// has none and jest then goes by file size, which puts a 40-line spec of 50 s near the end. Here each file's
// duration is jest's own last one when known, else the committed table test-times.json (seconds per file, from a
// whole run), else unknown: unknown files (new ones) run first, as jest does, since they may be slow.
// Refresh the table from a run's JSON report: TINYFORGE_TEST_REPORT=/tmp/r.json npm test, then
// `node tools/testing/test-sequencer.js /tmp/r.json`.
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..', '..');
const tableFile = path.join(__dirname, 'test-times.json');

function readTable() {
  try {
    return JSON.parse(fs.readFileSync(tableFile, 'utf8'));
  } catch {
    return {};
  }
}

if (require.main === module) {
  const report = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const table = {};
  for (const t of report.testResults.map((r) => ({ file: path.relative(root, r.name), s: (r.endTime - r.startTime) / 1000 })).sort((a, b) => a.file.localeCompare(b.file))) {
    table[t.file] = Math.round(t.s * 10) / 10;
  }
  fs.writeFileSync(tableFile, `${JSON.stringify(table, null, 1)}\n`);
  console.log(`${tableFile}: ${Object.keys(table).length} files`);
} else {
  const Sequencer = require('@jest/test-sequencer').default;
  const table = readTable();

  module.exports = class SlowestFirst extends Sequencer {
    sort(tests) {
      const estimate = (test) => {
        const last = this.time(test);
        if (last != null) return last / 1000;
        return table[path.relative(root, test.path).split(path.sep).join('/')];
      };
      const ordered = tests.map((test) => ({ test, failed: this.hasFailed(test), seconds: estimate(test) }));
      ordered.sort((a, b) => {
        if (a.failed !== b.failed) return a.failed ? -1 : 1;
        if ((a.seconds == null) !== (b.seconds == null)) return a.seconds == null ? -1 : 1;
        return (b.seconds ?? 0) - (a.seconds ?? 0) || a.test.path.localeCompare(b.test.path);
      });
      return ordered.map((o) => o.test);
    }
  };
}
