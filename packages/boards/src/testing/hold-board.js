// Test helper run as a child process: start a virtual board from the TypeScript sources, print its pids, wait for
// a signal. The parent checks that QEMU and socat are gone after the signal. argv: board name, bootloader ELF.
const fs = require('fs');
const ts = require('typescript');
require.extensions['.ts'] = (module, file) => {
  const out = ts.transpileModule(fs.readFileSync(file, 'utf8'), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 } });
  module._compile(out.outputText, file);
};
const { startVirtualBoard } = require('../virtual-board.ts');
const { loadTarget } = require('../load.ts');
startVirtualBoard(loadTarget(process.argv[2]), { bootloader: true, bootloaderElf: process.argv[3] }).then(
  (vb) => process.stdout.write(`${JSON.stringify({ qemu: vb.pid, socat: vb.bridgePid })}\n`),
  (e) => {
    process.stderr.write(`${e.message}\n`);
    process.exit(3);
  },
);
setInterval(() => undefined, 1000);
