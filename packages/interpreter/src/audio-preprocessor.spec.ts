import * as fs from 'fs';
import * as path from 'path';
import { parseWavPcm16 } from '@tinyforge/common';
import { readTflite } from '@tinyforge/model-format';
import { Interpreter } from './interpreter';
import { SHARED_DIR } from './test-support/shared';

/**
 * TFLite Micro's micro_speech front end (audio_preprocessor_int8.tflite: its Signal library ops) and the whole chain
 * on the reference interpreter. The expected features of the 30 ms clips are TFLite Micro's own: its
 * micro_speech_test.cc (NoFeatureTest, YesFeatureTest) requires exactly these 40 values from the same clips on every
 * non-Xtensa build. The 1000 ms clips go through the preprocessor frame by frame (30 ms windows every 20 ms, 49 of
 * them, its noise estimate carried from frame to frame as in TFLite Micro's GenerateFeatures) and the classifier
 * must pick the labels that test expects ('silence' for noise; the "neither yes nor no").
 */
const TFLM = path.join(SHARED_DIR, 'tflm');
const WAV = path.join(TFLM, 'micro_speech_wav');
const d = fs.existsSync(path.join(TFLM, 'audio_preprocessor_int8.tflite')) && fs.existsSync(WAV) ? describe : describe.skip;
if (d === describe.skip) console.warn(`audio preprocessor spec skipped: ${TFLM} has no audio_preprocessor_int8.tflite or micro_speech_wav`);

const EXPECTED_30MS: Record<string, number[]> = {
  yes_30ms: [124, 105, 126, 103, 125, 101, 123, 100, 116, 98, 115, 97, 113, 90, 91, 82, 104, 96, 117, 97, 121, 103, 126, 101, 125, 104, 126, 104, 125, 101, 116, 90, 81, 74, 80, 71, 83, 76, 82, 71],
  no_30ms: [126, 103, 124, 102, 124, 102, 123, 100, 118, 97, 118, 100, 118, 98, 121, 100, 121, 98, 117, 91, 96, 74, 54, 87, 100, 87, 109, 92, 91, 80, 64, 55, 83, 74, 74, 78, 114, 95, 101, 81],
};
const LABELS = ['silence', 'unknown', 'yes', 'no'];
const FRAME = 480;
const STRIDE = 320;
const FRAMES = 49;
const readWavSamples = (file: string): Int16Array => parseWavPcm16(new Uint8Array(fs.readFileSync(file)), file).samples;

d('audio_preprocessor_int8 + micro_speech_quantized on the reference interpreter', () => {
  const model = (name: string) => readTflite(new Uint8Array(fs.readFileSync(path.join(TFLM, name))), { file: name });
  const preprocessor = model('audio_preprocessor_int8.tflite');
  const features = (it: Interpreter, samples: Int16Array): Int8Array => {
    const out = it.run([new Uint8Array(samples.buffer, samples.byteOffset, FRAME * 2)]).outputs[0];
    return new Int8Array(out.buffer, out.byteOffset, out.byteLength);
  };

  it('reads the Signal ops into the IR: uint32/uint64 tensors, the spectral subtraction split with its noise estimate as persistent state', () => {
    const ops = preprocessor.nodes.map((n) => n.op);
    expect(ops.filter((op) => op.startsWith('Signal'))).toEqual([
      'SignalWindow',
      'SignalFftScaleBits',
      'SignalFftAutoScale',
      'SignalRfft',
      'SignalEnergy',
      'SignalFilterBank',
      'SignalFilterBankSquareRoot',
      'SignalNoiseEstimate',
      'SignalSpectralSubtraction',
      'SignalPcan',
      'SignalFilterBankLog',
    ]);
    const state = preprocessor.tensors.filter((t) => t.state !== undefined);
    expect(state).toEqual([expect.objectContaining({ dtype: 'uint32', shape: [40], state: 'persistent' })]);
    expect(preprocessor.tensors.find((t) => t.name === 'signal_filter_bank')?.dtype).toBe('uint64');
  });

  it.each(Object.keys(EXPECTED_30MS))("%s: the 40 int8 features TFLite Micro's micro_speech_test expects, bit for bit", (clip) => {
    const it = new Interpreter(preprocessor);
    expect(Array.from(features(it, readWavSamples(path.join(WAV, `${clip}.wav`))))).toEqual(EXPECTED_30MS[clip]);
  });

  it.each([
    ['yes_1000ms', 'yes'],
    ['no_1000ms', 'no'],
    ['noise_1000ms', 'silence'],
    ['silence_1000ms', 'silence'],
  ])('%s → %s through 49 frames of features and the classifier', (clip, label) => {
    const samples = readWavSamples(path.join(WAV, `${clip}.wav`));
    const front = new Interpreter(preprocessor);
    const spectrogram = new Int8Array(FRAMES * 40);
    for (let f = 0; f < FRAMES; f++) spectrogram.set(features(front, samples.subarray(f * STRIDE, f * STRIDE + FRAME)), f * 40);
    const classifier = new Interpreter(model('micro_speech_quantized.tflite'));
    const scores = Array.from(new Int8Array(classifier.run([new Uint8Array(spectrogram.buffer)]).outputs[0]));
    expect(LABELS[scores.indexOf(Math.max(...scores))]).toBe(label);
  });
});
