#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI is TypeScript compiled to dist/ by `npm ci` (root "prepare") or `npm run build`.
require('../dist/main')
  .runStandalone('quantize', process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
