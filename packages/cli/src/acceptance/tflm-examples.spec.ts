import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Graph } from '@tinyforge/ir';
import { readModelFile } from '@tinyforge/model-format';
import { encodeNpy } from '@tinyforge/quantizer/testing';
import { cli, cliRun, describeWith, Engines, float32, int8, SHARED } from '../test-support/acceptance';

/**
 * Acceptance of issue 18 on TensorFlow Lite Micro's example models (../shared/tflm, SOURCES.md states what TFLite
 * Micro's own tests expect): every expectation holds on `tinyforge run --engine ref` and `--engine host`, and the
 * two engines give the same bytes. (`--board qemu-m4` is the board part's.)
 */
const TFLM = path.join(SHARED, 'tflm');
const model = (f: string): string => path.join(TFLM, f);

/** Dequantized value of an int8 output element. */
const real = (g: Graph, v: number): number => {
  const q = g.tensors[g.outputs[0]].quant!;
  return q.scale[0] * (v - q.zeroPoint[0]);
};

/** A float x as the int8 model input wants it. */
function quantizedInput(g: Graph, x: number): Uint8Array {
  const q = g.tensors[g.inputs[0]].quant!;
  return new Uint8Array(Int8Array.of(Math.max(-128, Math.min(127, Math.round(x / q.scale[0]) + q.zeroPoint[0]))).buffer);
}

/**
 * One input on both engines: the first input of a model through `tinyforge run` itself, the others through the same
 * engines built once. Fails unless the two give the same bytes; returns them.
 */
async function bothEngines(file: string, engines: Engines, input: Uint8Array, viaCommand: boolean, work: string): Promise<Uint8Array> {
  const ref = viaCommand ? await cliRun(file, input, 'ref', work) : engines.ref(input);
  const host = viaCommand ? await cliRun(file, input, 'host', work) : engines.host(input);
  expect(host).toEqual(ref);
  return ref;
}

describeWith(TFLM, 'TFLite Micro example model acceptance')('TFLite Micro example models on --engine ref and --engine host', () => {
  let work: string;
  beforeAll(() => (work = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyforge-tflm-'))));
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('hello_world int8: inputs −96, −63, −34, 0 give sin(x) within 0.05, the same bytes on both engines', async () => {
    const file = model('hello_world_int8.tflite');
    const g = readModelFile(file);
    const engines = new Engines(g);
    try {
      const cases: [number, number][] = [[-96, 0.77], [-63, 1.57], [-34, 2.3], [0, 3.14]];
      for (const [k, [v, x]] of cases.entries()) {
        const ref = await bothEngines(file, engines, new Uint8Array(Int8Array.of(v).buffer), k === 0, work);
        expect(Math.abs(real(g, int8(ref)[0]) - Math.sin(x))).toBeLessThanOrEqual(0.05);
      }
    } finally {
      engines.dispose();
    }
  }, 120_000);

  it('hello_world float: x = 0, 1, 3, 5 give sin(x) within 0.05; after our quantize too, the same bytes on both engines', async () => {
    const file = model('hello_world_float.tflite');
    const xs = [0, 1, 3, 5];
    const floatModel = new Engines(readModelFile(file));
    for (const x of xs) expect(Math.abs(float32(floatModel.ref(new Uint8Array(Float32Array.of(x).buffer)))[0] - Math.sin(x))).toBeLessThanOrEqual(0.05);
    floatModel.dispose();
    // calibrated on the model's domain, x in [0, 2π]
    const calib = path.join(work, 'hello_x.npy');
    fs.writeFileSync(calib, encodeNpy([256, 1], Float32Array.from({ length: 256 }, (_, i) => (2 * Math.PI * i) / 255)));
    const quantized = path.join(work, 'hello_world_ours.tflite');
    const r = await cli('quantize', file, '--calib', calib, '-o', quantized, '--json');
    expect(r.code).toBe(0);
    const g = readModelFile(quantized);
    expect(g.tensors[g.inputs[0]].dtype).toBe('int8');
    const engines = new Engines(g);
    try {
      for (const x of xs) {
        const ref = await bothEngines(quantized, engines, quantizedInput(g, x), x === 0, work);
        expect(Math.abs(real(g, int8(ref)[0]) - Math.sin(x))).toBeLessThanOrEqual(0.05);
      }
    } finally {
      engines.dispose();
    }
  }, 120_000);

  it("micro_speech: the 'yes' features score yes highest, the 'no' features no; the same bytes on both engines", async () => {
    const file = model('micro_speech_quantized.tflite');
    const engines = new Engines(readModelFile(file));
    try {
      const labels = ['silence', 'unknown', 'yes', 'no'];
      for (const word of ['yes', 'no']) {
        const features = new Uint8Array(fs.readFileSync(model(`micro_speech_${word}_features.bin`)));
        expect(features.length).toBe(1960);
        const ref = await bothEngines(file, engines, features, word === 'yes', work);
        const scores = Array.from(int8(ref));
        expect(labels[scores.indexOf(Math.max(...scores))]).toBe(word);
        expect(scores.filter((s) => s === Math.max(...scores))).toHaveLength(1);
      }
    } finally {
      engines.dispose();
    }
  }, 120_000);

  it('person_detect (1-D biases with quantized_dimension 3): person > no_person on the person image, the reverse on the other', async () => {
    const file = model('person_detect.tflite');
    const engines = new Engines(readModelFile(file));
    try {
      for (const [image, person] of [['person_input.bin', true], ['no_person_input.bin', false]] as const) {
        const input = new Uint8Array(fs.readFileSync(model(image)));
        expect(input.length).toBe(96 * 96);
        const ref = await bothEngines(file, engines, input, person, work);
        const [noPerson, yes] = Array.from(int8(ref));
        if (person) expect(yes).toBeGreaterThan(noPerson);
        else expect(noPerson).toBeGreaterThan(yes);
      }
    } finally {
      engines.dispose();
    }
  }, 120_000);
});
