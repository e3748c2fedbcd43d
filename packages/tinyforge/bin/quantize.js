#!/usr/bin/env node
'use strict';
// The `quantize` command: the CLI lives in @tinyforge/cli (TypeScript compiled to its dist/).
require('@tinyforge/cli')
  .runStandalone('quantize', process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
