// Headless Chromium for the HTML report tests: Debian's chromium (CHROMIUM_PATH to use another) driven by
// playwright-core; `available` is false when either is missing, and the tests skip with a message.
'use strict';
const fs = require('fs');

const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
let chromium;
try {
  chromium = require('playwright-core').chromium;
} catch {
  chromium = undefined;
}

/** A launched browser (close it when done). */
function launchChromium() {
  return chromium.launch({ executablePath, args: ['--no-sandbox'] });
}

module.exports = { available: chromium !== undefined && fs.existsSync(executablePath), executablePath, launchChromium };
