#!/usr/bin/env node
'use strict';
// The `flash` command: the CLI lives in @tinyforge/cli (TypeScript compiled to its dist/).
require('@tinyforge/cli')
  .runStandalone('flash', process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
