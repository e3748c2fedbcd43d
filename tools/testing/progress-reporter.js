// A jest reporter for `npm test`: one line per finished test file with the overall progress, so a long run shows
// how far it is (jest's default reporter says which file passed, not how many are left).
'use strict';

class ProgressReporter {
  constructor(globalConfig) {
    this.started = Date.now();
    this.done = 0;
    this.failed = 0;
    this.total = 0;
    this.rootDir = globalConfig.rootDir;
  }

  onRunStart(results) {
    this.started = Date.now();
    this.total = results.numTotalTestSuites;
  }

  onTestResult(test, result) {
    this.done++;
    if (result.numFailingTests > 0 || result.testExecError) this.failed++;
    const elapsed = Math.round((Date.now() - this.started) / 1000);
    const clock = `${Math.floor(elapsed / 60)}:${String(elapsed % 60).padStart(2, '0')}`;
    const seconds = ((result.perfStats.end - result.perfStats.start) / 1000).toFixed(1);
    const file = test.path.startsWith(this.rootDir) ? test.path.slice(this.rootDir.length + 1) : test.path;
    const pct = this.total > 0 ? Math.floor((100 * this.done) / this.total) : 0;
    process.stderr.write(`progress: ${this.done}/${this.total} test files (${pct} %), ${clock} elapsed, ${this.failed} failed so far; last: ${file} (${seconds} s)\n`);
  }
}

module.exports = ProgressReporter;
