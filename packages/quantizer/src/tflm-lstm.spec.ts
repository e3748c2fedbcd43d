import * as fs from 'fs';
import * as path from 'path';
import { Graph } from '@tinyforge/ir';
import { Interpreter } from '@tinyforge/interpreter';
import { readTflite } from '@tinyforge/model-format';
import { decodePng } from './calibration/png';
import { quantizeModel } from './quantize/quantize-model';
import { int8Inputs } from './report/measure';

/**
 * TFLite Micro's MNIST LSTM example (../shared/tflm, see SOURCES.md): trained_lstm.tflite (float) and
 * trained_lstm_int8.tflite (int8, int16 cell state) on the reference interpreter. Input: a 28×28 PNG as [1, 28, 28]
 * pixels / 255 (the int8 model quantizes it with its input parameters); the LSTM's state is reset before each image,
 * as TFLite Micro's evaluation does.
 */
const TFLM_DIR = path.resolve(__dirname, '../../../../shared/tflm');
const d = fs.existsSync(path.join(TFLM_DIR, 'trained_lstm.tflite')) ? describe : describe.skip;

const model = (name: string): Graph => readTflite(new Uint8Array(fs.readFileSync(path.join(TFLM_DIR, name))), { file: name });

function mnistSample(n: number): Float32Array {
  const image = decodePng(new Uint8Array(fs.readFileSync(path.join(TFLM_DIR, 'mnist_lstm_samples', `sample${n}.png`))));
  return Float32Array.from(image.pixels, (p) => p / 255);
}

const argmax = (v: ArrayLike<number>): number => Array.from(v).reduce((best, x, i, a) => (x > a[best] ? i : best), 0);

d('trained_lstm / trained_lstm_int8 (TFLite Micro) on the reference interpreter', () => {
  const float = model('trained_lstm.tflite');
  const int8 = model('trained_lstm_int8.tflite');
  const qIn = int8.tensors[int8.inputs[0]].quant!;
  const qOut = int8.tensors[int8.outputs[0]].quant!;
  const floatRun = new Interpreter(float);
  const int8Run = new Interpreter(int8);
  const digits = Array.from({ length: 10 }, (_, n) => n);
  const results = digits.map((n) => {
    const x = mnistSample(n);
    floatRun.resetState();
    int8Run.resetState();
    const f = new Float32Array(floatRun.run([new Uint8Array(x.buffer)]).outputs[0].slice().buffer);
    const xq = Int8Array.from(x, (v) => Math.max(-128, Math.min(127, Math.round(v / qIn.scale[0]) + qIn.zeroPoint[0])));
    const q = new Int8Array(int8Run.run([new Uint8Array(xq.buffer)]).outputs[0].slice().buffer);
    return { f, dequantized: Array.from(q, (v) => qOut.scale[0] * (v - qOut.zeroPoint[0])) };
  });

  it.each(digits)('sample%i.png is predicted as its digit by both models', (n) => {
    expect(argmax(results[n].f)).toBe(n);
    expect(argmax(results[n].dequantized)).toBe(n);
  });

  it('int8 and float outputs agree within 1e-2 after dequantization', () => {
    const worst = Math.max(...results.flatMap((r) => r.dequantized.map((v, i) => Math.abs(v - r.f[i]))));
    console.log(`trained_lstm int8 vs float: largest difference ${worst.toFixed(5)} over 10 samples × 10 classes`);
    expect(worst).toBeLessThan(1e-2);
  });

  it.each(['int8', 'int16'] as const)(
    'quantizing trained_lstm.tflite ourselves (%s activations, calibrated on the 10 samples) keeps every prediction, picks the converter’s 2^-12 cell scale',
    (activations) => {
      const r = quantizeModel(float, digits.map((n) => [mnistSample(n)]), { activations });
      const lstm = r.int8Graph.nodes[0];
      expect(r.int8Graph.tensors[lstm.inputs[19]].quant!.scale).toEqual(int8.tensors[int8.nodes[0].inputs[19]].quant!.scale);
      const run = new Interpreter(r.int8Graph);
      const outQ = r.int8Graph.tensors[r.int8Graph.outputs[0]].quant!;
      let worst = 0;
      for (const n of digits) {
        run.resetState();
        const out = run.run(int8Inputs(r.int8Graph, r.floatGraph, [mnistSample(n)])).outputs[0];
        const values = activations === 'int16' ? new Int16Array(out.slice().buffer) : new Int8Array(out.slice().buffer);
        const dequantized = Array.from(values, (v) => outQ.scale[0] * (v - outQ.zeroPoint[0]));
        expect(argmax(dequantized)).toBe(n);
        worst = Math.max(worst, ...dequantized.map((v, i) => Math.abs(v - results[n].f[i])));
      }
      expect(worst).toBeLessThan(1e-2);
    },
  );
});
