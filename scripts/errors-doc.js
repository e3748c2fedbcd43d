#!/usr/bin/env node
'use strict';
// `npm run errors-doc`: writes docs/errors.md from the error catalogue (packages/common/src/error-catalogue.ts).
// The common package's spec fails while the document and the catalogue disagree.
const fs = require('fs');
const path = require('path');
const { errorCatalogueMarkdown } = require('../packages/common/dist');

const file = path.join(__dirname, '..', 'docs', 'errors.md');
fs.writeFileSync(file, errorCatalogueMarkdown());
console.log(`wrote ${path.relative(process.cwd(), file)}`);
