import { FashionMnist, imageAsFloat, IMAGE_PIXELS } from '../dataset';
import { Adam } from './adam';
import { argmax, Network } from './network';
import { SeededRandom } from '@tinyforge/ir';
import { softmaxCrossEntropy } from './softmax-cross-entropy';

export interface TrainOptions {
  seed: number;
  epochs: number;
  batchSize: number;
  /** Peak learning rate; it follows a cosine from here down to `learningRate × finalLearningRateFraction`. */
  learningRate: number;
  finalLearningRateFraction: number;
  /** Called after every epoch (progress output). */
  onEpoch?: (log: EpochLog) => void;
}

export interface EpochLog {
  epoch: number;
  meanLoss: number;
  trainAccuracy: number;
  seconds: number;
}

export const DEFAULT_TRAIN_OPTIONS: TrainOptions = { seed: 1, epochs: 3, batchSize: 32, learningRate: 0.002, finalLearningRateFraction: 0.02 };

/**
 * Mini-batch training with Adam. Each epoch visits the samples in a seeded random order; everything that is random
 * (initial weights, order) comes from one seed, so a run is reproducible bit for bit on the same machine.
 */
export function train(network: Network, data: FashionMnist, options: TrainOptions): EpochLog[] {
  const random = new SeededRandom(options.seed);
  network.initialize(random);
  const adam = new Adam(network.params);
  const order = Int32Array.from({ length: data.count }, (_, i) => i);
  const image = new Float32Array(IMAGE_PIXELS);
  const dLogits = new Float32Array(network.outputShape.c);
  const stepsPerEpoch = Math.ceil(data.count / options.batchSize);
  const totalSteps = stepsPerEpoch * options.epochs;
  const logs: EpochLog[] = [];
  let step = 0;
  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    const started = Date.now();
    random.shuffle(order);
    let lossSum = 0;
    let correct = 0;
    for (let start = 0; start < data.count; start += options.batchSize) {
      const end = Math.min(data.count, start + options.batchSize);
      network.zeroGrads();
      for (let i = start; i < end; i++) {
        const sample = order[i];
        const label = data.labels[sample];
        const logits = network.forward(imageAsFloat(data, sample, image));
        if (argmax(logits) === label) correct++;
        lossSum += softmaxCrossEntropy(logits, label, dLogits);
        network.backward(dLogits);
      }
      adam.update(cosineLearningRate(options, step++, totalSteps), end - start);
    }
    const log = { epoch, meanLoss: lossSum / data.count, trainAccuracy: correct / data.count, seconds: (Date.now() - started) / 1000 };
    logs.push(log);
    options.onEpoch?.(log);
  }
  return logs;
}

function cosineLearningRate(options: TrainOptions, step: number, totalSteps: number): number {
  const low = options.learningRate * options.finalLearningRateFraction;
  return low + 0.5 * (options.learningRate - low) * (1 + Math.cos((Math.PI * step) / totalSteps));
}

export interface Evaluation {
  count: number;
  correct: number;
  accuracy: number;
  /** Predicted class of every sample. */
  predictions: Uint8Array;
}

/** Top-1 accuracy of the network's own forward pass. */
export function evaluateNetwork(network: Network, data: FashionMnist, limit = data.count): Evaluation {
  const count = Math.min(limit, data.count);
  const image = new Float32Array(IMAGE_PIXELS);
  const predictions = new Uint8Array(count);
  let correct = 0;
  for (let i = 0; i < count; i++) {
    predictions[i] = argmax(network.forward(imageAsFloat(data, i, image)));
    if (predictions[i] === data.labels[i]) correct++;
  }
  return { count, correct, accuracy: correct / count, predictions };
}
