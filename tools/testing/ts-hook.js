// Loads tinyforge's TypeScript sources in a plain Node process, as jest does inside its own (jest.preset.js maps
// the same names): `.ts` files are transpiled on require with the specs' compiler options, and @tinyforge/<pkg>
// (and /testing) resolve to the packages' sources, so nothing depends on a stale build. Used by run-outside-jest.js.
'use strict';
const Module = require('module');
const fs = require('fs');
const path = require('path');
const ts = require('typescript');

const root = path.resolve(__dirname, '../..');
const SPECIAL = {
  '@tinyforge/onnx-proto': path.join(root, 'packages/onnx-proto/src/index.js'),
  '@tinyforge/fashion-mnist': path.join(root, 'examples/fashion-mnist/src/index.ts'),
};

const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  if (SPECIAL[request] !== undefined) return SPECIAL[request];
  const m = /^@tinyforge\/([a-z-]+)(\/testing)?$/.exec(request);
  if (m) return path.join(root, 'packages', m[1], 'src', m[2] ? 'testing/index.ts' : 'index.ts');
  try {
    return resolve.call(this, request, parent, ...rest);
  } catch (e) {
    // A relative import of a TypeScript module without its extension.
    if (parent && (request.startsWith('./') || request.startsWith('../'))) {
      const base = path.resolve(path.dirname(parent.filename), request);
      for (const candidate of [`${base}.ts`, path.join(base, 'index.ts')]) if (fs.existsSync(candidate)) return candidate;
    }
    throw e;
  }
};

const compilerOptions = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, resolveJsonModule: true, sourceMap: false, inlineSourceMap: true };
Module._extensions['.ts'] = function (module, filename) {
  const { outputText } = ts.transpileModule(fs.readFileSync(filename, 'utf8'), { compilerOptions, fileName: filename });
  module._compile(outputText, filename);
};
