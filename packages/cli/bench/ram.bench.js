#!/usr/bin/env node
'use strict';
/*
 * `npm run bench -- ram [model ...] [--board NAME]`: the RAM each MLPerf Tiny model's firmware uses as it runs
 * (issue 24), on a virtual board (default qemu-m4): the arena, the static data (.data + .bss besides the arena, from
 * the ELF), the stack's high-water mark the board measured (its startup code paints the stack; the board application
 * reports the deepest word written after the inference) and their total, beside the stack reserved and the model's
 * input bytes (which the board application no longer copies: it receives them straight into the arena's input
 * tensor). One inference on the gold input, its output compared with TFLite Micro's byte for byte.
 *
 * Method: @tinyforge/cli's runOnBoard with the application image loaded directly (the same image and flash as when
 * flashed over the bootloader, started through QEMU's reset stub).
 */
const fs = require('fs');
const path = require('path');
const { runOnBoard } = require('@tinyforge/cli');
const { loadTarget } = require('@tinyforge/boards');
const { tensorBytes } = require('@tinyforge/ir');
const { readTflite } = require('@tinyforge/model-format');

const SHARED = path.resolve(__dirname, '../../../../shared');
const MODELS = { kws: 'kws_dscnn_int8', vww: 'vww_mobilenet_int8', ic: 'ic_resnet8_int8', ad: 'ad_autoencoder_int8', sww: 'sww_int8' };

const cell = (v, n) => String(v).padStart(n);

async function main() {
  if (!fs.existsSync(path.join(SHARED, 'models'))) {
    console.log(`ram bench skipped: ${SHARED}/models not found`);
    return;
  }
  let boardName = 'qemu-m4';
  const names = [];
  for (const args = process.argv.slice(2); args.length > 0; ) {
    const a = args.shift();
    if (a === '--board') boardName = args.shift();
    else if (MODELS[a] !== undefined) names.push(a);
    else throw new Error(`unknown argument '${a}' (models: ${Object.keys(MODELS).join(', ')}; --board NAME)`);
  }
  const board = loadTarget(boardName);
  if (names.length === 0) names.push(...Object.keys(MODELS));
  console.log(`RAM in use on ${board.name} (bytes): arena + static (.data + .bss besides the arena) + stack high-water (measured on the board) = total`);
  const header = ['model', 'arena', 'static', 'stack hw', 'total', 'stack rsvd', 'ELF RAM', 'input', 'output'];
  const widths = [6, 8, 8, 9, 8, 11, 9, 7, 14];
  console.log(`  ${header.map((h, i) => (i === 0 ? h.padEnd(widths[i]) : cell(h, widths[i]))).join(' ')}`);
  for (const name of names) {
    const file = MODELS[name];
    const modelPath = path.join(SHARED, 'models', `${file}.tflite`);
    const graph = readTflite(fs.readFileSync(modelPath), { file: `${file}.tflite` });
    const inputBytes = graph.inputs.reduce((s, t) => s + tensorBytes(graph.tensors[t]), 0);
    const input = fs.readFileSync(path.join(SHARED, 'gold', file, 'input_0.bin'));
    const gold = fs.readFileSync(path.join(SHARED, 'gold', file, 'output_0.bin'));
    const r = await runOnBoard({ model: modelPath, board, inputs: [new Uint8Array(input)], load: 'direct' });
    const m = r.ramInUse;
    if (m === undefined) throw new Error(`${name}: the board reported no stack high-water mark`);
    const same = Buffer.from(r.outputs[0]).equals(gold);
    const row = [name, m.arenaBytes, m.staticBytes, m.stackHighWaterBytes, m.totalBytes, m.stackBytes, r.size.ram.used, inputBytes, same ? 'equals gold' : 'DIFFERS'];
    console.log(`  ${row.map((v, i) => (i === 0 ? String(v).padEnd(widths[i]) : cell(v, widths[i]))).join(' ')}`);
  }
  console.log('  (ELF RAM counts the whole stack reserved; "input" is the copy the board application no longer keeps)');
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
