/**
 * Issue 26's pipeline: TFLite Micro's audio front end and micro_speech_quantized as ONE program (ir composePipeline:
 * the preprocessor, a FeatureWindow keeping the 49x40 spectrogram as persistent state, the classifier), fed one
 * 30 ms frame per invoke.
 * - Bit-exact with the two-program chain (the preprocessor over 49 frames, the spectrogram through the classifier,
 *   as audio-frontend.spec.ts runs it): after yes_1000ms frame by frame, the pipeline's scores equal the chain's byte
 *   for byte on ref, host and qemu-m4.
 * - A stride: with the classifier every 7th frame, the scores of the classified frames equal stride 1's and the
 *   frames in between return the latest ones (ref and host, one generated program).
 * - The CLI: `tinyforge run micro_speech.json --input CLIP.wav` on ref, host and qemu-m4: yes → yes, no → no,
 *   noise and silence → neither; typed errors for audio the pipeline does not take.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseWavPcm16 } from '@tinyforge/common';
import { composePipeline, Graph } from '@tinyforge/ir';
import { readTflite } from '@tinyforge/model-format';
import { hasArmToolchain, hasQemu } from '@tinyforge/boards/testing';
import { readPipelineFile } from '../pipeline/stream-pipeline';
import { runFrames, StreamEngine } from '../commands/run-stream';
import { cliCapture } from '../test-support/cli-capture';
import { runBoardEngine, runHostEngine, runReference } from './engines';

const TFLM = path.resolve(__dirname, '../../../../../shared/tflm');
const WAV = path.join(TFLM, 'micro_speech_wav');
const haveShared = fs.existsSync(path.join(TFLM, 'audio_preprocessor_int8.tflite')) && fs.existsSync(path.join(WAV, 'yes_1000ms.wav'));
const haveBoard = hasArmToolchain() && hasQemu() && fs.existsSync('/usr/bin/socat');
if (!haveShared) console.warn(`audio pipeline acceptance skipped: ${TFLM} has no audio_preprocessor_int8.tflite or micro_speech_wav`);
else if (!haveBoard) console.warn('audio pipeline acceptance on qemu-m4 skipped: needs arm-none-eabi-gcc, qemu-system-arm and socat');
const d = haveShared ? describe : describe.skip;
jest.setTimeout(1_800_000);

const FRAME = 480;
const HOP = 320;
const FRAMES = 49;
const model = (name: string): Graph => readTflite(new Uint8Array(fs.readFileSync(path.join(TFLM, name))), { file: name });
const clipFrames = (clip: string): Uint8Array[] => {
  const file = path.join(WAV, `${clip}.wav`);
  const s = parseWavPcm16(new Uint8Array(fs.readFileSync(file)), file).samples;
  return Array.from({ length: FRAMES }, (_, f) => new Uint8Array(s.slice(f * HOP, f * HOP + FRAME).buffer));
};
const concat = (parts: Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => Array.from(p)));

type Engine = 'ref' | 'host' | 'qemu-m4';
const ENGINES: Engine[] = haveBoard ? ['ref', 'host', 'qemu-m4'] : ['ref', 'host'];
const streamEngine = (e: Engine): StreamEngine => (e === 'qemu-m4' ? { kind: 'board', board: 'qemu-m4', load: 'direct' } : { kind: e });

/** The two-program chain on one engine: the preprocessor over the frames (state carrying over), then the classifier. */
async function chain(engine: Engine, front: Graph, classifier: Graph, frames: Uint8Array[]): Promise<Uint8Array> {
  if (engine === 'ref') return runReference(classifier, [concat(runReference(front, frames))])[0];
  if (engine === 'host') return runHostEngine(classifier, [concat(runHostEngine(front, frames))])[0];
  const spectrogram = concat((await runBoardEngine(front, engine, frames)).outputs);
  return (await runBoardEngine(classifier, engine, [spectrogram])).outputs[0];
}

function pipelineFile(dir: string, stride: number): string {
  const file = path.join(dir, `micro_speech_stride${stride}.json`);
  const spec = {
    frontEnd: path.join(TFLM, 'audio_preprocessor_int8.tflite'),
    classifier: path.join(TFLM, 'micro_speech_quantized.tflite'),
    sampleRate: 16000,
    hopSamples: HOP,
    stride,
    labels: ['silence', 'unknown', 'yes', 'no'],
    keywords: ['yes', 'no'],
  };
  fs.writeFileSync(file, JSON.stringify(spec, null, 2));
  return file;
}

/** A 16-bit PCM .wav of `samples` zeros (a RIFF header with the given rate and channels). */
function wavBytes(rate: number, channels: number, samples: number): Uint8Array {
  const data = samples * channels * 2;
  const b = Buffer.alloc(44 + data);
  b.write('RIFF', 0);
  b.writeUInt32LE(36 + data, 4);
  b.write('WAVEfmt ', 8);
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(channels, 22);
  b.writeUInt32LE(rate, 24);
  b.writeUInt32LE(rate * channels * 2, 28);
  b.writeUInt16LE(channels * 2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36);
  b.writeUInt32LE(data, 40);
  return new Uint8Array(b);
}

d('the audio front end and micro_speech as one program', () => {
  const front = model('audio_preprocessor_int8.tflite');
  const classifier = model('micro_speech_quantized.tflite');
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-audio-pipeline-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('one graph: the window as persistent state of 49x40, both models\' layers', () => {
    const graph = composePipeline(front, classifier);
    const window = graph.tensors.filter((t) => t.state === 'persistent' && t.name === 'feature_window/rows');
    expect(window.map((t) => [t.shape, t.dtype])).toEqual([[[49, 40], 'int8']]);
    expect(graph.nodes.length).toBe(front.nodes.length + 2 + classifier.nodes.length);
    expect(graph.tensors[graph.inputs[0]].shape).toEqual(front.tensors[front.inputs[0]].shape);
  });

  test('yes_1000ms frame by frame: the pipeline\'s scores equal the two-program chain\'s, byte for byte, on every engine', async () => {
    const frames = clipFrames('yes_1000ms');
    const graph = composePipeline(front, classifier);
    for (const engine of ENGINES) {
      const expected = await chain(engine, front, classifier, frames);
      const run = await runFrames(graph, frames, streamEngine(engine));
      const got = run.outputs[FRAMES - 1];
      expect({ engine, scores: Array.from(new Int8Array(got.buffer, got.byteOffset, got.byteLength)) }).toEqual({ engine, scores: Array.from(new Int8Array(expected.buffer, expected.byteOffset, expected.byteLength)) });
      expect(Array.from(new Int8Array(got.buffer, got.byteOffset, got.byteLength)).indexOf(Math.max(...new Int8Array(got.buffer, got.byteOffset, got.byteLength)))).toBe(2); // 'yes'
      if (run.invokeCounts !== undefined) console.log(`pipeline on ${engine}: ${Math.round(run.invokeCounts.reduce((s, v) => s + v, 0) / run.invokeCounts.length)} instructions per frame (front end + window + classifier, mean of ${FRAMES})`);
    }
  });

  test('stride 7: classified frames equal stride 1, the frames between keep the latest scores (ref and generated C)', async () => {
    const frames = clipFrames('no_1000ms');
    const every = await runFrames(composePipeline(front, classifier), frames, { kind: 'ref' });
    const strided = composePipeline(front, classifier, { stride: 7 });
    const expected = frames.map((_, f) => (f < 6 ? new Uint8Array(4) : every.outputs[f - ((f + 1) % 7)]));
    for (const engine of ['ref', 'host'] as const) {
      const run = await runFrames(strided, frames, { kind: engine });
      expect({ engine, outputs: run.outputs.map((o) => Array.from(o)) }).toEqual({ engine, outputs: expected.map((o) => Array.from(o)) });
    }
  });

  test.each(ENGINES)('tinyforge run micro_speech.json --input CLIP.wav on %s: yes, no, and neither for noise and silence', async (engine) => {
    const file = pipelineFile(dir, 1);
    const where = engine === 'qemu-m4' ? ['--board', 'qemu-m4', '--load', 'direct'] : ['--engine', engine];
    for (const [clip, expected] of [['yes_1000ms', 'yes'], ['no_1000ms', 'no'], ['noise_1000ms', undefined], ['silence_1000ms', undefined]] as const) {
      const r = await cliCapture('run', file, '--input', path.join(WAV, `${clip}.wav`), ...where, '--json');
      expect({ clip, code: r.code, err: r.code === 0 ? '' : r.err }).toEqual({ clip, code: 0, err: '' });
      const summary = JSON.parse(r.out) as { frames: number; keyword?: string; detections: unknown[] };
      expect({ clip, frames: summary.frames, classifications: summary.detections.length, keyword: summary.keyword }).toEqual({ clip, frames: FRAMES, classifications: FRAMES, keyword: expected });
    }
    const text = await cliCapture('run', file, '--input', path.join(WAV, 'yes_1000ms.wav'), ...where);
    expect(text.out).toMatch(/\n\s+990 ms\s+frame\s+48\s+yes\s/);
    expect(text.out).toMatch(/detected: yes\n/);
  });

  test('typed errors: another sample rate, stereo, a clip shorter than a frame, a .wav for a plain model, a bad pipeline file', async () => {
    const file = pipelineFile(dir, 1);
    const write = (name: string, bytes: Uint8Array): string => {
      fs.writeFileSync(path.join(dir, name), bytes);
      return path.join(dir, name);
    };
    const rate = await cliCapture('run', file, '--input', write('8k.wav', wavBytes(8000, 1, 8000)));
    expect([rate.code, rate.err]).toEqual([1, expect.stringMatching(/error\[PIPELINE_AUDIO\]: .*8k\.wav: 8000 Hz audio; the pipeline micro_speech_stride1\.json takes 16000 Hz/)]);
    const stereo = await cliCapture('run', file, '--input', write('stereo.wav', wavBytes(16000, 2, 16000)));
    expect([stereo.code, stereo.err]).toEqual([1, expect.stringMatching(/error\[FILE_READ\]: .*stereo\.wav is not a 16-bit PCM mono \.wav file: format 1, 2 channel\(s\), 16-bit/)]);
    const short = await cliCapture('run', file, '--input', write('short.wav', wavBytes(16000, 1, 100)));
    expect([short.code, short.err]).toEqual([1, expect.stringMatching(/error\[PIPELINE_AUDIO\]: .*short\.wav: 100 samples, fewer than one frame of 480/)]);
    const plain = await cliCapture('run', path.join(TFLM, 'micro_speech_quantized.tflite'), '--input', path.join(WAV, 'yes_30ms.wav'));
    expect([plain.code, plain.err]).toEqual([2, expect.stringMatching(/\.wav input goes to a pipeline file/)]);
    const bad = write('bad.json', new TextEncoder().encode(JSON.stringify({ frontEnd: path.join(TFLM, 'audio_preprocessor_int8.tflite'), classifier: path.join(TFLM, 'micro_speech_quantized.tflite'), sampleRate: 16000, hopSamples: 320, labels: ['yes', 'no'] })));
    const labels = await cliCapture('run', bad, '--input', path.join(WAV, 'yes_30ms.wav'));
    expect([labels.code, labels.err]).toEqual([1, expect.stringMatching(/error\[PIPELINE_FILE\]: .*bad\.json: 2 labels for the classifier's 4 scores/)]);
  });

  test('codegen FRONT_END CLASSIFIER: one module, the window in the state region, both models\' layers in the plan', async () => {
    const out = path.join(dir, 'codegen');
    const r = await cliCapture('codegen', path.join(TFLM, 'audio_preprocessor_int8.tflite'), path.join(TFLM, 'micro_speech_quantized.tflite'), '--stride', '2', '-o', out);
    expect([r.code, r.err]).toEqual([0, expect.any(String)]);
    const plan = JSON.parse(fs.readFileSync(path.join(out, 'plan.json'), 'utf8')) as { state: { name: string; size: number; kind: string }[]; order: { node: string }[] };
    expect(plan.state.filter((b) => b.name === 'feature_window/rows')).toEqual([expect.objectContaining({ size: 1960, kind: 'persistent' })]);
    const models = new Set(plan.order.map((o) => o.node.split('/')[0]));
    expect([...models].sort()).toEqual(['audio_preprocessor_int8', 'feature_window', 'micro_speech_quantized']);
    const header = fs.readFileSync(path.join(out, 'pipeline.h'), 'utf8');
    expect(header).toMatch(/#define PIPELINE_PIPELINE_STRIDE 2\n/);
    expect(header).toMatch(/#define PIPELINE_INPUT0_SIZE 960\n/);
    expect(header).toMatch(/#define PIPELINE_OUTPUT0_SIZE 4\n/);
    const source = fs.readFileSync(path.join(out, 'pipeline.c'), 'utf8');
    expect(source).toMatch(/tfg_signal_rfft/);
    expect(source).toMatch(/tfg_feature_window/);
    expect(source).toMatch(/tfg_depthwise|tfg_convolve/);
  });
});

d('tinyforge validate on .wav clips', () => {
  test('the four 1000 ms clips with their expected verdicts: all right on every engine, host and board byte-identical with ref', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-audio-validate-'));
    try {
      const clips = path.join(dir, 'clips');
      fs.mkdirSync(clips);
      for (const c of ['yes_1000ms', 'no_1000ms', 'noise_1000ms', 'silence_1000ms']) fs.symlinkSync(path.join(WAV, `${c}.wav`), path.join(clips, `${c}.wav`));
      // Sorted by name: no, noise, silence, yes.
      fs.writeFileSync(path.join(dir, 'labels.txt'), 'no\nneither\nneither\nyes\n');
      const engines = haveBoard ? ['--engine', 'ref,host,board', '--board', 'qemu-m4', '--load', 'direct'] : ['--engine', 'ref,host'];
      const r = await cliCapture('validate', pipelineFile(dir, 1), '--data', clips, '--labels', path.join(dir, 'labels.txt'), ...engines, '--json');
      expect([r.code, r.code === 0 ? '' : r.err]).toEqual([0, '']);
      const report = JSON.parse(r.out) as { accuracy: Record<string, number>; differingFromReference: Record<string, number>; clips: { verdicts: Record<string, string> }[] };
      const names = haveBoard ? ['ref', 'host', 'board'] : ['ref', 'host'];
      expect(report.accuracy).toEqual(Object.fromEntries(names.map((e) => [e, 1])));
      expect(report.differingFromReference).toEqual(Object.fromEntries(names.slice(1).map((e) => [e, 0])));
      expect(report.clips.map((c) => c.verdicts.ref)).toEqual(['no', 'neither', 'neither', 'yes']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
