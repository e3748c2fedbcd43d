import * as fs from 'fs';
import * as path from 'path';
import { readTflite } from '../tflite';
import { validateGraph } from '@tinyforge/ir';
import { readOnnx, writeOnnx } from '.';
import { NHWC_TO_NCHW, transposeData } from './layout';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runOrt } = require('../../../../tools/testing/ort-runner') as {
  runOrt: (jobs: { model: Uint8Array; feeds: Record<string, { dims: number[]; data: Float32Array }> }[]) => ({ dims: number[]; data: Float32Array }[] | Error)[];
};

const SHARED = path.resolve(__dirname, '../../../../../shared');
const MODELS = ['ad_autoencoder_float', 'ic_resnet8_float', 'vww_mobilenet_float', 'ic_resnet_large_float'];
const present = fs.existsSync(path.join(SHARED, 'models')) && fs.existsSync(path.join(SHARED, 'gold'));
if (!present) console.warn(`TFLite → ONNX → onnxruntime test skipped: ${SHARED}/models or gold is absent`);
const d = present ? describe : describe.skip;

const floats = (file: string): Float32Array => {
  const b = fs.readFileSync(file);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};

/** readTflite → writeOnnx → onnxruntime on the TFLM gold vectors: max |error| ≤ 1e-4 × (max − min) of the output. */
d('TFLite float models through writeOnnx and onnxruntime', () => {
  const VECTORS = [0, 1];
  const written = new Map<string, Uint8Array>();
  const results = new Map<string, ({ dims: number[]; data: Float32Array }[] | Error)[]>();
  beforeAll(() => {
    for (const m of MODELS) {
      const graph = readTflite(fs.readFileSync(path.join(SHARED, 'models', `${m}.tflite`)), { file: `${m}.tflite` });
      const model = writeOnnx(graph);
      written.set(m, model);
      const input = graph.tensors[graph.inputs[0]];
      const jobs = VECTORS.map((k) => {
        const nhwc = floats(path.join(SHARED, 'gold', m, `input_${k}.bin`));
        const data = input.shape.length === 4 ? new Float32Array(transposeData(new Uint8Array(nhwc.buffer), input.shape, NHWC_TO_NCHW, 4).buffer) : nhwc;
        const dims = input.shape.length === 4 ? NHWC_TO_NCHW.map((p) => input.shape[p]) : input.shape;
        return { model, feeds: { [input.name]: { dims, data } } };
      });
      results.set(m, runOrt(jobs));
    }
  }, 120_000);

  it.each(MODELS)('%s matches the TFLite Micro gold outputs', (m) => {
    results.get(m)!.forEach((outputs, k) => {
      if (outputs instanceof Error) throw outputs;
      const want = floats(path.join(SHARED, 'gold', m, `output_${k}.bin`));
      const got = outputs[0].data;
      expect(got.length).toBe(want.length);
      let lo = Infinity;
      let hi = -Infinity;
      let worst = 0;
      want.forEach((v, i) => {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
        worst = Math.max(worst, Math.abs(got[i] - v));
      });
      console.log(`${m} vector ${k}: max |error| ${worst.toExponential(2)}, output range ${(hi - lo).toExponential(2)}`);
      expect(worst).toBeLessThanOrEqual(1e-4 * (hi - lo));
    });
  });

  it.each(MODELS)('%s: the written ONNX reads back and round trips to the same IR', (m) => {
    const first = readOnnx(written.get(m)!, { file: `${m}.onnx` });
    expect(validateGraph(first)).toEqual([]);
    const second = readOnnx(writeOnnx(first));
    const plain = (g: typeof first): unknown => ({ ...g, metadata: undefined, tensors: g.tensors.map((t) => ({ ...t, data: t.data && Buffer.from(t.data).toString('base64') })) });
    expect(plain(second)).toEqual(plain(first));
  });
});
