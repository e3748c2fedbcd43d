#!/usr/bin/env node
// Check a float Fashion-MNIST ONNX model three ways on the test set: our reader + reference interpreter, and
// onnxruntime-node on the same file. Prints accuracies, prediction agreement and the largest probability difference.
// Usage: node examples/fashion-mnist/dist/verify-main.js [--model FILE] [--limit N] [--json]
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { Interpreter } from '@tinyforge/interpreter';
import { bytesOf } from '@tinyforge/ir';
import { readOnnx } from '@tinyforge/model-format';
import * as ort from 'onnxruntime-node';
import { imageAsFloat, IMAGE_PIXELS, loadFashionMnist } from './dataset';
import { summarizeGraph } from './model-summary';
import { argmax } from './training/network';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string', default: path.resolve(__dirname, '..', 'fashion_mnist_cnn.onnx') },
      limit: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const bytes = new Uint8Array(fs.readFileSync(values.model));
  const graph = readOnnx(bytes, { file: values.model });
  const test = loadFashionMnist('test', { limit: values.limit === undefined ? undefined : Number(values.limit) });
  const interpreter = new Interpreter(graph);
  const session = await ort.InferenceSession.create(bytes);
  const inputName = session.inputNames[0];
  const image = new Float32Array(IMAGE_PIXELS);
  let interpreterCorrect = 0;
  let ortCorrect = 0;
  let agree = 0;
  let maxProbabilityDiff = 0;
  const started = Date.now();
  for (let i = 0; i < test.count; i++) {
    imageAsFloat(test, i, image);
    const ours = new Float32Array(interpreter.run([bytesOf(image)]).outputs[0].slice().buffer);
    // One channel: the NHWC image and the NCHW tensor onnxruntime expects are the same bytes.
    const result = await session.run({ [inputName]: new ort.Tensor('float32', image.slice(), [1, 1, 28, 28]) });
    const theirs = result[session.outputNames[0]].data as Float32Array;
    const a = argmax(ours);
    const b = argmax(theirs);
    if (a === test.labels[i]) interpreterCorrect++;
    if (b === test.labels[i]) ortCorrect++;
    if (a === b) agree++;
    for (let c = 0; c < ours.length; c++) maxProbabilityDiff = Math.max(maxProbabilityDiff, Math.abs(ours[c] - theirs[c]));
  }
  const report = {
    model: values.model,
    images: test.count,
    interpreterAccuracy: interpreterCorrect / test.count,
    onnxruntimeAccuracy: ortCorrect / test.count,
    predictionsAgreeing: agree,
    maxProbabilityDiff,
    seconds: (Date.now() - started) / 1000,
    ...summarizeGraph(graph),
  };
  if (values.json) console.log(JSON.stringify(report, null, 2));
  else {
    console.log(`${report.images} test images: interpreter ${(100 * report.interpreterAccuracy).toFixed(2)} %, onnxruntime ${(100 * report.onnxruntimeAccuracy).toFixed(2)} %`);
    console.log(`predictions agreeing: ${agree}/${test.count}; largest probability difference ${maxProbabilityDiff.toExponential(2)}`);
    console.log(`${report.macs} MACs, ${report.params} parameters; ${report.seconds.toFixed(1)} s`);
  }
  if (agree !== test.count) process.exitCode = 1;
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
  process.exitCode = 1;
});
