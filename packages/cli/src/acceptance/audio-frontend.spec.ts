/**
 * Issue 26's acceptance: TFLite Micro's audio front end (../shared/tflm/audio_preprocessor_int8.tflite, its Signal
 * library ops) on the reference interpreter, the host engine and qemu-m4.
 * - The 30 ms clips: every tensor of the preprocessor (each Signal op's output) byte-identical across engines, and
 *   the features exactly those TFLite Micro's micro_speech_test.cc expects for these clips (the interpreter spec
 *   audio-preprocessor.spec.ts holds them; here the engines must agree with the interpreter byte for byte).
 * - The 1000 ms clips: 49 frames (30 ms windows every 20 ms) through the preprocessor with its noise estimate
 *   persisting from frame to frame, the 49x40 spectrogram through micro_speech_quantized: yes → 'yes', no → 'no',
 *   noise and silence → neither (TFLite Micro's test expects 'silence'). The four clips run side by side (one build
 *   and one boot per model and engine), each copy with its own state.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseWavPcm16 } from '@tinyforge/common';
import { Graph, Node, SeededRandom, Tensor, tensorBytes } from '@tinyforge/ir';
import { readTflite } from '@tinyforge/model-format';
import { hasArmToolchain, hasQemu } from '@tinyforge/boards/testing';
import { argmax, runBoardEngine, runHostEngine, runReference, sideBySide, splitBytes, withAllOutputs } from './engines';

const TFLM = path.resolve(__dirname, '../../../../../shared/tflm');
const WAV = path.join(TFLM, 'micro_speech_wav');
const haveShared = fs.existsSync(path.join(TFLM, 'audio_preprocessor_int8.tflite')) && fs.existsSync(WAV);
const haveBoard = hasArmToolchain() && hasQemu() && fs.existsSync('/usr/bin/socat');
if (!haveShared) console.warn(`audio front end acceptance skipped: ${TFLM} has no audio_preprocessor_int8.tflite or micro_speech_wav`);
else if (!haveBoard) console.warn('audio front end acceptance on qemu-m4 skipped: needs arm-none-eabi-gcc, qemu-system-arm and socat');
const d = haveShared ? describe : describe.skip;
jest.setTimeout(900_000);

const LABELS = ['silence', 'unknown', 'yes', 'no'];
const FRAME = 480;
const STRIDE = 320;
const FRAMES = 49;
const CLIPS: [string, string][] = [
  ['yes_1000ms', 'yes'],
  ['no_1000ms', 'no'],
  ['noise_1000ms', 'silence'],
  ['silence_1000ms', 'silence'],
];

const model = (name: string): Graph => readTflite(new Uint8Array(fs.readFileSync(path.join(TFLM, name))), { file: name });
const samples = (clip: string): Int16Array => {
  const file = path.join(WAV, `${clip}.wav`);
  return parseWavPcm16(new Uint8Array(fs.readFileSync(file)), file).samples;
};
const frameBytes = (s: Int16Array, start: number): Uint8Array => new Uint8Array(s.slice(start, start + FRAME).buffer);
const concat = (parts: Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => Array.from(p)));

type Engine = 'ref' | 'host' | 'qemu-m4';
const ENGINES: Engine[] = haveBoard ? ['ref', 'host', 'qemu-m4'] : ['ref', 'host'];

async function run(engine: Engine, graph: Graph, inputs: Uint8Array[]): Promise<{ outputs: Uint8Array[]; instructions?: number[] }> {
  if (engine === 'ref') return { outputs: runReference(graph, inputs) };
  if (engine === 'host') return { outputs: runHostEngine(graph, inputs) };
  const r = await runBoardEngine(graph, engine, inputs);
  return { outputs: r.outputs, instructions: r.instructions };
}

d('audio front end on ref, host and qemu-m4', () => {
  const preprocessor = model('audio_preprocessor_int8.tflite');

  test('30 ms clips: every tensor of the preprocessor byte-identical on every engine', async () => {
    const clips = ['yes_30ms', 'no_30ms'];
    const graph = sideBySide('preprocessor_30ms', [withAllOutputs(preprocessor), withAllOutputs(preprocessor)], clips);
    const input = concat(clips.map((c) => frameBytes(samples(c), 0)));
    const results = new Map<Engine, Uint8Array>();
    for (const engine of ENGINES) {
      const r = await run(engine, graph, [input]);
      results.set(engine, r.outputs[0]);
      if (r.instructions !== undefined) console.log(`audio preprocessor (every tensor an output, 2 copies) on ${engine}: ${r.instructions[0]} instructions`);
    }
    const ref = splitBytes(graph, results.get('ref')!, 'outputs');
    const features = clips.map((_, k) => Array.from(new Int8Array(ref[k * preprocessor.nodes.length].buffer)));
    expect(features[0].slice(0, 4)).toEqual([124, 105, 126, 103]); // micro_speech_test.cc's YesFeatureTest starts so
    for (const engine of ENGINES.slice(1)) {
      const got = splitBytes(graph, results.get(engine)!, 'outputs');
      const differing = ref.map((bytes, k) => ({ k, same: Buffer.from(bytes).equals(Buffer.from(got[k])) })).filter((x) => !x.same);
      expect({ engine, differing: differing.map(({ k }) => `${graph.tensors[graph.outputs[k]].name} (${tensorBytes(graph.tensors[graph.outputs[k]])} bytes)`) }).toEqual({ engine, differing: [] });
    }
  });

  test('1000 ms clips: 49 frames of features with state, then the classifier: yes, no, and neither for noise and silence', async () => {
    const names = CLIPS.map(([c]) => c);
    const front = sideBySide('preprocessor_x4', CLIPS.map(() => preprocessor), names);
    const audio = names.map(samples);
    const frames = Array.from({ length: FRAMES }, (_, f) => concat(audio.map((s) => frameBytes(s, f * STRIDE))));
    const classifier = model('micro_speech_quantized.tflite');
    const back = sideBySide('classifier_x4', CLIPS.map(() => classifier), names);
    const labels = new Map<Engine, string[]>();
    const spectrograms = new Map<Engine, Uint8Array>();
    for (const engine of ENGINES) {
      const features = await run(engine, front, frames);
      if (features.instructions !== undefined) {
        const perFrame = features.instructions.reduce((s, v) => s + v, 0) / features.instructions.length / CLIPS.length;
        console.log(`audio preprocessor on ${engine}: ${Math.round(perFrame)} instructions per 30 ms frame (mean of ${FRAMES} frames × ${CLIPS.length} clips)`);
      }
      // Per clip, its 49 rows of 40 int8 features.
      const spectrogram = concat(names.map((_, k) => concat(features.outputs.map((o) => splitBytes(front, o, 'outputs')[k]))));
      spectrograms.set(engine, spectrogram);
      const scores = await run(engine, back, [spectrogram]);
      labels.set(engine, splitBytes(back, scores.outputs[0], 'outputs').map((o) => LABELS[argmax(new Int8Array(o.buffer, o.byteOffset, o.byteLength))]));
    }
    for (const engine of ENGINES) {
      expect({ engine, labels: labels.get(engine) }).toEqual({ engine, labels: CLIPS.map(([, l]) => l) });
      expect({ engine, same: Buffer.from(spectrograms.get(engine)!).equals(Buffer.from(spectrograms.get('ref')!)) }).toEqual({ engine, same: true });
    }
  });

  test('the FFT and the filter bank alone on seeded and extreme inputs (the Armv7E-M DSP path on qemu-m4): byte-identical on every engine', async () => {
    // One node of the preprocessor as a graph of its own: its activation input a graph input, its constants kept;
    // `constants` may rewrite them (the filter bank with negated weights takes the negative-weight path).
    const alone = (op: string, constants: (t: Tensor) => Tensor = (t) => t): Graph => {
      const node = preprocessor.nodes.find((n) => n.op === op)!;
      const used = [...node.inputs, ...node.outputs];
      const tensors = used.map((t) => (preprocessor.tensors[t].data !== undefined ? constants(preprocessor.tensors[t]) : preprocessor.tensors[t]));
      const at = (t: number): number => used.indexOf(t);
      return { name: op, tensors, nodes: [{ ...node, inputs: node.inputs.map(at), outputs: node.outputs.map(at) } as Node], inputs: [at(node.inputs[0])], outputs: [at(node.outputs[0])], metadata: { props: {} } };
    };
    const negated = (t: Tensor): Tensor => (t.name.endsWith('signal_filter_bank/Const') || t.name.endsWith('signal_filter_bank/Const_1') ? { ...t, data: new Uint8Array(Int16Array.from(new Int16Array(t.data!.buffer.slice(t.data!.byteOffset, t.data!.byteOffset + t.data!.byteLength)), (v) => -v - 1).buffer) } : t);
    const graph = sideBySide('fft_filter_bank', [alone('SignalRfft'), alone('SignalFilterBank'), alone('SignalFilterBank', negated)], ['rfft', 'filter_bank', 'filter_bank_negated']);
    const random = new SeededRandom(2026);
    const samples = (k: number): Int16Array => Int16Array.from({ length: FRAME }, (_, i) => (k === 0 ? -32768 : k === 1 ? (i % 2 === 0 ? 32767 : -32768) : k === 2 ? 32767 : random.int(-32768, 32767)));
    const energies = (k: number): Uint32Array => Uint32Array.from({ length: 257 }, () => (k === 0 ? 0xffffffff : random.int(0, 0xffffffff)));
    const inputs = Array.from({ length: 12 }, (_, k) => concat([new Uint8Array(samples(k).buffer), new Uint8Array(energies(k).buffer), new Uint8Array(energies(k + 20).buffer)]));
    const results = new Map<Engine, Uint8Array[]>();
    for (const engine of ENGINES) results.set(engine, (await run(engine, graph, inputs)).outputs);
    for (const engine of ENGINES.slice(1)) {
      const differing = inputs.map((_, k) => k).filter((k) => !Buffer.from(results.get(engine)![k]).equals(Buffer.from(results.get('ref')![k])));
      expect({ engine, differing }).toEqual({ engine, differing: [] });
    }
  });
});
