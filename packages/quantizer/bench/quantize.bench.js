#!/usr/bin/env node
// Quantizer benchmark (`npm run bench -- quantize`): for each MLPerf Tiny float model with an int8 twin, the output
// SQNR against the float model of (a) the shipped int8 twin (TFLite converter) and (b) ours, calibrated on 200
// Fashion-MNIST training images (gold-style random inputs for ad), evaluated on 200 test images, with the default
// calibration method (`--methods minmax,percentile,mse,entropy` adds columns); the VWW quantize time with 100
// samples; onnxruntime-node on our --onnx-qdq export vs our int8 interpreter (±1 LSB counts); and the Fashion-MNIST
// demo model's float and int8 accuracy on the 10k test set (int8 calibrated on 200 training images).
'use strict';
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const ort = require('onnxruntime-node');
const q = require('../dist/index.js');
const { readModelFile, writeTflite, readTflite, writeOnnx } = require('@tinyforge/model-format');
const { Interpreter } = require('@tinyforge/interpreter');
const { elementCount, mulberry32 } = require('@tinyforge/ir');

const MODELS = path.resolve(__dirname, '../../../../shared/models');
const FMNIST = '/usr/share/datasets/fashion-mnist';
const N_EVAL = 200;
const N_CALIB = 200;
const FMNIST_MODEL = path.resolve(__dirname, '../../../examples/fashion-mnist/fashion_mnist_cnn.onnx');
const methodsArg = process.argv.find((a) => a.startsWith('--methods='));
const METHODS = methodsArg ? methodsArg.slice('--methods='.length).split(',') : [q.DEFAULT_CALIBRATION_METHOD];

function idxLabels(file) {
  return zlib.gunzipSync(fs.readFileSync(file)).subarray(8);
}

function idxImages(file) {
  const b = zlib.gunzipSync(fs.readFileSync(file));
  const n = b.readUInt32BE(4);
  const rows = b.readUInt32BE(8);
  const cols = b.readUInt32BE(12);
  return Array.from({ length: n }, (_, k) => ({ width: cols, height: rows, channels: 1, pixels: b.subarray(16 + k * rows * cols, 16 + (k + 1) * rows * cols) }));
}

/** Float inputs that the twin's input quantization represents exactly: q = quantize(v), float = scale·(q − zp). */
function twinInputs(values, tq) {
  const s = tq.scale[0];
  const zp = tq.zeroPoint[0];
  return values.map((v) => {
    const out = new Float32Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = s * (Math.max(-128, Math.min(127, Math.round(v[i] / s) + zp)) - zp);
    return out;
  });
}

function imageSamples(images, shape, tq) {
  const [, h, w, c] = shape;
  const valueMax = tq.scale[0] * (127 - tq.zeroPoint[0]); // 1 for vww, 255 for ic
  const pre = { height: h, width: w, channels: c, mean: [0], std: [1 / valueMax] };
  return twinInputs(images.map((im) => q.imageToTensor(im, pre)), tq);
}

function goldSamples(count, seed0, tq) {
  return Array.from({ length: count }, (_, k) => {
    const r = mulberry32(seed0 + k);
    return Float32Array.from({ length: 640 }, () => tq.scale[0] * (((r() >>> 24) - 128) - tq.zeroPoint[0]));
  });
}

class Sqnr {
  constructor() { this.s = 0; this.n = 0; }
  add(ref, approx) { for (let i = 0; i < ref.length; i++) { this.s += ref[i] * ref[i]; this.n += (ref[i] - approx[i]) ** 2; } }
  get db() { return 10 * Math.log10(this.s / this.n); }
}

const deq = (bytes, tq) => Array.from(new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), (v) => tq.scale[0] * (v - tq.zeroPoint[0]));
const argmax = (v) => v.reduce((b, x, i) => (x > v[b] ? i : b), 0);

function nchw(data, shape) {
  if (shape.length !== 4) return { data, dims: shape };
  const [n, h, w, c] = shape;
  const out = new data.constructor(data.length);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) out[k * h * w + y * w + x] = data[(y * w + x) * c + k];
  return { data: out, dims: [n, c, h, w] };
}

function nhwc(data, shape) {
  if (shape.length !== 4) return data;
  const [, h, w, c] = shape;
  const out = new data.constructor(data.length);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) out[(y * w + x) * c + k] = data[k * h * w + y * w + x];
  return out;
}

/** Run an int8-I/O graph's QDQ export in onnxruntime; returns int8 outputs in NHWC order. */
async function ortRun(graph, inputs) {
  const session = await ort.InferenceSession.create(writeOnnx(q.pruneTensors(q.toQdqGraph(graph))));
  const feeds = {};
  graph.inputs.forEach((t, i) => {
    const shape = graph.tensors[t].shape;
    const { data, dims } = nchw(new Int8Array(inputs[i].buffer, inputs[i].byteOffset, inputs[i].byteLength), shape);
    feeds[session.inputNames[i]] = new ort.Tensor('int8', data, dims);
  });
  const res = await session.run(feeds);
  return graph.outputs.map((t, i) => nhwc(Int8Array.from(res[session.outputNames[i]].data), graph.tensors[t].shape));
}

/** Every int8 layer alone (singleNodeGraph), fed our int8 inputs of that layer; its output compared with ours. */
async function perLayerOrt(int8Graph, sampleInputs) {
  const full = new Interpreter(int8Graph).run(sampleInputs, { keepIntermediates: true }).tensors;
  let within = 0;
  let total = 0;
  for (const node of int8Graph.nodes) {
    if (node.inputs.some((t) => t >= 0 && int8Graph.tensors[t].dtype === 'float32') || int8Graph.tensors[node.outputs[0]].dtype !== 'int8') continue;
    const { graph: one, sources } = q.singleNodeGraph(int8Graph, node);
    const got = (await ortRun(one, sources.map((t) => full.get(t))))[0];
    const ours = new Int8Array(full.get(node.outputs[0]).buffer);
    for (let i = 0; i < ours.length; i++) { total++; if (Math.abs(ours[i] - got[i]) <= 1) within++; }
  }
  return { within, total };
}

async function main() {
  if (!fs.existsSync(MODELS)) return console.log(`skip: ${MODELS} not found`);
  const haveFm = fs.existsSync(path.join(FMNIST, 'train-images-idx3-ubyte.gz'));
  if (!haveFm) console.log(`note: ${FMNIST} not found; image models are skipped`);
  const train = haveFm ? idxImages(path.join(FMNIST, 'train-images-idx3-ubyte.gz')).slice(0, N_CALIB) : [];
  const test = haveFm ? idxImages(path.join(FMNIST, 't10k-images-idx3-ubyte.gz')).slice(0, N_EVAL) : [];
  const rows = [];
  const ortRows = [];
  for (const [name, stem] of [['vww', 'vww_mobilenet'], ['ic', 'ic_resnet8'], ['ic_large', 'ic_resnet_large'], ['ad', 'ad_autoencoder']]) {
    if (name !== 'ad' && !haveFm) continue;
    const floatG = readModelFile(path.join(MODELS, `${stem}_float.tflite`));
    const twin = readModelFile(path.join(MODELS, `${stem}_int8.tflite`));
    const tIn = twin.tensors[twin.inputs[0]].quant;
    const tOut = twin.tensors[twin.outputs[0]].quant;
    const shape = floatG.tensors[floatG.inputs[0]].shape;
    const calib = name === 'ad' ? goldSamples(N_CALIB, 5000, tIn) : imageSamples(train, shape, tIn);
    const evalSet = name === 'ad' ? goldSamples(N_EVAL, 1000, tIn) : imageSamples(test, shape, tIn);
    const fRun = new Interpreter(floatG);
    const tRun = new Interpreter(twin);
    const refs = evalSet.map((x) => new Float32Array(fRun.run([new Uint8Array(x.buffer)]).outputs[0].buffer));
    const sTwin = new Sqnr();
    let agreeTwin = 0;
    evalSet.forEach((x, k) => {
      const vt = deq(tRun.run([new Uint8Array(q.quantizeInput(x, tIn).buffer)]).outputs[0], tOut);
      sTwin.add(refs[k], vt);
      if (argmax(vt) === argmax(Array.from(refs[k]))) agreeTwin++;
    });
    const ours = [];
    let r;
    let oRun;
    let oIn;
    for (const method of METHODS) {
      const t0 = Date.now();
      r = q.quantizeModel(floatG, calib.map((x) => [x]), { io: 'int8', method });
      const ms = Date.now() - t0;
      const written = readTflite(writeTflite(q.pruneTensors(r.int8Graph))); // measured as written to disk
      oIn = written.tensors[written.inputs[0]].quant;
      const oOut = written.tensors[written.outputs[0]].quant;
      oRun = new Interpreter(written);
      const s = new Sqnr();
      let agree = 0;
      evalSet.forEach((x, k) => {
        const vo = deq(oRun.run([new Uint8Array(q.quantizeInput(x, oIn).buffer)]).outputs[0], oOut);
        s.add(refs[k], vo);
        if (argmax(vo) === argmax(Array.from(refs[k]))) agree++;
      });
      ours.push({ method, db: s.db, agree, ms });
    }
    rows.push({ name, twin: sTwin.db, agreeTwin, ours });
    // onnxruntime on the QDQ export: end to end and layer by layer, on 5 evaluation inputs
    let e2eWithin = 0;
    let e2eTotal = 0;
    let layer = { within: 0, total: 0 };
    for (const x of evalSet.slice(0, 5)) {
      const input = new Uint8Array(q.quantizeInput(x, oIn).buffer);
      const mine = new Int8Array(oRun.run([input]).outputs[0].buffer);
      const theirs = (await ortRun(r.int8Graph, [input]))[0];
      for (let i = 0; i < mine.length; i++) { e2eTotal++; if (Math.abs(mine[i] - theirs[i]) <= 1) e2eWithin++; }
      const l = await perLayerOrt(r.int8Graph, [input]);
      layer = { within: layer.within + l.within, total: layer.total + l.total };
    }
    ortRows.push({ name, e2eWithin, e2eTotal, ...layer });
  }
  console.log(`\noutput SQNR vs the float model (dB), ${N_EVAL} evaluation inputs, ours calibrated on ${N_CALIB} disjoint inputs`);
  console.log(`model     shipped int8   ${METHODS.map((m) => `ours ${m}`.padStart(16)).join(' ')}   top-1 agree shipped / ours`);
  for (const r of rows) {
    const cells = r.ours.map((o) => `${o.db.toFixed(2)} ${o.db >= r.twin ? '≥' : '<'} (${(o.ms / 1000).toFixed(1)} s)`.padStart(16)).join(' ');
    console.log(`${r.name.padEnd(9)} ${r.twin.toFixed(2).padStart(12)}   ${cells}   ${r.agreeTwin} / ${r.ours.map((o) => o.agree).join(', ')}`);
  }
  console.log('\nonnxruntime-node on the --onnx-qdq export vs our int8 interpreter (5 inputs): elements within ±1 LSB');
  for (const r of ortRows) {
    console.log(`${r.name.padEnd(9)} per layer ${r.within}/${r.total} (${((100 * r.within) / r.total).toFixed(2)} %)   end to end ${r.e2eWithin}/${r.e2eTotal} (${((100 * r.e2eWithin) / r.e2eTotal).toFixed(2)} %)`);
  }
  const vww = readModelFile(path.join(MODELS, 'vww_mobilenet_float.tflite'));
  if (haveFm) {
    const tIn = { scale: [1 / 255], zeroPoint: [-128] };
    const calib = imageSamples(train.slice(0, 100), vww.tensors[vww.inputs[0]].shape, tIn).map((x) => [x]);
    const t0 = Date.now();
    const r = q.quantizeModel(vww, calib, { io: 'int8' });
    writeTflite(q.pruneTensors(r.int8Graph));
    console.log(`\nVWW quantize (${q.DEFAULT_CALIBRATION_METHOD}, 100 samples, passes + calibration + int8 graph + TFLite bytes): ${((Date.now() - t0) / 1000).toFixed(1)} s (target < 20 s)`);
  }
}

/** The demo model: float and int8 (reference interpreter) top-1 accuracy on the whole test set. */
function fashionMnistAccuracy() {
  if (!fs.existsSync(FMNIST_MODEL)) return console.log(`\nFashion-MNIST: ${FMNIST_MODEL} not found (examples/fashion-mnist not trained yet), skipped`);
  const g = readModelFile(FMNIST_MODEL);
  const toInput = (im) => Float32Array.from(im.pixels, (p) => p / 255);
  const train = idxImages(path.join(FMNIST, 'train-images-idx3-ubyte.gz')).slice(0, N_CALIB);
  const test = idxImages(path.join(FMNIST, 't10k-images-idx3-ubyte.gz'));
  const labels = idxLabels(path.join(FMNIST, 't10k-labels-idx1-ubyte.gz'));
  const r = q.quantizeModel(g, train.map((im) => [toInput(im)]), { io: 'int8' });
  const int8 = readTflite(writeTflite(q.pruneTensors(r.int8Graph)));
  const inQ = int8.tensors[int8.inputs[0]].quant;
  const fRun = new Interpreter(g);
  const iRun = new Interpreter(int8);
  let fOk = 0;
  let iOk = 0;
  test.forEach((im, k) => {
    const x = toInput(im);
    if (argmax(Array.from(new Float32Array(fRun.run([new Uint8Array(x.buffer)]).outputs[0].buffer))) === labels[k]) fOk++;
    if (argmax(Array.from(new Int8Array(iRun.run([new Uint8Array(q.quantizeInput(x, inQ).buffer)]).outputs[0].buffer))) === labels[k]) iOk++;
  });
  const pct = (n) => ((100 * n) / test.length).toFixed(2);
  console.log(`\nFashion-MNIST demo model, ${test.length} test images: float ${pct(fOk)} % (target ≥ 90), int8 ${pct(iOk)} % (${q.DEFAULT_CALIBRATION_METHOD}, ${N_CALIB} training images; target within 0.5 points: ${Math.abs(fOk - iOk) * 100 / test.length <= 0.5 ? 'ok' : 'MISS'})`);
}

main().then(() => fs.existsSync(FMNIST) && fashionMnistAccuracy()).catch((e) => {
  console.error(e);
  process.exit(1);
});
