import * as fs from 'fs';
import * as path from 'path';
import { readOnnx } from '@tinyforge/model-format';
import { fashionMnistAvailable } from './dataset';
import { summarizeGraph } from './model-summary';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runOutsideJest } = require('../../../tools/testing/run-outside-jest') as { runOutsideJest: <T>(module: string, name: string, args: unknown[]) => T };

const EXAMPLE_DIR = path.resolve(__dirname, '..');
const MODEL = path.join(EXAMPLE_DIR, 'fashion_mnist_cnn.onnx');
const RESULT = path.join(EXAMPLE_DIR, 'training-result.json');
/**
 * The reference interpreter takes ~10–50 ms per image here, in a Node process of its own (run-outside-jest: under
 * jest's vm context about 2.5 times as long); FASHION_MNIST_TEST_IMAGES=10000 checks the whole set.
 */
const IMAGES = Number(process.env.FASHION_MNIST_TEST_IMAGES ?? 500);

describe('the committed model file', () => {
  const bytes = new Uint8Array(fs.readFileSync(MODEL));
  const graph = readOnnx(bytes, { file: MODEL });
  const recorded = JSON.parse(fs.readFileSync(RESULT, 'utf8')) as { macs: number; params: number; bytes: number; interpreterTestAccuracy: number; testAccuracy: number };

  it('is the float CNN the README describes: 1–3 M MACs, conv, depthwise, pooling, FC, softmax', () => {
    const s = summarizeGraph(graph);
    expect(s.macs).toBe(recorded.macs);
    expect(s.macs).toBeGreaterThanOrEqual(1e6);
    expect(s.macs).toBeLessThanOrEqual(3e6);
    expect(s.params).toBe(recorded.params);
    expect(bytes.byteLength).toBe(recorded.bytes);
    for (const op of ['Conv2D', 'DepthwiseConv2D', 'MaxPool2D', 'FullyConnected', 'Softmax']) expect(s.ops[op]).toBeGreaterThan(0);
    expect(graph.tensors.every((t) => t.dtype === 'float32' || t.data !== undefined)).toBe(true);
    // The recorded accuracy was measured twice at training time: by the training code and through this file.
    expect(recorded.interpreterTestAccuracy).toBe(recorded.testAccuracy);
    expect(recorded.testAccuracy).toBeGreaterThanOrEqual(0.9);
  });

  const haveData = fashionMnistAvailable();
  if (!haveData) console.warn('Fashion-MNIST not found (install dataset-fashion-mnist or set FASHION_MNIST_DIR): accuracy check skipped');
  (haveData ? it : it.skip)(`reaches ≥ 90 % on the first ${IMAGES} test images through the reference interpreter`, () => {
    const result = runOutsideJest<{ count: number; accuracy: number }>(require.resolve('./test-support/committed-accuracy'), 'committedModelAccuracy', [IMAGES]);
    expect(result.count).toBe(Math.min(IMAGES, 10000));
    expect(result.accuracy).toBeGreaterThanOrEqual(0.9);
  }, 120_000);
});
