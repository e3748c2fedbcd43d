import * as fs from 'fs';
import * as path from 'path';
import { readTflite, writeOnnx } from '@tinyforge/model-format';
import { Interpreter } from './interpreter';
import { describeWithShared, GOLD_DIR, MODELS_DIR } from './test-support/shared';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runOrt } = require('../../../tools/testing/ort-runner') as {
  runOrt: (jobs: { model: Uint8Array; feeds: Record<string, { dims: number[]; data: Float32Array }> }[]) => ({ data: Float32Array }[] | Error)[];
};

const MODELS = ['ad_autoencoder_float', 'ic_resnet8_float', 'vww_mobilenet_float', 'ic_resnet_large_float'];

const floats = (bytes: Uint8Array): Float32Array => new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));

/** NHWC → NCHW (our ONNX writer emits the standard NCHW model, as PyTorch would). */
function toNchw(x: Float32Array, [n, h, w, c]: number[]): Float32Array {
  const out = new Float32Array(x.length);
  for (let b = 0; b < n; b++)
    for (let y = 0; y < h; y++)
      for (let xx = 0; xx < w; xx++)
        for (let k = 0; k < c; k++) out[((b * c + k) * h + y) * w + xx] = x[((b * h + y) * w + xx) * c + k];
  return out;
}

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
    const jobs = raw.map((bytes) => {
      const nhwc = floats(bytes);
      const four = input.shape.length === 4;
      return {
        model,
        feeds: { [input.name]: { dims: four ? [input.shape[0], input.shape[3], input.shape[1], input.shape[2]] : input.shape, data: four ? toNchw(nhwc, input.shape) : nhwc } },
      };
    });
    runOrt(jobs).forEach((result, k) => {
      if (result instanceof Error) throw result;
      const want = result[0].data;
      const got = floats(interpreter.run([raw[k]]).outputs[0]);
      expect(got.length).toBe(want.length);
      let lo = Infinity;
      let hi = -Infinity;
      let worst = 0;
      want.forEach((v, i) => {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
        worst = Math.max(worst, Math.abs(got[i] - v));
      });
      console.log(`${m} ${inputs[k]}: max |interpreter − onnxruntime| ${worst.toExponential(2)}, output range ${(hi - lo).toExponential(2)}`);
      expect(worst).toBeLessThanOrEqual(1e-4 * (hi - lo));
    });
  }, 120000);
});
