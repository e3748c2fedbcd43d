#!/usr/bin/env node
'use strict';
/*
 * `npm run bench -- audio [--board qemu-m4|qemu-m55]`: issue 26's figure — instructions per 30 ms audio frame on a
 * virtual board (QEMU -icount: instructions, identical run to run), the front end (TFLite Micro's
 * audio_preprocessor_int8: window, FFT, filter bank, noise reduction, PCAN, log) and the classifier
 * (micro_speech_quantized, which runs every 20 ms stride on the last 49 feature rows) separately, for every frame of
 * yes_1000ms.wav. Target: the frame fits well inside 30 ms at 80 MHz (2.4 M cycles; an instruction takes at least
 * one cycle, so instructions are a lower bound on cycles). Then the same frames through the pipeline as ONE program
 * (ir composePipeline: front end, feature window in op state, classifier on every frame): its instructions per frame
 * and whether its scores after the last frame equal the two-program chain's.
 */
const fs = require('fs');
const path = require('path');
const { runOnBoard } = require('@tinyforge/cli');
const { parseWavPcm16 } = require('@tinyforge/common');
const { readTflite } = require('@tinyforge/model-format');
const { composePipeline } = require('@tinyforge/ir');
const { loadTarget } = require('@tinyforge/boards');

const TFLM = path.resolve(__dirname, '../../../../shared/tflm');
const FRAME = 480;
const STRIDE = 320;
const FRAMES = 49;
const BUDGET = 0.03 * 80e6;

async function main() {
  const args = process.argv.slice(2);
  const board = loadTarget(args[args.indexOf('--board') + 1] && args.includes('--board') ? args[args.indexOf('--board') + 1] : 'qemu-m4');
  if (!fs.existsSync(path.join(TFLM, 'audio_preprocessor_int8.tflite'))) {
    console.log(`audio bench skipped: ${TFLM} not found`);
    return;
  }
  const read = (f) => readTflite(fs.readFileSync(path.join(TFLM, f)), { file: f });
  const wav = path.join(TFLM, 'micro_speech_wav', 'yes_1000ms.wav');
  const samples = parseWavPcm16(new Uint8Array(fs.readFileSync(wav)), wav).samples;
  const frames = Array.from({ length: FRAMES }, (_, f) => new Uint8Array(samples.slice(f * STRIDE, f * STRIDE + FRAME).buffer));
  const front = await runOnBoard({ model: read('audio_preprocessor_int8.tflite'), board, inputs: frames, inferenceTimeoutMs: 120_000 });
  const spectrogram = new Uint8Array(FRAMES * 40);
  front.outputs.forEach((o, f) => spectrogram.set(o, f * 40));
  const back = await runOnBoard({ model: read('micro_speech_quantized.tflite'), board, inputs: [spectrogram], inferenceTimeoutMs: 120_000 });
  const counts = front.invokeCounts;
  const mean = counts.reduce((s, v) => s + v, 0) / counts.length;
  const max = Math.max(...counts);
  const classifier = back.invokeCounts[0];
  const scores = Array.from(new Int8Array(back.outputs[0].buffer, back.outputs[0].byteOffset, 4));
  console.log(`audio front end + classifier on ${board.name}, yes_1000ms.wav (${FRAMES} frames of 30 ms every 20 ms)`);
  console.log(`  front end   ${Math.round(mean)} instructions per frame (max ${max}), arena ${front.arenaBytes} bytes`);
  console.log(`  classifier  ${classifier} instructions per invoke, arena ${back.arenaBytes} bytes; scores [silence, unknown, yes, no] = [${scores.join(', ')}]`);
  const frame = max + classifier;
  console.log(`  per frame   ${frame} instructions = ${((100 * frame) / BUDGET).toFixed(1)} % of 30 ms at 80 MHz (${BUDGET / 1e6} M cycles; target: well inside)`);
  const one = await runOnBoard({ model: composePipeline(read('audio_preprocessor_int8.tflite'), read('micro_speech_quantized.tflite')), board, inputs: frames, inferenceTimeoutMs: 120_000 });
  const oneMean = one.invokeCounts.reduce((s, v) => s + v, 0) / one.invokeCounts.length;
  const same = Buffer.from(one.outputs[FRAMES - 1]).equals(Buffer.from(back.outputs[0]));
  console.log(`  one program ${Math.round(oneMean)} instructions per frame (max ${Math.max(...one.invokeCounts)}; front end + window + classifier), arena ${one.arenaBytes} bytes; scores after the last frame ${same ? 'equal' : 'DIFFER from'} the two programs'`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
