#!/usr/bin/env node
'use strict';
/*
 * `npm run bench -- generated [model ...] [--board qemu-m4]`: issue 4's metric — whole inference of the GENERATED
 * model (codegen-c output + kernels, built as board firmware) on the virtual Cortex-M4, against the CMSIS-NN
 * anchors and the 0.8× target, with the per-layer profile and the instructions/MAC of convolutions with ≥ 16
 * input channels.
 *
 * Method: @tinyforge/cli's runOnBoard with the profiler hooks on, loading the ELF directly where it fits the boot
 * region (else flashed over the emulated UART through the AN3155 bootloader, ~40 s for vww). The board runs QEMU with -icount, so counts are instructions and identical run to run. The
 * whole-inference figure is the board's invoke count (it includes the profiler hooks' own cost, a few hundred
 * instructions per layer); the per-layer figures are the profile's. The output is compared with TFLite Micro's
 * gold output_0.bin byte for byte. `npm run bench -- kernels` is the same models as chained kernel calls.
 */
const fs = require('fs');
const path = require('path');
const { runOnBoard } = require('@tinyforge/cli');
const { readTflite } = require('@tinyforge/model-format');
const { loadTarget } = require('@tinyforge/boards');

const SHARED = path.resolve(__dirname, '../../../../shared');
const MODELS = {
  kws: { file: 'kws_dscnn_int8', cmsisNn: 7.70e6 },
  vww: { file: 'vww_mobilenet_int8', cmsisNn: 24.1e6 },
  ic: { file: 'ic_resnet8_int8', cmsisNn: 29.9e6 },
  ad: { file: 'ad_autoencoder_int8', cmsisNn: 0.58e6 },
};
const TARGET_RATIO = 0.8;

const M = (n) => `${(n / 1e6).toFixed(2)} M`;
const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);

/** Layer index → input channels of Conv2D layers (the issue's ≥ 16 input channel class). */
function convInputChannels(graph) {
  const channels = new Map();
  graph.nodes.forEach((node, i) => {
    if (node.op === 'Conv2D') channels.set(i, graph.tensors[node.inputs[0]].shape[3]);
  });
  return channels;
}

/**
 * Direct ELF load when the firmware fits the virtual board's boot region (64 KiB on the mps2 boards) as the board
 * would run it (with packed convolution filters where it has any), else the normal path: boot the AN3155
 * bootloader and flash over the emulated UART (slower, same program and counts).
 */
async function runGenerated(modelPath, board, input) {
  const options = { model: modelPath, board, inputs: [new Uint8Array(input)], profile: true };
  try {
    const direct = await runOnBoard({ ...options, load: 'direct' });
    // A direct build that fit only with the int8 filters is not the firmware the board runs when flashed.
    if (!direct.packedFiltersDropped) return direct;
  } catch (e) {
    if (!/overflowed by/.test(String(e && e.message))) throw e;
  }
  return runOnBoard({ ...options, load: 'serial' });
}

async function benchModel(name, board) {
  const m = MODELS[name];
  if (m === undefined) throw new Error(`unknown model '${name}' (have ${Object.keys(MODELS).join(', ')})`);
  const modelPath = path.join(SHARED, 'models', `${m.file}.tflite`);
  const graph = readTflite(fs.readFileSync(modelPath), { file: `${m.file}.tflite` });
  const input = fs.readFileSync(path.join(SHARED, 'gold', m.file, 'input_0.bin'));
  const gold = fs.readFileSync(path.join(SHARED, 'gold', m.file, 'output_0.bin'));
  const r = await runGenerated(modelPath, board, input);
  const total = r.invokeCounts[0];
  const bitExact = Buffer.from(r.outputs[0]).equals(gold);
  const inCh = convInputChannels(graph);
  console.log(`${name} (${m.file}) on ${r.board}, unit: ${r.unit}`);
  console.log(`  ${pad('#', 3)} ${pad('op', 16)} ${pad('layer', 40)} ${lpad('MACs', 9)} ${lpad('instr', 10)} ${lpad('instr/MAC', 9)}`);
  let convInstr = 0;
  let convMacs = 0;
  for (const l of r.profile.report.layers) {
    const count = l.counts.median;
    const macs = l.macs ?? 0;
    if ((inCh.get(l.index) ?? 0) >= 16) {
      convInstr += count;
      convMacs += macs;
    }
    const perMac = macs > 0 ? (count / macs).toFixed(2) : '';
    console.log(`  ${pad(l.index, 3)} ${pad(l.op, 16)} ${pad(l.name.slice(0, 40), 40)} ${lpad(macs, 9)} ${lpad(Math.round(count), 10)} ${lpad(perMac, 9)}`);
  }
  const ratio = total / m.cmsisNn;
  const convPerMac = convMacs > 0 ? convInstr / convMacs : undefined;
  console.log(`  whole inference ${M(total)} instructions = ${ratio.toFixed(3)}× CMSIS-NN ${M(m.cmsisNn)} (target ≤ ${TARGET_RATIO}: ${ratio <= TARGET_RATIO ? 'met' : 'NOT met'}); convs ≥16 in-ch ${convPerMac === undefined ? '-' : convPerMac.toFixed(2)}/MAC (target ≤ 1.0); output ${bitExact ? 'bit-exact with TFLM gold' : 'DIFFERS from gold'}\n`);
  return { name, total, ratio, convPerMac, bitExact };
}

async function main() {
  if (!fs.existsSync(path.join(SHARED, 'models'))) {
    console.log(`generated bench skipped: ${SHARED}/models not found`);
    return;
  }
  const args = process.argv.slice(2);
  const boardAt = args.indexOf('--board');
  const board = loadTarget(boardAt >= 0 ? args[boardAt + 1] : 'qemu-m4');
  const wanted = args.filter((a, i) => !a.startsWith('-') && (boardAt < 0 || i !== boardAt + 1));
  const names = wanted.length > 0 ? wanted : Object.keys(MODELS);
  console.log(`generated model on ${board.name} (QEMU -icount: instructions); anchors are TFLM + CMSIS-NN on Cortex-M4\n`);
  const summary = [];
  for (const name of names) summary.push(await benchModel(name, board));
  console.log('summary');
  for (const s of summary) {
    console.log(`  ${pad(s.name, 4)} ${lpad(M(s.total), 9)} = ${s.ratio.toFixed(3)}× CMSIS-NN (target ≤ ${TARGET_RATIO}: ${s.ratio <= TARGET_RATIO ? 'met' : 'NOT met'})  convs≥16ch ${s.convPerMac === undefined ? '-' : s.convPerMac.toFixed(2)}/MAC  ${s.bitExact ? 'bit-exact' : 'MISMATCH'}`);
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
