/**
 * TFLite Micro's MNIST LSTM example (../shared/tflm: trained_lstm.tflite float, trained_lstm_int8.tflite int8 with
 * an int16 cell state) on the reference interpreter, the host engine and qemu-m4: mnist_lstm_samples/sampleN.png
 * is predicted as N for N = 0..9 on every engine. The state is reset before each image, as TFLite Micro's
 * evaluation does: the graphs' state is made per-run, so one firmware runs all ten images in one boot. The int8
 * model's outputs are byte-identical across engines; the float model's predictions agree (its exp/tanh come from
 * each platform's libm) and its outputs stay within 1e-5; int8 vs float within 1e-2 after dequantization.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Graph } from '@tinyforge/ir';
import { readTflite } from '@tinyforge/model-format';
import { decodePng } from '@tinyforge/quantizer/testing';
import { hasArmToolchain, hasQemu } from '@tinyforge/boards/testing';
import { argmax, runBoardEngine, runHostEngine, runReference, withPerRunState } from './engines';

const TFLM = path.resolve(__dirname, '../../../../../shared/tflm');
const haveShared = fs.existsSync(path.join(TFLM, 'trained_lstm.tflite'));
const haveBoard = hasArmToolchain() && hasQemu() && fs.existsSync('/usr/bin/socat');
if (!haveShared) console.warn(`trained_lstm acceptance skipped: ${TFLM} not found`);
else if (!haveBoard) console.warn('trained_lstm acceptance on qemu-m4 skipped: needs arm-none-eabi-gcc, qemu-system-arm and socat');
const d = haveShared ? describe : describe.skip;
jest.setTimeout(600_000);

const model = (name: string): Graph => withPerRunState(readTflite(new Uint8Array(fs.readFileSync(path.join(TFLM, name))), { file: name }));
const DIGITS = Array.from({ length: 10 }, (_, n) => n);

function sample(n: number): Float32Array {
  const image = decodePng(new Uint8Array(fs.readFileSync(path.join(TFLM, 'mnist_lstm_samples', `sample${n}.png`))));
  return Float32Array.from(image.pixels, (p) => p / 255);
}

d('trained_lstm and trained_lstm_int8 on ref, host and qemu-m4', () => {
  const float = haveShared ? model('trained_lstm.tflite') : undefined;
  const int8 = haveShared ? model('trained_lstm_int8.tflite') : undefined;
  const images = haveShared ? DIGITS.map(sample) : [];
  const floatInputs = images.map((x) => new Uint8Array(x.buffer.slice(0)));
  const int8Inputs = images.map((x) => {
    const q = int8!.tensors[int8!.inputs[0]].quant!;
    return new Uint8Array(Int8Array.from(x, (v) => Math.max(-128, Math.min(127, Math.round(v / q.scale[0]) + q.zeroPoint[0]))).buffer);
  });
  const results: Record<string, { float: Float32Array[]; int8: Int8Array[] }> = {};
  const engines = ['ref', 'host', ...(haveBoard ? ['qemu-m4'] : [])];

  beforeAll(async () => {
    const asFloat = (o: Uint8Array[]): Float32Array[] => o.map((b) => new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)));
    const asInt8 = (o: Uint8Array[]): Int8Array[] => o.map((b) => new Int8Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)));
    results.ref = { float: asFloat(runReference(float!, floatInputs)), int8: asInt8(runReference(int8!, int8Inputs)) };
    results.host = { float: asFloat(runHostEngine(float!, floatInputs)), int8: asInt8(runHostEngine(int8!, int8Inputs)) };
    if (haveBoard) {
      const [f, q] = [await runBoardEngine(float!, 'qemu-m4', floatInputs), await runBoardEngine(int8!, 'qemu-m4', int8Inputs)];
      results['qemu-m4'] = { float: asFloat(f.outputs), int8: asInt8(q.outputs) };
      console.log(`trained_lstm on qemu-m4: ${f.instructions[0]} instructions per image (float), ${q.instructions[0]} (int8)`);
    }
  });

  test.each(engines)('%s: sampleN.png is predicted as N by both models', (engine) => {
    const r = results[engine];
    expect(DIGITS.map((n) => argmax(r.float[n]))).toEqual(DIGITS);
    expect(DIGITS.map((n) => argmax(r.int8[n]))).toEqual(DIGITS);
  });

  test.each(engines.slice(1))('%s: int8 outputs byte-identical to ref, float outputs within 1e-5', (engine) => {
    expect(results[engine].int8.map((o) => Array.from(o))).toEqual(results.ref.int8.map((o) => Array.from(o)));
    const worst = Math.max(...results[engine].float.flatMap((o, n) => Array.from(o, (v, i) => Math.abs(v - results.ref.float[n][i]))));
    const identical = results[engine].float.filter((o, n) => Buffer.from(o.buffer).equals(Buffer.from(results.ref.float[n].buffer))).length;
    console.log(`trained_lstm float on ${engine}: ${identical}/10 outputs byte-identical to ref, largest difference ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(1e-5);
  });

  test.each(engines)('%s: int8 vs float within 1e-2 after dequantization', (engine) => {
    const q = int8!.tensors[int8!.outputs[0]].quant!;
    const r = results[engine];
    const worst = Math.max(...DIGITS.flatMap((n) => Array.from(r.int8[n], (v, i) => Math.abs(q.scale[0] * (v - q.zeroPoint[0]) - r.float[n][i]))));
    expect(worst).toBeLessThan(1e-2);
  });
});
