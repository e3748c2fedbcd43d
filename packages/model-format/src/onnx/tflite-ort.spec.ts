import * as fs from 'fs';
import * as path from 'path';
import { readTflite } from '../tflite';
import { validateGraph } from '@tinyforge/ir';
import { readOnnx, writeOnnx } from '.';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runOrt } = require('../../../../tools/testing/ort-runner') as {
  runOrt: (jobs: { model: Uint8Array; feeds: Record<string, { dims: number[]; data: Float32Array }> }[]) => ({ dims: number[]; data: Float32Array }[] | Error)[];
};

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { nchwFeed, errorAndRange } = require('../../../../tools/testing/float-compare') as {
  nchwFeed: (shape: number[], nhwc: Float32Array) => { dims: number[]; data: Float32Array };
  errorAndRange: (got: ArrayLike<number>, want: Float32Array) => { worst: number; range: number };
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
      const jobs = VECTORS.map((k) => ({ model, feeds: { [input.name]: nchwFeed(input.shape, floats(path.join(SHARED, 'gold', m, `input_${k}.bin`))) } }));
      results.set(m, runOrt(jobs));
    }
  }, 120_000);

  it.each(MODELS)('%s matches the TFLite Micro gold outputs', (m) => {
    results.get(m)!.forEach((outputs, k) => {
      if (outputs instanceof Error) throw outputs;
      const { worst, range } = errorAndRange(outputs[0].data, floats(path.join(SHARED, 'gold', m, `output_${k}.bin`)));
      console.log(`${m} vector ${k}: max |error| ${worst.toExponential(2)}, output range ${range.toExponential(2)}`);
      expect(worst).toBeLessThanOrEqual(1e-4 * range);
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
