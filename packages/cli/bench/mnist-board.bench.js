#!/usr/bin/env node
'use strict';
// `npm run bench -- mnist-board [--images N] [--board NAME]`: issue 18's MNIST acceptance on a virtual board over the
// whole test sample (the spec runs the first 100 images on qemu-m4 to keep npm test short). For each ONNX MNIST model
// of ../shared/onnx: quantized with 200 test images (1000..1199) as calibration data, the first N test images
// (default 1000) on the reference interpreter, the host engine and the board (one firmware, one boot). Prints how
// many outputs are byte-identical across the three, int8-vs-float top-1 agreement and the board's time.
// Target: N of N byte-identical on every model.
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

const root = path.resolve(__dirname, '../../..');
const args = process.argv.slice(2);
const option = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const images = Number(option('--images', '1000'));
const board = option('--board', 'qemu-m4');
const onnxDir = path.resolve(root, '../shared/onnx');
if (!fs.existsSync(onnxDir)) {
  console.log(`skipped: ${onnxDir} not found`);
  process.exit(0);
}
const { readModelFile } = require(path.join(root, 'packages/model-format/dist'));
const { quantizeModel } = require(path.join(root, 'packages/quantizer/dist'));
const { Interpreter } = require(path.join(root, 'packages/interpreter/dist'));
const { runReference, runHostEngine, runBoardEngine } = require(path.join(root, 'packages/cli/dist/acceptance/engines'));

const pixels = zlib.gunzipSync(fs.readFileSync(path.join(onnxDir, 'mnist-t10k-images-idx3-ubyte.gz'))).subarray(16);
// The pixel scalings the acceptance spec (packages/cli/src/acceptance/onnx-mnist.spec.ts) uses for each model.
const MODELS = [
  { file: 'mnist_pytorch.onnx', scale: (p) => p / 127.5 - 1 },
  { file: 'mnist_keras2onnx_unsorted.onnx', scale: (p) => p / 255 },
];
const argmax = (v) => Array.from(v).reduce((best, x, i, a) => (x > a[best] ? i : best), 0);

(async () => {
  let allIdentical = true;
  for (const m of MODELS) {
    const image = (k) => Float32Array.from(pixels.subarray(k * 784, (k + 1) * 784), m.scale);
    const graph = readModelFile(path.join(onnxDir, m.file));
    const calibration = Array.from({ length: 200 }, (_, k) => [image(1000 + k)]);
    const { int8Graph } = quantizeModel(graph, calibration, { io: 'int8' });
    const inQ = int8Graph.tensors[int8Graph.inputs[0]].quant;
    const inputs = Array.from({ length: images }, (_, k) => new Uint8Array(Int8Array.from(image(k), (v) => Math.max(-128, Math.min(127, Math.round(v / inQ.scale[0]) + inQ.zeroPoint[0]))).buffer));
    const ref = runReference(int8Graph, inputs);
    const host = runHostEngine(int8Graph, inputs);
    const t0 = Date.now();
    const onBoard = await runBoardEngine(int8Graph, board, inputs);
    const seconds = (Date.now() - t0) / 1000;
    const same = (a, b) => Buffer.from(a).equals(Buffer.from(b));
    const hostSame = ref.filter((r, k) => same(r, host[k])).length;
    const boardSame = ref.filter((r, k) => same(r, onBoard.outputs[k])).length;
    const float = new Interpreter(graph);
    const floatTop1 = (k) => argmax(new Float32Array(float.run([new Uint8Array(image(k).buffer)]).outputs[0].slice().buffer));
    const agree = inputs.filter((_, k) => floatTop1(k) === argmax(new Int8Array(ref[k].buffer, ref[k].byteOffset, ref[k].byteLength))).length;
    if (hostSame !== images || boardSame !== images) allIdentical = false;
    console.log(
      `${m.file}: ${images} images, host ${hostSame}/${images} and ${board} ${boardSame}/${images} byte-identical with ref; int8 top-1 = float top-1 on ${agree}/${images}; ${board} ${seconds.toFixed(1)} s for all (one boot), ${onBoard.instructions[0]} instructions per inference`,
    );
  }
  console.log(`target: every image byte-identical on ref, host and ${board}: ${allIdentical ? 'met' : 'MISSED'}`);
  process.exit(allIdentical ? 0 : 1);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
