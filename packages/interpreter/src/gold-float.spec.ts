import * as fs from 'fs';
import * as path from 'path';
import { readTflite } from '@tinyforge/model-format';
import { Interpreter } from './interpreter';
import { splitInputs } from './io';
import { describeWithShared, GOLD_DIR, MODELS_DIR } from './test-support/shared';

const FLOAT_MODELS = ['vww_mobilenet_float', 'ic_resnet8_float', 'ic_resnet_large_float', 'ad_autoencoder_float'];

describeWithShared()('float models against TFLite Micro gold (1e-5 of the output range)', () => {
  it.each(FLOAT_MODELS)('%s', (model) => {
    const file = path.join(MODELS_DIR, `${model}.tflite`);
    const interp = new Interpreter(readTflite(new Uint8Array(fs.readFileSync(file)), { file }));
    for (let k = 0; k < 4; k++) {
      const input = new Uint8Array(fs.readFileSync(path.join(GOLD_DIR, model, `input_${k}.bin`)));
      const expected = new Float32Array(new Uint8Array(fs.readFileSync(path.join(GOLD_DIR, model, `output_${k}.bin`))).buffer);
      const actual = new Float32Array(interp.run(splitInputs(interp.graph, input)).outputs[0].slice().buffer);
      expect(actual.length).toBe(expected.length);
      let lo = Infinity;
      let hi = -Infinity;
      let worst = 0;
      for (let i = 0; i < expected.length; i++) {
        lo = Math.min(lo, expected[i]);
        hi = Math.max(hi, expected[i]);
        worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
      }
      const range = Math.max(hi - lo, 1e-12);
      if (worst > 1e-5 * range) throw new Error(`${model} output_${k}: max abs error ${worst} > 1e-5 × range ${range}`);
    }
  });

  it('runs the hybrid kws_dscnn_float (int8 weights, float activations) to a probability vector', () => {
    const file = path.join(MODELS_DIR, 'kws_dscnn_float.tflite');
    const interp = new Interpreter(readTflite(new Uint8Array(fs.readFileSync(file)), { file }));
    const input = new Uint8Array(fs.readFileSync(path.join(GOLD_DIR, 'kws_dscnn_int8', 'input_0.bin')));
    // Dequantize the int8 sibling's input (scale 0.584702909, zero point 83) as the gold float inputs are made.
    const x = new Float32Array(input.length);
    for (let i = 0; i < input.length; i++) x[i] = Math.fround(0.584702909) * (((input[i] << 24) >> 24) - 83);
    const out = new Float32Array(interp.run([new Uint8Array(x.buffer)]).outputs[0].slice().buffer);
    expect(out.length).toBe(12);
    expect(out.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(out.every((v) => v >= 0 && v <= 1)).toBe(true);
  });
});
