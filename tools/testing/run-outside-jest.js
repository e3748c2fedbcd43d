// Runs one exported function of a TypeScript module in a plain Node child process and returns its JSON result.
// For the few CPU-bound checks (the reference interpreter over hundreds of images): jest runs tests inside a vm
// context, where such loops take about 2.5 times as long as in Node itself.
'use strict';
const { execFileSync } = require('child_process');
const path = require('path');

/** `exportName` of `modulePath` called with `args` (JSON values); resolves to what it returns (or its promise). */
function runOutsideJest(modulePath, exportName, args = []) {
  const program = `
    const fn = require(${JSON.stringify(modulePath)})[${JSON.stringify(exportName)}];
    Promise.resolve(fn(...${JSON.stringify(args)})).then(
      (r) => process.stdout.write(JSON.stringify({ ok: r === undefined ? null : r })),
      (e) => process.stdout.write(JSON.stringify({ error: String((e && e.stack) || e) })),
    );`;
  const out = execFileSync(process.execPath, ['-r', path.join(__dirname, 'ts-hook.js'), '-e', program], { maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'inherit'] });
  const result = JSON.parse(out.toString());
  if (result.error !== undefined) throw new Error(`${exportName} (outside jest) failed: ${result.error}`);
  return result.ok;
}

module.exports = { runOutsideJest };
