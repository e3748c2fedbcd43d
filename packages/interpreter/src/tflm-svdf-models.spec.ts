import * as fs from 'fs';
import * as path from 'path';
import { seededUniform } from '@tinyforge/ir';
import { readTflite } from '@tinyforge/model-format';
import { Interpreter } from './interpreter';
import { SHARED_DIR } from './test-support/shared';

/**
 * TFLite Micro's keyword-spotting benchmark models (scrambled weights, no expected output): seven SVDFs with int16
 * (keyword_scrambled) or int8 (keyword_scrambled_8bit) time weights and state. The SVDF arithmetic itself is checked
 * by hand-derived cases in kernels/recurrent.spec.ts; here the whole models run, deterministically, with state that
 * persists across invocations as in TFLite Micro.
 */
const TFLM_DIR = path.join(SHARED_DIR, 'tflm');
const MODELS = ['keyword_scrambled.tflite', 'keyword_scrambled_8bit.tflite'];
const d = fs.existsSync(path.join(TFLM_DIR, MODELS[0])) ? describe : describe.skip;

/** Seeded int16 feature frames for the model's [1, 96] input. */
function frame(seed: number): Uint8Array {
  const rnd = seededUniform(seed);
  return new Uint8Array(Int16Array.from({ length: 96 }, () => Math.floor(rnd() * 65536) - 32768).buffer);
}

d.each(MODELS)('%s on the reference interpreter', (model) => {
  const graph = readTflite(new Uint8Array(fs.readFileSync(path.join(TFLM_DIR, model))), { file: model });

  it('runs a sequence of frames to an int32 [1, 2] score, identically in two fresh interpreters', () => {
    const frames = [1, 2, 3, 4, 5].map(frame);
    const a = new Interpreter(graph);
    const b = new Interpreter(graph);
    const outA = frames.map((f) => a.run([f]).outputs[0]);
    const outB = frames.map((f) => b.run([f]).outputs[0]);
    expect(graph.tensors[graph.outputs[0]]).toMatchObject({ dtype: 'int32', shape: [1, 2] });
    outA.forEach((o, i) => expect(Buffer.from(o).equals(Buffer.from(outB[i]))).toBe(true));
  });

  it('carries the SVDF state from call to call until resetState', () => {
    const stateTensors = graph.tensors.flatMap((t, i) => (t.state === 'persistent' ? [i] : []));
    expect(stateTensors).toHaveLength(7);
    const snapshot = (it: Interpreter, x: Uint8Array): Buffer => {
      const r = it.run([x], { keepIntermediates: (i) => stateTensors.includes(i) });
      return Buffer.concat(stateTensors.map((i) => Buffer.from(r.tensors!.get(i)!)));
    };
    const it = new Interpreter(graph);
    const first = snapshot(it, frame(7));
    // Each call shifts every state row by one slot and writes the new feature column: the same frame again leaves
    // a different state (the old column moved, the new one added).
    const second = snapshot(it, frame(7));
    expect(second.equals(first)).toBe(false);
    it.resetState();
    expect(snapshot(it, frame(7)).equals(first)).toBe(true);
  });
});
