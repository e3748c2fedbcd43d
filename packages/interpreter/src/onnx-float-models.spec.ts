import * as fs from 'fs';
import * as path from 'path';
import { readTflite, writeOnnx } from '@tinyforge/model-format';
import { Interpreter } from './interpreter';
import { describeWithShared, GOLD_DIR, MODELS_DIR } from './test-support/shared';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runOrt } = require('../../../tools/testing/ort-runner') as {
  runOrt: (jobs: { model: Uint8Array; feeds: Record<string, { dims: number[]; data: Float32Array }> }[]) => ({ data: Float32Array }[] | Error)[];
};

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { nchwFeed, errorAndRange } = require('../../../tools/testing/float-compare') as {
  nchwFeed: (shape: number[], nhwc: Float32Array) => { dims: number[]; data: Float32Array };
  errorAndRange: (got: ArrayLike<number>, want: Float32Array) => { worst: number; range: number };
};

const MODELS = ['ad_autoencoder_float', 'ic_resnet8_float', 'vww_mobilenet_float', 'ic_resnet_large_float'];

const floats = (bytes: Uint8Array): Float32Array => new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));

/**
 * The interpreter's float path against onnxruntime-node on the float MLPerf models exported to ONNX by our writer:
 * max |interpreter − onnxruntime| ≤ 1e-4 × (max − min) of onnxruntime's output, on every gold input.
 */
describeWithShared()('float interpreter vs onnxruntime on the float models exported to ONNX', () => {
  it.each(MODELS)('%s', (m) => {
    const graph = readTflite(fs.readFileSync(path.join(MODELS_DIR, `${m}.tflite`)), { file: `${m}.tflite` });
    const model = writeOnnx(graph);
    const input = graph.tensors[graph.inputs[0]];
    const interpreter = new Interpreter(graph);
    const inputs = fs.readdirSync(path.join(GOLD_DIR, m)).filter((f) => /^input_\d+\.bin$/.test(f)).sort();
    expect(inputs.length).toBeGreaterThan(0);
    const raw = inputs.map((f) => new Uint8Array(fs.readFileSync(path.join(GOLD_DIR, m, f))));
    const jobs = raw.map((bytes) => ({ model, feeds: { [input.name]: nchwFeed(input.shape, floats(bytes)) } }));
    runOrt(jobs).forEach((result, k) => {
      if (result instanceof Error) throw result;
      const { worst, range } = errorAndRange(floats(interpreter.run([raw[k]]).outputs[0]), result[0].data);
      console.log(`${m} ${inputs[k]}: max |interpreter − onnxruntime| ${worst.toExponential(2)}, output range ${range.toExponential(2)}`);
      expect(worst).toBeLessThanOrEqual(1e-4 * range);
    });
  }, 120000);
});
