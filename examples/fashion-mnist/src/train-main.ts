#!/usr/bin/env node
// Train the demo CNN, write it as float ONNX, read it back and check that the reference interpreter reproduces the
// training code's test accuracy. Usage (from the repo root):
//   npx tsc -b examples/fashion-mnist && node examples/fashion-mnist/dist/train-main.js [--seed 1] [--epochs 3] ...
import { createHash } from 'crypto';
import * as path from 'path';
import { parseArgs } from 'util';
import { writeFileAtomic } from '@tinyforge/common';
import { readOnnx, writeOnnx } from '@tinyforge/model-format';
import { loadFashionMnist } from './dataset';
import { evaluateGraph } from './evaluate-model';
import { networkToGraph } from './export-graph';
import { summarizeGraph } from './model-summary';
import { FASHION_MNIST_CNN, INPUT_SHAPE, Network } from './training/network';
import { DEFAULT_TRAIN_OPTIONS, evaluateNetwork, train } from './training/trainer';

const EXAMPLE_DIR = path.resolve(__dirname, '..');

function main(): void {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string', default: String(DEFAULT_TRAIN_OPTIONS.seed) },
      epochs: { type: 'string', default: String(DEFAULT_TRAIN_OPTIONS.epochs) },
      batch: { type: 'string', default: String(DEFAULT_TRAIN_OPTIONS.batchSize) },
      lr: { type: 'string', default: String(DEFAULT_TRAIN_OPTIONS.learningRate) },
      'train-limit': { type: 'string' },
      'test-limit': { type: 'string' },
      out: { type: 'string', default: path.join(EXAMPLE_DIR, 'fashion_mnist_cnn.onnx') },
      result: { type: 'string', default: path.join(EXAMPLE_DIR, 'training-result.json') },
    },
  });
  const options = {
    ...DEFAULT_TRAIN_OPTIONS,
    seed: positiveInt(values.seed, 'seed', 0),
    epochs: positiveInt(values.epochs, 'epochs'),
    batchSize: positiveInt(values.batch, 'batch'),
    learningRate: positiveNumber(values.lr, 'lr'),
  };
  const trainSet = loadFashionMnist('train', { limit: values['train-limit'] === undefined ? undefined : positiveInt(values['train-limit'], 'train-limit') });
  const testSet = loadFashionMnist('test', { limit: values['test-limit'] === undefined ? undefined : positiveInt(values['test-limit'], 'test-limit') });
  console.log(`training on ${trainSet.count} images, testing on ${testSet.count}: ${JSON.stringify(options)}`);

  const started = Date.now();
  const cpuStarted = process.cpuUsage();
  const network = new Network(FASHION_MNIST_CNN, INPUT_SHAPE);
  const epochs = train(network, trainSet, {
    ...options,
    onEpoch: (e) => console.log(`epoch ${e.epoch}: loss ${e.meanLoss.toFixed(4)}, train accuracy ${(100 * e.trainAccuracy).toFixed(2)} %, ${e.seconds.toFixed(1)} s`),
  });
  const trainSeconds = (Date.now() - started) / 1000;
  // Wall time depends on what else the machine runs; CPU time is what the training itself costs.
  const cpu = process.cpuUsage(cpuStarted);
  const trainCpuSeconds = (cpu.user + cpu.system) / 1e6;
  const own = evaluateNetwork(network, testSet);
  console.log(`test accuracy (training code): ${(100 * own.accuracy).toFixed(2)} % (${own.correct}/${own.count})`);

  const graph = networkToGraph(network);
  const bytes = writeOnnx(graph);
  writeFileAtomic(values.out, bytes);
  const loaded = readOnnx(bytes, { file: values.out });
  const viaInterpreter = evaluateGraph(loaded, testSet);
  const disagreements = own.predictions.reduce((n, p, i) => n + (p !== viaInterpreter.predictions[i] ? 1 : 0), 0);
  console.log(`test accuracy (ONNX read back, reference interpreter): ${(100 * viaInterpreter.accuracy).toFixed(2)} %, ${disagreements} predictions differ`);

  const result = {
    model: path.relative(EXAMPLE_DIR, values.out),
    sha256: createHash('sha256').update(bytes).digest('hex'),
    bytes: bytes.byteLength,
    options,
    trainImages: trainSet.count,
    testImages: testSet.count,
    epochs,
    trainSeconds,
    trainCpuSeconds,
    testAccuracy: own.accuracy,
    interpreterTestAccuracy: viaInterpreter.accuracy,
    predictionDisagreements: disagreements,
    ...summarizeGraph(loaded),
    node: process.version,
  };
  writeFileAtomic(values.result, JSON.stringify(result, null, 2) + '\n');
  console.log(`wrote ${values.out} (${bytes.byteLength} bytes, ${result.macs} MACs, ${result.params} params) and ${values.result}`);
  if (disagreements !== 0 || own.correct !== viaInterpreter.correct) process.exitCode = 1;
}

function positiveNumber(text: string, name: string): number {
  const x = Number(text);
  if (!Number.isFinite(x) || x <= 0) throw new RangeError(`--${name} must be a positive number, got '${text}'`);
  return x;
}

function positiveInt(text: string, name: string, min = 1): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min) throw new RangeError(`--${name} must be an integer ≥ ${min}, got '${text}'`);
  return n;
}

try {
  main();
} catch (e) {
  console.error(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
  process.exitCode = 1;
}
