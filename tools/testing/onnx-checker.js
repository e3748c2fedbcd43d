// Test tool: onnx.checker.check_model(full_check=True) through Debian's python3-onnx, which imports only with
// /usr/bin/python3 (the python3 first on PATH is another interpreter). Specs skip the check where it is absent.
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const PYTHON = '/usr/bin/python3';

/** Whether python3-onnx is installed. */
function hasOnnxChecker() {
  try {
    execFileSync(PYTHON, ['-c', 'import onnx'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Check model bytes; throws with the checker's message when the model is not valid ONNX. */
function checkOnnx(bytes) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyforge-onnx-check-'));
  try {
    const file = path.join(dir, 'model.onnx');
    fs.writeFileSync(file, bytes);
    execFileSync(PYTHON, ['-c', 'import onnx,sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)', file], { stdio: 'pipe' });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

module.exports = { hasOnnxChecker, checkOnnx };
