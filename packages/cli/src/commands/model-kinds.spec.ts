/**
 * What `quantize` and `convert` do with the kinds of model a user brings: a hybrid TFLite (int8 weights, float
 * activations: kws_dscnn_float) is quantized fully; an int8 one is refused saying it is already quantized; an int8
 * TFLite converts to ONNX in the QDQ form, which onnxruntime runs to our int8 results.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { elementCount, SeededRandom } from '@tinyforge/ir';
import { Interpreter } from '@tinyforge/interpreter';
import { readModelFile } from '@tinyforge/model-format';
import { cliCapture } from '../test-support/cli-capture';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runOrtJobs } = require('../../../../tools/testing/ort-runner') as {
  runOrtJobs: (jobs: { model: Uint8Array; feeds: { dtype: string; dims: number[]; data: Int8Array }[] }[]) => ({ data: Int8Array }[] | Error)[];
};

const MODELS = path.resolve(__dirname, '../../../../../shared/models');
const have = fs.existsSync(MODELS);
if (!have) console.warn(`cli model-kinds tests skipped: ${MODELS} is absent`);
const d = have ? describe : describe.skip;

const cli = cliCapture;

d('models of every kind', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-kinds-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('quantize: the hybrid kws_dscnn_float is dequantized, then quantized fully, and the user is told', async () => {
    const out = path.join(dir, 'kws_from_hybrid.tflite');
    const r = await cli('quantize', path.join(MODELS, 'kws_dscnn_float.tflite'), '--calib', 'random', '--samples', '4', '-o', out, '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out).report;
    expect(report.warnings[0]).toMatch(/^hybrid model \(int8 weights, float activations\): \d+ int8 weight tensors dequantized to float32, then the model quantized like a float one/);
    // Against the dequantized float model, on the same (random) samples.
    expect(Number(report.outputSqnrDb)).toBeGreaterThan(20);
    const g = readModelFile(out);
    expect(g.tensors[g.inputs[0]].dtype).toBe('int8');
    expect(g.nodes.filter((n) => n.op !== 'Quantize' && n.op !== 'Dequantize').every((n) => g.tensors[n.outputs[0]].dtype === 'int8')).toBe(true);
  }, 120_000);

  it('quantize: an int8 model is refused in one short line that says it is already quantized', async () => {
    const r = await cli('quantize', path.join(MODELS, 'kws_dscnn_int8.tflite'), '--calib', 'random', '-o', path.join(dir, 'x.tflite'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error\[QUANT_NOT_FLOAT\]: the model is already quantized \(its input 'input_1' is int8\): it needs no quantization/);
    expect(r.err.trim().length).toBeLessThan(200);
    expect(fs.existsSync(path.join(dir, 'x.tflite'))).toBe(false);
  });

  it('convert: int8 TFLite → ONNX in the QDQ form, which onnxruntime runs to our int8 outputs', async () => {
    const model = path.join(MODELS, 'kws_dscnn_int8.tflite');
    const onnxFile = path.join(dir, 'kws.onnx');
    const r = await cli('convert', model, onnxFile);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/wrote .*kws\.onnx \(onnx, \d+ operators, the int8 model in QDQ form with TFLite's rounding spelled out\)/);
    const g = readModelFile(model);
    const input = g.tensors[g.inputs[0]];
    const rng = new SeededRandom(20);
    const inputs = Array.from({ length: 4 }, () => Int8Array.from({ length: elementCount(input.shape) }, () => rng.int(-128, 127)));
    // [1, 49, 10, 1] NHWC is [1, 1, 49, 10] NCHW with the same bytes (one channel).
    const dims = [input.shape[0], input.shape[3], input.shape[1], input.shape[2]];
    const results = runOrtJobs(inputs.map((x) => ({ model: new Uint8Array(fs.readFileSync(onnxFile)), feeds: [{ dtype: 'int8', dims, data: x }] })));
    const ours = new Interpreter(g);
    let differing = 0;
    let worst = 0;
    inputs.forEach((x, k) => {
      const got = results[k];
      if (got instanceof Error) throw got;
      const want = new Int8Array(ours.run([new Uint8Array(x.buffer)]).outputs[0].slice().buffer);
      want.forEach((v, i) => {
        const diff = Math.abs(v - got[0].data[i]);
        if (diff !== 0) differing++;
        worst = Math.max(worst, diff);
      });
    });
    // Every layer exact; the final softmax within one (to-qdq.ts: ONNX runtimes compute softmax in float).
    expect(worst).toBeLessThanOrEqual(1);
    console.log(`convert kws int8 → ONNX QDQ: ${differing} of ${4 * 12} output values differ from ours by 1 (softmax), none by more`);
  }, 120_000);
});
