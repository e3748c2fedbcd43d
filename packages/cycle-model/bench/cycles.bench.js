#!/usr/bin/env node
'use strict';
/*
 * `npm run bench -- cycles [model ...] [--board qemu-m4] [--no-overhead]`: issue 25's cycle target. Builds the
 * generated MLPerf Tiny models (kws, vww, ic, ad) as profiled firmware for the virtual board, runs one inference
 * under QEMU with its execution log (-d in_asm,exec,nochain), and prints per model the executed instructions, the
 * estimated cycles of the board's core (@tinyforge/cycle-model), the stall share and the ratio against ST's best
 * published MLPerf Tiny v1.x closed-division latency on the NUCLEO-L4R5ZI (Cortex-M4 at 120 MHz); ad also against
 * Plumerai's. A model that misses gets its per-layer table (instructions vs stall cycles by cause). The output is
 * checked against TFLite Micro's gold output byte for byte, and the tracing overhead against an untraced run.
 *
 * Firmware: @tinyforge/cli's buildModelFirmware (the same build `tinyforge run --profile` makes), application image.
 * The run (the CLI's runTracedInference, which `run --profile --estimate-cycles` uses too) feeds the input through the
 * board application's framed console protocol on QEMU's stdio and stops QEMU at the result frame.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const { buildModelFirmware, runTracedInference } = require('@tinyforge/cli');
const { loadTarget } = require('@tinyforge/boards');
const { readModelFile } = require('@tinyforge/model-format');
const { formatTable, printable } = require('@tinyforge/common');
const { estimateCycles, stallShare, timingModelFor, STALL_CAUSES } = require('../dist');

const SHARED = path.resolve(__dirname, '../../../../shared');
const ST_MHZ = 120;
/** Best published closed-division latencies on NUCLEO-L4R5ZI (ms), as cycles at 120 MHz. */
const MODELS = {
  kws: { file: 'kws_dscnn_int8', references: [{ who: 'ST', ms: 43.2 }] },
  vww: { file: 'vww_mobilenet_int8', references: [{ who: 'ST', ms: 88.9 }] },
  ic: { file: 'ic_resnet8_int8', references: [{ who: 'ST', ms: 165.1 }] },
  ad: { file: 'ad_autoencoder_int8', references: [{ who: 'ST', ms: 5.25 }, { who: 'Plumerai', ms: 4.05 }] },
};

const M = (n) => `${(n / 1e6).toFixed(3)} M`;
const pct = (x) => `${(100 * x).toFixed(1)} %`;

function layerTable(estimate, layers) {
  const rows = estimate.layers.map((l, k) => {
    const meta = layers[k] ?? { name: '?', op: '?' };
    const stalls = l.cycles - l.instructions;
    return [
      String(k), printable(meta.op, 16), printable(meta.name, 32), String(l.instructions), String(Math.round(l.cycles)), String(Math.round(stalls)), pct(stallShare(l)),
      ...STALL_CAUSES.map((c) => String(Math.round(l.stalls[c]))),
    ];
  });
  const columns = [['#', 'right'], ['op', 'left'], ['layer', 'left'], ['instructions', 'right'], ['cycles', 'right'], ['stalls', 'right'], ['stall share', 'right'], ...STALL_CAUSES.map((c) => [c, 'right'])];
  return formatTable(columns.map(([header, align]) => ({ header, align })), rows);
}

async function benchModel(name, board, model, measureOverhead) {
  const m = MODELS[name];
  if (m === undefined) throw new Error(`unknown model '${name}' (have ${Object.keys(MODELS).join(', ')})`);
  const modelPath = path.join(SHARED, 'models', `${m.file}.tflite`);
  const input = fs.readFileSync(path.join(SHARED, 'gold', m.file, 'input_0.bin'));
  const gold = fs.readFileSync(path.join(SHARED, 'gold', m.file, 'output_0.bin'));
  const graph = readModelFile(modelPath);
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), `tfg-cycles-${name}-`));
  try {
    let t = Date.now();
    const fw = buildModelFirmware(graph, board, { outDir: workDir, profile: true, image: 'application', modelBytes: fs.readFileSync(modelPath) });
    const buildMs = Date.now() - t;
    const elf = fw.firmware.elf;
    const traced = await runTracedInference(board, elf, input, gold.length);
    const plain = measureOverhead ? await runTracedInference(board, elf, input, gold.length, { trace: false, perLayer: false }) : undefined;
    const p = traced.run.profile;
    t = Date.now();
    const estimate = estimateCycles(p, model);
    const estimateMs = Date.now() - t;
    const inf = estimate.inference;
    const bitExact = Buffer.from(traced.output).equals(gold) && traced.status === 0;
    console.log(`${name} (${m.file}) on ${board.name}: ${p.layerCount} layers, build ${(buildMs / 1000).toFixed(1)} s`);
    console.log(`  inference: ${M(inf.instructions)} instructions, estimated ${M(inf.cycles)} ${model.core} cycles, stall share ${pct(stallShare(inf))} (${STALL_CAUSES.filter((c) => inf.stalls[c] !== 0).map((c) => `${c} ${M(inf.stalls[c])}`).join(', ')})`);
    const ratios = m.references.map((r) => {
      const refCycles = r.ms * 1e-3 * ST_MHZ * 1e6;
      const ratio = inf.cycles / refCycles;
      console.log(`  vs ${r.who} ${r.ms} ms = ${M(refCycles)} cycles at ${ST_MHZ} MHz: ratio ${ratio.toFixed(3)} (${ratio < 1 ? 'below: met' : 'NOT met'}); estimated ${(inf.cycles / (ST_MHZ * 1e3)).toFixed(2)} ms at ${ST_MHZ} MHz`);
      return { who: r.who, ratio };
    });
    console.log(`  between layers (hooks, glue): ${M(estimate.betweenLayers.instructions)} instructions; output ${bitExact ? 'bit-exact with TFLM gold' : 'DIFFERS from gold'}`);
    const unclassified = Object.entries(estimate.unclassified);
    if (unclassified.length > 0) console.log(`  unclassified mnemonics (1 cycle each): ${unclassified.map(([k, v]) => `${k} ×${v}`).join(', ')}`);
    const traceMs = traced.run.milliseconds;
    console.log(`  trace: ${p.executions} block executions (${p.stopped} taken back, ${p.ioRewinds} I/O rewinds), ${(traced.run.logBytes / 1e6).toFixed(1)} MB log, ${p.blocks.length} distinct blocks; QEMU traced ${(traceMs / 1000).toFixed(2)} s${plain ? ` vs untraced ${(plain.run.milliseconds / 1000).toFixed(2)} s (overhead ×${(traceMs / plain.run.milliseconds).toFixed(1)})` : ''}; estimate ${estimateMs} ms`);
    if (ratios.some((r) => r.ratio >= 1)) console.log(layerTable(estimate, fw.layers));
    console.log('');
    return { name, inf, ratios, bitExact };
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

async function main() {
  if (!fs.existsSync(path.join(SHARED, 'models'))) {
    console.log(`cycles bench skipped: ${SHARED}/models not found`);
    return;
  }
  const args = process.argv.slice(2);
  const boardAt = args.indexOf('--board');
  const board = loadTarget(boardAt >= 0 ? args[boardAt + 1] : 'qemu-m4');
  const model = timingModelFor(board.core);
  if (board.qemu === undefined || model === undefined) throw new Error(`${board.name}: needs a virtual board with a timing model (cortex-m4, cortex-m7)`);
  const wanted = args.filter((a, i) => !a.startsWith('-') && (boardAt < 0 || i !== boardAt + 1));
  const names = wanted.length > 0 ? wanted : Object.keys(MODELS);
  console.log(`estimated ${model.core} cycles of the generated models on ${board.name} (QEMU execution log × TRM timings; zero-wait-state memory); the published figures are Cortex-M4 ones (NUCLEO-L4R5ZI)\n`);
  const summary = [];
  for (const name of names) summary.push(await benchModel(name, board, model, !args.includes('--no-overhead')));
  console.log('summary (target: estimated cycles below the published figure, ratio < 1)');
  const columns = ['model', 'instructions', 'est. cycles', 'stall share', 'ratio vs ST', 'ratio vs Plumerai', 'output'];
  console.log(formatTable(
    columns.map((header, i) => ({ header, align: i === 0 || i === 6 ? 'left' : 'right' })),
    summary.map((s) => [
      s.name, M(s.inf.instructions), M(s.inf.cycles), pct(stallShare(s.inf)),
      ...['ST', 'Plumerai'].map((w) => {
        const r = s.ratios.find((x) => x.who === w);
        return r === undefined ? '-' : `${r.ratio.toFixed(3)} ${r.ratio < 1 ? 'met' : 'NOT met'}`;
      }),
      s.bitExact ? 'bit-exact' : 'MISMATCH',
    ]),
  ));
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
