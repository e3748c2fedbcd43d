#!/usr/bin/env node
'use strict';
// The `tinyforge` command: the CLI lives in @tinyforge/cli (TypeScript compiled to its dist/).
require('@tinyforge/cli')
  .runCli(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
