// Shared by the quantizer benchmarks: Fashion-MNIST images, evaluation/calibration inputs shaped like each MLPerf
// Tiny model's int8 twin expects, NHWC ↔ NCHW, and running a QDQ export in onnxruntime-node.
'use strict';
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const { toQdqGraph } = require('@tinyforge/quantizer');
const { imageToTensor, pruneTensors } = require('@tinyforge/quantizer/testing');
const { writeOnnx } = require('@tinyforge/model-format');
const { mulberry32 } = require('@tinyforge/ir/testing');

const MODELS = path.resolve(__dirname, '../../../../shared/models');
const FMNIST = '/usr/share/datasets/fashion-mnist';
const FMNIST_MODEL = path.resolve(__dirname, '../../../examples/fashion-mnist/fashion_mnist_cnn.onnx');
/** Bench name → file stem in ../shared/models (float model and int8 twin). */
const MLPERF = [['vww', 'vww_mobilenet'], ['ic', 'ic_resnet8'], ['ic_large', 'ic_resnet_large'], ['ad', 'ad_autoencoder']];

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

const haveFashionMnist = () => fs.existsSync(path.join(FMNIST, 'train-images-idx3-ubyte.gz'));
const fashionMnist = (set) => idxImages(path.join(FMNIST, `${set === 'train' ? 'train' : 't10k'}-images-idx3-ubyte.gz`));

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

/** Fashion-MNIST images resized and channel-replicated to an image model's input, in its twin's value range. */
function imageSamples(images, shape, tq) {
  const [, h, w, c] = shape;
  const valueMax = tq.scale[0] * (127 - tq.zeroPoint[0]); // 1 for vww, 255 for ic
  const pre = { height: h, width: w, channels: c, mean: [0], std: [1 / valueMax] };
  return twinInputs(images.map((im) => imageToTensor(im, pre)), tq);
}

/** The gold-input generator (mulberry32, one draw per element) dequantized with the twin's input parameters. */
function goldSamples(count, seed0, tq, length) {
  return Array.from({ length: count }, (_, k) => {
    const r = mulberry32(seed0 + k);
    return Float32Array.from({ length }, () => tq.scale[0] * (((r() >>> 24) - 128) - tq.zeroPoint[0]));
  });
}

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

const int8View = (b) => new Int8Array(b.buffer, b.byteOffset, b.byteLength);

/** Run an int8-I/O graph's QDQ export in onnxruntime; returns int8 outputs in NHWC order. */
/** One onnxruntime session on the QDQ export of an int8 graph (`rounding`: 'tflite' or 'plain'): int8 in, int8 out. */
async function ortRunner(ort, graph, sessionOptions = {}, rounding = 'tflite') {
  const session = await ort.InferenceSession.create(writeOnnx(pruneTensors(toQdqGraph(graph, { rounding }))), sessionOptions);
  return async (inputs) => {
    const feeds = {};
    graph.inputs.forEach((t, i) => {
      const { data, dims } = nchw(int8View(inputs[i]), graph.tensors[t].shape);
      feeds[session.inputNames[i]] = new ort.Tensor('int8', data, dims);
    });
    const res = await session.run(feeds);
    return graph.outputs.map((t, i) => nhwc(Int8Array.from(res[session.outputNames[i]].data), graph.tensors[t].shape));
  };
}

async function ortRun(ort, graph, inputs, sessionOptions = {}, rounding = 'tflite') {
  return (await ortRunner(ort, graph, sessionOptions, rounding))(inputs);
}

/** Layers the QDQ export writes as DQ → op → Q: int8 inputs (no float ones), int8 output. */
function int8Layers(int8Graph) {
  return int8Graph.nodes.filter((n) => n.inputs.every((t) => t < 0 || int8Graph.tensors[t].dtype !== 'float32') && int8Graph.tensors[n.outputs[0]].dtype === 'int8');
}

module.exports = { MODELS, FMNIST, FMNIST_MODEL, MLPERF, idxLabels, idxImages, haveFashionMnist, fashionMnist, twinInputs, imageSamples, goldSamples, nchw, nhwc, int8View, ortRun, ortRunner, int8Layers };
