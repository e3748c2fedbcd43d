#!/usr/bin/env node
'use strict';
// The `profile` command: the CLI lives in @tinyforge/cli (TypeScript compiled to its dist/).
require('@tinyforge/cli')
  .runStandalone('profile', process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
