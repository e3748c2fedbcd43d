import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Graph } from '@tinyforge/ir';
import { readModelFile } from '@tinyforge/model-format';
import { encodeNpy } from '@tinyforge/quantizer/testing';
import { hasArmToolchain, hasQemu } from '@tinyforge/boards/testing';
import { cli, cliRun, describeWith, Engines, float32, int8, SHARED } from '../test-support/acceptance';
import { runBoardEngine } from './engines';

/**
 * Acceptance of issue 18 on TensorFlow Lite Micro's example models (../shared/tflm, SOURCES.md states what TFLite
 * Micro's own tests expect): every expectation holds on `tinyforge run --engine ref`, `--engine host` and `--board
 * qemu-m4` (the pipeline of `run --board`, one firmware and one boot per model for all its inputs), and the three
 * give the same bytes. The board part is skipped with a message where arm-none-eabi-gcc, QEMU or socat is missing.
 */
const TFLM = path.join(SHARED, 'tflm');
const model = (f: string): string => path.join(TFLM, f);

const haveBoard = hasArmToolchain() && hasQemu() && fs.existsSync('/usr/bin/socat');
if (!haveBoard) console.warn('TFLite Micro examples on qemu-m4 skipped: needs arm-none-eabi-gcc, qemu-system-arm and socat');

/** The inputs on qemu-m4 in one boot: each output must be the bytes the other engines gave. */
async function onBoard(graph: Graph, inputs: Uint8Array[], expected: Uint8Array[], what: string): Promise<void> {
  if (!haveBoard) return;
  const r = await runBoardEngine(graph, 'qemu-m4', inputs);
  console.log(`${what} on qemu-m4: ${inputs.length} inputs, ${r.outputs.filter((o, k) => Buffer.from(o).equals(Buffer.from(expected[k]))).length} byte-identical with ref and host; ${r.instructions[0]} instructions per inference`);
  expect(r.outputs.map((o) => Buffer.from(o).toString('hex'))).toEqual(expected.map((o) => Buffer.from(o).toString('hex')));
}

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

describeWith(TFLM, 'TFLite Micro example model acceptance')('TFLite Micro example models on --engine ref, --engine host and --board qemu-m4', () => {
  let work: string;
  beforeAll(() => (work = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyforge-tflm-'))));
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('hello_world int8: inputs −96, −63, −34, 0 give sin(x) within 0.05, the same bytes on the three engines', async () => {
    const file = model('hello_world_int8.tflite');
    const g = readModelFile(file);
    const engines = new Engines(g);
    try {
      const cases: [number, number][] = [[-96, 0.77], [-63, 1.57], [-34, 2.3], [0, 3.14]];
      const inputs = cases.map(([v]) => new Uint8Array(Int8Array.of(v).buffer));
      const outputs: Uint8Array[] = [];
      for (const [k, [, x]] of cases.entries()) {
        const ref = await bothEngines(file, engines, inputs[k], k === 0, work);
        expect(Math.abs(real(g, int8(ref)[0]) - Math.sin(x))).toBeLessThanOrEqual(0.05);
        outputs.push(ref);
      }
      await onBoard(g, inputs, outputs, 'hello_world int8');
    } finally {
      engines.dispose();
    }
  }, 600_000);

  it('hello_world float: x = 0, 1, 3, 5 give sin(x) within 0.05; after our quantize too, the same bytes on the three engines', async () => {
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
      const outputs: Uint8Array[] = [];
      for (const x of xs) {
        const ref = await bothEngines(quantized, engines, quantizedInput(g, x), x === 0, work);
        expect(Math.abs(real(g, int8(ref)[0]) - Math.sin(x))).toBeLessThanOrEqual(0.05);
        outputs.push(ref);
      }
      await onBoard(g, xs.map((x) => quantizedInput(g, x)), outputs, 'hello_world float after our quantize');
    } finally {
      engines.dispose();
    }
  }, 600_000);

  it("micro_speech: the 'yes' features score yes highest, the 'no' features no; the same bytes on the three engines", async () => {
    const file = model('micro_speech_quantized.tflite');
    const engines = new Engines(readModelFile(file));
    try {
      const labels = ['silence', 'unknown', 'yes', 'no'];
      const inputs: Uint8Array[] = [];
      const outputs: Uint8Array[] = [];
      for (const word of ['yes', 'no']) {
        const features = new Uint8Array(fs.readFileSync(model(`micro_speech_${word}_features.bin`)));
        expect(features.length).toBe(1960);
        const ref = await bothEngines(file, engines, features, word === 'yes', work);
        const scores = Array.from(int8(ref));
        expect(labels[scores.indexOf(Math.max(...scores))]).toBe(word);
        expect(scores.filter((s) => s === Math.max(...scores))).toHaveLength(1);
        inputs.push(features);
        outputs.push(ref);
      }
      await onBoard(engines.graph, inputs, outputs, 'micro_speech');
    } finally {
      engines.dispose();
    }
  }, 600_000);

  it('person_detect (1-D biases with quantized_dimension 3): person > no_person on the person image, the reverse on the other', async () => {
    const file = model('person_detect.tflite');
    const engines = new Engines(readModelFile(file));
    try {
      const inputs: Uint8Array[] = [];
      const outputs: Uint8Array[] = [];
      for (const [image, person] of [['person_input.bin', true], ['no_person_input.bin', false]] as const) {
        const input = new Uint8Array(fs.readFileSync(model(image)));
        expect(input.length).toBe(96 * 96);
        const ref = await bothEngines(file, engines, input, person, work);
        const [noPerson, yes] = Array.from(int8(ref));
        if (person) expect(yes).toBeGreaterThan(noPerson);
        else expect(noPerson).toBeGreaterThan(yes);
        inputs.push(input);
        outputs.push(ref);
      }
      await onBoard(engines.graph, inputs, outputs, 'person_detect');
    } finally {
      engines.dispose();
    }
  }, 600_000);
});
