#!/usr/bin/env node
'use strict';
// The `codegen` command: the CLI lives in @tinyforge/cli (TypeScript compiled to its dist/).
require('@tinyforge/cli')
  .runStandalone('codegen', process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
