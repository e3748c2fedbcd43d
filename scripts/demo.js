#!/usr/bin/env node
'use strict';
// `npm run demo`: the main job end to end on a virtual board. The committed Fashion-MNIST float ONNX model is
// quantized with 200 training images, compiled to C, built for qemu-m4, flashed over the emulated UART by our AN3155
// flasher, and run on 20 test images while the board streams its per-layer profile; one more inference under QEMU's
// execution trace gives the core's estimated cycles (Cortex-M4, M7), shown beside the counted instructions (†). Exits 0
// only when the board's outputs equal the reference interpreter's int8 outputs bit for bit.
//
//   node scripts/demo.js [--out DIR] [--images N] [--calibration N] [--board NAME]
//
// Results (profile.html, profile.json, trace.json, the generated C in src/) go to --out DIR, or to a new folder
// per run, $TMPDIR/tinyforge-demo-XXXXXX, printed at the end; concurrent runs never share one. The firmware build
// happens in a temporary folder removed on exit, also on an error or Ctrl-C; a per-run folder that got no results
// (the run failed or was interrupted) is removed too.
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.resolve(__dirname, '..');
const started = Date.now();
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 && at + 1 < args.length ? args[at + 1] : fallback;
};
const givenOut = option('--out', undefined);
const testCount = Number(option('--images', '20'));
const calibrationCount = Number(option('--calibration', '200'));
const boardName = option('--board', 'qemu-m4');
let stageNo = 0;
const STAGES = 6;
const stage = (title) => console.log(`\n[${++stageNo}/${STAGES}] ${title}  (${((Date.now() - started) / 1000).toFixed(1)} s)`);
const fail = (message) => {
  console.error(`demo: ${message}`);
  process.exit(1);
};

// Where the results go, and the temporary build folder; what is temporary goes at exit, however the run ends.
const outDir = givenOut !== undefined ? path.resolve(givenOut) : fs.mkdtempSync(path.join(os.tmpdir(), 'tinyforge-demo-'));
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyforge-demo-build-'));
let resultsWritten = false;
process.on('exit', () => {
  fs.rmSync(workDir, { recursive: true, force: true });
  if (!resultsWritten && givenOut === undefined) fs.rmSync(outDir, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(signal, () => {
    console.error(`\ndemo: interrupted (${signal})`);
    process.exit(130); // 'exit' handlers stop QEMU and socat (@tinyforge/boards) and remove the temporary folders
  });
}

stage('build the packages (tsc -b, incremental)');
buildPackages();
const { readModelFile } = require('@tinyforge/model-format');
const { Interpreter } = require('@tinyforge/interpreter');
const { viewAs } = require('@tinyforge/ir');
const { quantizeModel } = require('@tinyforge/quantizer');
const { formatReportTable } = require('@tinyforge/serial-profiler');
const { runOnBoard, boardRunReports, modelFiguresText, firmwareFiguresText, firmwareFigures } = require('@tinyforge/cli');
const { loadTarget } = require('@tinyforge/boards');
const fashion = require('@tinyforge/fashion-mnist');

stage('load the float model and Fashion-MNIST');
const modelFile = path.join(root, 'examples/fashion-mnist/fashion_mnist_cnn.onnx');
if (!fashion.fashionMnistAvailable()) fail(`Fashion-MNIST not found in ${fashion.fashionMnistDir()} (install Debian's dataset-fashion-mnist or set FASHION_MNIST_DIR)`);
const floatGraph = readModelFile(modelFile);
const train = fashion.loadFashionMnist('train', { limit: calibrationCount });
const test = fashion.loadFashionMnist('test', { limit: testCount });
console.log(`  ${path.relative(root, modelFile)}: ${floatGraph.nodes.length} nodes; ${train.count} calibration images, ${test.count} test images`);

stage(`quantize to int8 (calibration on ${train.count} training images)`);
const samples = Array.from({ length: train.count }, (_, i) => [fashion.imageAsFloat(train, i)]);
const { int8Graph } = quantizeModel(floatGraph, samples);
const inputTensor = int8Graph.tensors[int8Graph.inputs[0]];
const outputTensor = int8Graph.tensors[int8Graph.outputs[0]];
if (inputTensor.dtype !== 'int8' || !inputTensor.quant) fail(`the quantized model's input is ${inputTensor.dtype}, expected int8 with a scale`);
const { scale: [inScale], zeroPoint: [inZero] } = inputTensor.quant;
const quantizeImage = (i) => {
  const x = fashion.imageAsFloat(test, i);
  const q = new Int8Array(x.length);
  for (let k = 0; k < x.length; k++) q[k] = Math.max(-128, Math.min(127, Math.round(x[k] / inScale) + inZero));
  return new Uint8Array(q.buffer);
};
const argmax = (values) => values.reduce((best, v, i, a) => (v > a[best] ? i : best), 0);
console.log(`  int8 model: ${int8Graph.nodes.length} nodes, input scale ${inScale.toPrecision(6)} zero point ${inZero}`);

stage(`reference: float and int8 on ${test.count} test images (TypeScript interpreter)`);
const floatEval = fashion.evaluateGraph(floatGraph, test, test.count);
const int8Interpreter = new Interpreter(int8Graph);
const inputs = Array.from({ length: test.count }, (_, i) => quantizeImage(i));
const int8Outputs = inputs.map((input) => int8Interpreter.run([input]).outputs[0]);
const int8Predictions = int8Outputs.map((o) => argmax(Array.from(viewAs(o, outputTensor.dtype))));

stage(`generate C, build for ${boardName}, boot QEMU, flash over serial, run ${test.count} images with profiling`);
fs.mkdirSync(outDir, { recursive: true });
const board = loadTarget(boardName);
runOnBoard({
  model: int8Graph,
  board,
  inputs,
  // Where the core has a timing model (Cortex-M4, M7) the profile gets cycles estimated from one more, traced inference.
  profile: true,
  load: 'serial',
  workDir,
  onProgress: (s, message) => {
    if (s !== 'run' || /inference (1|\d*0)\//.test(message)) console.log(`  [${s}] ${message}`);
  },
  onText: (line) => console.log(`  board: ${line}`),
})
  .then((result) => report(result))
  .catch((e) => fail(`${e.code ? `error[${e.code}]: ` : ''}${e.message}`));

function report(result) {
  stage('results');
  const boardPredictions = result.outputs.map((o) => argmax(Array.from(viewAs(o, outputTensor.dtype))));
  const mismatches = result.outputs.filter((o, i) => Buffer.compare(Buffer.from(o), Buffer.from(int8Outputs[i])) !== 0).length;
  const accuracy = (predictions) => predictions.filter((p, i) => p === test.labels[i]).length;
  const pct = (n) => `${n}/${test.count} (${((100 * n) / test.count).toFixed(1)} %)`;
  console.log(`  accuracy on ${test.count} test images: float ${pct(accuracy(Array.from(floatEval.predictions)))}, int8 reference ${pct(accuracy(int8Predictions))}, on-board ${pct(accuracy(boardPredictions))}`);
  console.log(`  on-board outputs == int8 reference: ${mismatches === 0 ? `yes, bit for bit on all ${test.count} images` : `NO: ${mismatches} of ${test.count} differ`}`);
  const r = result.profile.report;
  const sum = r.layers.reduce((s, l) => s + l.counts.median, 0);
  console.log(`  ${modelFiguresText(result.firmware.model, result.packedFilters)}`);
  console.log(`  ${firmwareFiguresText(firmwareFigures(result.size))}`);
  console.log(
    result.flash.unchanged
      ? `  the board already held this image (${result.flash.bytes} bytes, same CRC from its bootloader): not flashed`
      : `  flashed ${result.flash.bytes} bytes over serial in ${(result.flash.milliseconds / 1000).toFixed(1)} s (verified by ${result.flash.verified})`,
  );
  console.log(`  total ${Math.round(r.total.median)} instructions per inference (median of ${r.runs} runs); layers sum to ${Math.round(sum)} (${((100 * Math.abs(r.total.median - sum)) / r.total.median).toFixed(3)} % apart)`);
  const e = r.estimate;
  if (e !== undefined) console.log(`  estimated ${Math.round(e.cycles)} ${e.core} cycles per inference (${(e.cycles / e.instructions).toFixed(2)} per instruction: QEMU's execution trace of one more inference weighted with the core's timing model); the table's † columns`);
  console.log('');
  console.log(formatReportTable(r).replace(/^/gm, '  ').trimEnd());
  r.accuracy = [
    { label: 'float, reference', correct: accuracy(Array.from(floatEval.predictions)), total: test.count },
    { label: 'int8, reference', correct: accuracy(int8Predictions), total: test.count },
    { label: 'int8, on the board', correct: accuracy(boardPredictions), total: test.count },
  ];
  const files = boardRunReports(result, `tinyforge demo: Fashion-MNIST CNN on ${result.board}`);
  const html = path.join(outDir, 'profile.html');
  fs.writeFileSync(html, files.html);
  fs.writeFileSync(path.join(outDir, 'profile.json'), files.json);
  fs.writeFileSync(path.join(outDir, 'trace.json'), files.trace);
  fs.cpSync(path.join(workDir, 'src'), path.join(outDir, 'src'), { recursive: true });
  resultsWritten = true;
  console.log(`\n  results in ${outDir}${givenOut === undefined ? ' (a new folder per run; --out DIR to choose one)' : ''}:`);
  console.log(`    profile.html (the HTML report), profile.json, trace.json (Perfetto), src/ (the generated C and plan.json)`);
  console.log(`\ndemo finished in ${((Date.now() - started) / 1000).toFixed(1)} s (build ${result.timings.build} ms, boot ${result.timings.boot} ms, flash ${result.timings.flash} ms, run ${result.timings.run} ms, cycle estimate ${result.timings.estimate} ms)`);
  process.exitCode = mismatches === 0 ? 0 : 1;
}

/** The demo runs the built packages (dist/), as the benchmarks do; `tsc -b` is a no-op when nothing changed. */
function buildPackages() {
  const { spawnSync } = require('child_process');
  const tsc = spawnSync(path.join(root, 'node_modules', '.bin', 'tsc'), ['-b', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  if (tsc.status !== 0) fail('the TypeScript build failed (see above)');
}
