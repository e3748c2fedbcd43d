#!/usr/bin/env node
// Quantizer benchmark (`npm run bench -- quantize`): for each MLPerf Tiny float model with an int8 twin, the output
// SQNR against the float model of (a) the shipped int8 twin (TFLite converter) and (b) ours, calibrated on 200
// Fashion-MNIST training images (gold-style random inputs for ad), evaluated on 200 test images, with the default
// calibration method (`--methods minmax,percentile,mse,entropy` adds columns); the VWW quantize time with 100
// samples; onnxruntime-node on our --onnx-qdq export vs our int8 interpreter (±1 LSB and exact counts, and the same
// for the plain QDQ export); and the Fashion-MNIST demo model's float and int8 accuracy on the 10k test set (int8
// calibrated on 200 training images). `--bias-correction` adds each method with empirical bias correction.
'use strict';
const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');
const { DEFAULT_CALIBRATION_METHOD, quantizeModel } = require('@tinyforge/quantizer');
const { pruneTensors, quantizeInput, singleNodeGraph } = require('@tinyforge/quantizer/testing');
const { readModelFile, writeTflite, readTflite } = require('@tinyforge/model-format');
const { Interpreter } = require('@tinyforge/interpreter');
const { FMNIST, FMNIST_MODEL, MLPERF, MODELS, fashionMnist, goldSamples, haveFashionMnist, idxLabels, imageSamples, int8Layers, ortRun, ortRunner } = require('./support');

const N_EVAL = 200;
const N_CALIB = 200;
const N_ORT = 50; // end to end
const N_ORT_LAYERS = 5; // layer by layer
const fmInput = (im) => Float32Array.from(im.pixels, (p) => p / 255);
const methodsArg = process.argv.find((a) => a.startsWith('--methods='));
const METHODS = methodsArg ? methodsArg.slice('--methods='.length).split(',') : [DEFAULT_CALIBRATION_METHOD];
// --bias-correction: each method also with empirical bias correction (a column "METHOD+bc")
const CONFIGS = METHODS.flatMap((method) => (process.argv.includes('--bias-correction') ? [false, true] : [false]).map((biasCorrection) => ({ method, biasCorrection, label: `${method}${biasCorrection ? '+bc' : ''}` })));

class Sqnr {
  constructor() { this.s = 0; this.n = 0; }
  add(ref, approx) { for (let i = 0; i < ref.length; i++) { this.s += ref[i] * ref[i]; this.n += (ref[i] - approx[i]) ** 2; } }
  get db() { return 10 * Math.log10(this.s / this.n); }
}

const deq = (bytes, tq) => Array.from(new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), (v) => tq.scale[0] * (v - tq.zeroPoint[0]));
const argmax = (v) => v.reduce((b, x, i) => (x > v[b] ? i : b), 0);

/**
 * onnxruntime on the QDQ export vs our interpreter: end to end (exact and ±1 LSB) on every input, for the default
 * export (TFLite rounding) and the plain one; and every int8 layer alone (singleNodeGraph) fed our int8 inputs of
 * that layer, on the first N_ORT_LAYERS inputs.
 */
async function ortAgreement(int8Graph, inputs) {
  const run = new Interpreter(int8Graph);
  const a = { e2eExact: 0, e2eWithin: 0, e2eTotal: 0, plainExact: 0, plainWithin: 0, within: 0, exact: 0, total: 0 };
  const exported = await ortRunner(ort, int8Graph);
  const plain = await ortRunner(ort, int8Graph, {}, 'plain');
  for (const [k, input] of inputs.entries()) {
    const res = run.run([input], { keepIntermediates: true });
    const mine = new Int8Array(res.outputs[0].buffer);
    const theirs = (await exported([input]))[0];
    const theirsPlain = (await plain([input]))[0];
    for (let i = 0; i < mine.length; i++) {
      a.e2eTotal++;
      if (mine[i] === theirs[i]) a.e2eExact++;
      if (Math.abs(mine[i] - theirs[i]) <= 1) a.e2eWithin++;
      if (mine[i] === theirsPlain[i]) a.plainExact++;
      if (Math.abs(mine[i] - theirsPlain[i]) <= 1) a.plainWithin++;
    }
    if (k >= N_ORT_LAYERS) continue;
    for (const node of int8Layers(int8Graph)) {
      const { graph: one, sources } = singleNodeGraph(int8Graph, node);
      const got = (await ortRun(ort, one, sources.map((t) => res.tensors.get(t))))[0];
      const ours = new Int8Array(res.tensors.get(node.outputs[0]).buffer);
      for (let i = 0; i < ours.length; i++) {
        a.total++;
        if (ours[i] === got[i]) a.exact++;
        if (Math.abs(ours[i] - got[i]) <= 1) a.within++;
      }
    }
  }
  return a;
}

async function main() {
  if (!fs.existsSync(MODELS)) return console.log(`skip: ${MODELS} not found`);
  const haveFm = haveFashionMnist();
  if (!haveFm) console.log(`note: ${FMNIST} not found; image models are skipped`);
  const train = haveFm ? fashionMnist('train').slice(0, N_CALIB) : [];
  const test = haveFm ? fashionMnist('test').slice(0, N_EVAL) : [];
  const rows = [];
  const ortRows = [];
  for (const [name, stem] of MLPERF) {
    if (name !== 'ad' && !haveFm) continue;
    const floatG = readModelFile(path.join(MODELS, `${stem}_float.tflite`));
    const twin = readModelFile(path.join(MODELS, `${stem}_int8.tflite`));
    const tIn = twin.tensors[twin.inputs[0]].quant;
    const tOut = twin.tensors[twin.outputs[0]].quant;
    const shape = floatG.tensors[floatG.inputs[0]].shape;
    const calib = name === 'ad' ? goldSamples(N_CALIB, 5000, tIn, 640) : imageSamples(train, shape, tIn);
    const evalSet = name === 'ad' ? goldSamples(N_EVAL, 1000, tIn, 640) : imageSamples(test, shape, tIn);
    const fRun = new Interpreter(floatG);
    const tRun = new Interpreter(twin);
    const refs = evalSet.map((x) => new Float32Array(fRun.run([new Uint8Array(x.buffer)]).outputs[0].buffer));
    const sTwin = new Sqnr();
    let agreeTwin = 0;
    evalSet.forEach((x, k) => {
      const vt = deq(tRun.run([new Uint8Array(quantizeInput(x, tIn).buffer)]).outputs[0], tOut);
      sTwin.add(refs[k], vt);
      if (argmax(vt) === argmax(Array.from(refs[k]))) agreeTwin++;
    });
    const ours = [];
    let r;
    let oIn;
    for (const { method, biasCorrection, label } of CONFIGS) {
      const t0 = Date.now();
      const result = quantizeModel(floatG, calib.map((x) => [x]), { io: 'int8', method, biasCorrection });
      r = r ?? result; // onnxruntime below checks the first configuration's export
      const ms = Date.now() - t0;
      const written = readTflite(writeTflite(pruneTensors(result.int8Graph))); // measured as written to disk
      const inQ = written.tensors[written.inputs[0]].quant;
      oIn = oIn ?? inQ;
      const oOut = written.tensors[written.outputs[0]].quant;
      const oRun = new Interpreter(written);
      const s = new Sqnr();
      let agree = 0;
      evalSet.forEach((x, k) => {
        const vo = deq(oRun.run([new Uint8Array(quantizeInput(x, inQ).buffer)]).outputs[0], oOut);
        s.add(refs[k], vo);
        if (argmax(vo) === argmax(Array.from(refs[k]))) agree++;
      });
      ours.push({ label, db: s.db, agree, ms });
    }
    rows.push({ name, twin: sTwin.db, agreeTwin, ours });
    // onnxruntime on the QDQ export, on the first N_ORT evaluation inputs
    ortRows.push({ name, ...(await ortAgreement(r.int8Graph, evalSet.slice(0, N_ORT).map((x) => new Uint8Array(quantizeInput(x, oIn).buffer)))) });
  }
  if (haveFm && fs.existsSync(FMNIST_MODEL)) {
    const { int8Graph } = quantizeModel(readModelFile(FMNIST_MODEL), train.map((im) => [fmInput(im)]), { io: 'int8' });
    const inQ = int8Graph.tensors[int8Graph.inputs[0]].quant;
    ortRows.push({ name: 'fm', ...(await ortAgreement(int8Graph, test.slice(0, N_ORT).map((im) => new Uint8Array(quantizeInput(fmInput(im), inQ).buffer)))) });
  }
  console.log(`\noutput SQNR vs the float model (dB), ${N_EVAL} evaluation inputs, ours calibrated on ${N_CALIB} disjoint inputs`);
  console.log(`model     shipped int8   ${CONFIGS.map((c) => `ours ${c.label}`.padStart(16)).join(' ')}   top-1 agree shipped / ours`);
  for (const r of rows) {
    const cells = r.ours.map((o) => `${o.db.toFixed(2)} ${o.db >= r.twin ? '≥' : '<'} (${(o.ms / 1000).toFixed(1)} s)`.padStart(16)).join(' ');
    console.log(`${r.name.padEnd(9)} ${r.twin.toFixed(2).padStart(12)}   ${cells}   ${r.agreeTwin} / ${r.ours.map((o) => o.agree).join(', ')}`);
  }
  console.log(`\nonnxruntime-node on the --onnx-qdq export vs our int8 interpreter: elements within ±1 LSB (target ≥ 99 % end to end) and equal`);
  console.log(`${'model'.padEnd(9)} ${`end to end, ${N_ORT} inputs`.padEnd(38)} ${`per layer, ${N_ORT_LAYERS} inputs`.padEnd(46)} plain QDQ (--qdq-rounding plain), end to end`);
  const pct = (a, b) => `${((100 * a) / b).toFixed(2)} %`;
  for (const r of ortRows) {
    const e2e = `${r.e2eWithin}/${r.e2eTotal} (${pct(r.e2eWithin, r.e2eTotal)}), equal ${r.e2eExact}`;
    const layers = `${r.within}/${r.total}, equal ${r.exact} (${pct(r.exact, r.total)})`;
    const plain = `${r.plainWithin}/${r.e2eTotal} (${pct(r.plainWithin, r.e2eTotal)}), equal ${r.plainExact}`;
    console.log(`${r.name.padEnd(9)} ${e2e.padEnd(38)} ${layers.padEnd(46)} ${plain}`);
  }
  console.log("(the export spells out TFLite's rounding; plain QDQ rounds once as onnxruntime's integer kernels do, and its differences compound: `npm run bench -- qdq-agreement --plain` classifies them)");
  const vww = readModelFile(path.join(MODELS, 'vww_mobilenet_float.tflite'));
  if (haveFm) {
    const tIn = { scale: [1 / 255], zeroPoint: [-128] };
    const calib = imageSamples(train.slice(0, 100), vww.tensors[vww.inputs[0]].shape, tIn).map((x) => [x]);
    const t0 = Date.now();
    const r = quantizeModel(vww, calib, { io: 'int8' });
    writeTflite(pruneTensors(r.int8Graph));
    console.log(`\nVWW quantize (${DEFAULT_CALIBRATION_METHOD}, 100 samples, passes + calibration + int8 graph + TFLite bytes): ${((Date.now() - t0) / 1000).toFixed(1)} s (target < 20 s)`);
  }
}

/** The demo model: float and int8 (reference interpreter) top-1 accuracy on the whole test set. */
function fashionMnistAccuracy() {
  if (!fs.existsSync(FMNIST_MODEL)) return console.log(`\nFashion-MNIST: ${FMNIST_MODEL} not found (examples/fashion-mnist not trained yet), skipped`);
  const g = readModelFile(FMNIST_MODEL);
  const train = fashionMnist('train').slice(0, N_CALIB);
  const test = fashionMnist('test');
  const labels = idxLabels(path.join(FMNIST, 't10k-labels-idx1-ubyte.gz'));
  const r = quantizeModel(g, train.map((im) => [fmInput(im)]), { io: 'int8' });
  const int8 = readTflite(writeTflite(pruneTensors(r.int8Graph)));
  const inQ = int8.tensors[int8.inputs[0]].quant;
  const fRun = new Interpreter(g);
  const iRun = new Interpreter(int8);
  let fOk = 0;
  let iOk = 0;
  test.forEach((im, k) => {
    const x = fmInput(im);
    if (argmax(Array.from(new Float32Array(fRun.run([new Uint8Array(x.buffer)]).outputs[0].buffer))) === labels[k]) fOk++;
    if (argmax(Array.from(new Int8Array(iRun.run([new Uint8Array(quantizeInput(x, inQ).buffer)]).outputs[0].buffer))) === labels[k]) iOk++;
  });
  const pct = (n) => ((100 * n) / test.length).toFixed(2);
  console.log(`\nFashion-MNIST demo model, ${test.length} test images: float ${pct(fOk)} % (target ≥ 90), int8 ${pct(iOk)} % (${DEFAULT_CALIBRATION_METHOD}, ${N_CALIB} training images; target within 0.5 points: ${Math.abs(fOk - iOk) * 100 / test.length <= 0.5 ? 'ok' : 'MISS'})`);
}

main().then(() => fs.existsSync(FMNIST) && fashionMnistAccuracy()).catch((e) => {
  console.error(e);
  process.exit(1);
});
