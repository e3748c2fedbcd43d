#!/usr/bin/env node
'use strict';
/*
 * `npm run bench -- sequence [--board qemu-m4|qemu-m55 ...] [model ...]`: issue 19's figures — instructions per
 * inference of the LSTM, SVDF and int16 models on the virtual Cortex-M4 and M55 (QEMU -icount, so counts are
 * instructions and identical run to run), instructions per MAC by op from the per-layer profile, and each
 * model's arena against its lower bound (the most bytes live at once with every tensor separate) plus the op
 * state region, which is static and outside the arena.
 *
 * Models: TFLite Micro's trained_lstm (float) and trained_lstm_int8, keyword_scrambled (int16 SVDF state) and
 * keyword_scrambled_8bit, the seanet conv cases side by side (int16x8 convolutions), and PyTorch-style ONNX LSTM /
 * GRU classifiers quantized by tinyforge (int8 with an int16 cell, and 16x8). No targets are set by the issue; the
 * figures are for comparison across changes.
 */
const fs = require('fs');
const path = require('path');
const { runOnBoard } = require('@tinyforge/cli');
const { readTflite, readOnnx } = require('@tinyforge/model-format');
const { recurrentOnnxModel } = require('@tinyforge/model-format/testing');
const { quantizeModel } = require('@tinyforge/quantizer');
const { generateC } = require('@tinyforge/codegen-c');
const { loadTarget } = require('@tinyforge/boards');
const { SeededRandom, elementCount, tensorBytes } = require('@tinyforge/ir');

const SHARED = path.resolve(__dirname, '../../../../shared');
const TFLM = path.join(SHARED, 'tflm');
const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);

const tflm = (file) => () => readTflite(fs.readFileSync(path.join(TFLM, file)), { file });

/** The seanet conv cases as one graph (one firmware, every case side by side). */
function seanetConv() {
  const dir = path.join(TFLM, 'seanet', 'conv');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.tflite')).sort();
  const merged = { name: 'seanet_conv', tensors: [], nodes: [], inputs: [], outputs: [], metadata: { props: {} } };
  for (const f of files) {
    const g = readTflite(fs.readFileSync(path.join(dir, f)), { file: f });
    const base = merged.tensors.length;
    const at = (t) => (t < 0 ? t : t + base);
    merged.tensors.push(...g.tensors.map((t) => ({ ...t, name: `${f}/${t.name}` })));
    merged.nodes.push(...g.nodes.map((n) => ({ ...n, name: `${f}/${n.name}`, inputs: n.inputs.map(at), outputs: n.outputs.map(at) })));
    merged.inputs.push(...g.inputs.map(at));
    merged.outputs.push(...g.outputs.map(at));
  }
  return merged;
}

function onnxQuantized(cell, activations) {
  return () => {
    const g = readOnnx(recurrentOnnxModel({ cell, seed: cell === 'LSTM' ? 5 : 6, seq: 10, batch: 1, features: 6, hidden: 12, classes: 5 }));
    const r = new SeededRandom(31);
    const calib = Array.from({ length: 24 }, () => g.inputs.map((t) => Float32Array.from({ length: elementCount(g.tensors[t].shape) }, () => r.uniform(-2, 2))));
    return quantizeModel(g, calib, { activations }).int8Graph;
  };
}

const MODELS = {
  trained_lstm_int8: tflm('trained_lstm_int8.tflite'),
  trained_lstm: tflm('trained_lstm.tflite'),
  keyword_scrambled: tflm('keyword_scrambled.tflite'),
  keyword_scrambled_8bit: tflm('keyword_scrambled_8bit.tflite'),
  seanet_conv: seanetConv,
  onnx_lstm_int8: onnxQuantized('LSTM', 'int8'),
  onnx_lstm_16x8: onnxQuantized('LSTM', 'int16'),
  onnx_gru_int8: onnxQuantized('GRU', 'int8'),
};

/** A deterministic input: bytes that decode to moderate values of each input's type. */
function inputFor(graph) {
  const r = new SeededRandom(7);
  const parts = graph.inputs.map((t) => {
    const tensor = graph.tensors[t];
    const n = elementCount(tensor.shape);
    if (tensor.dtype === 'float32') return new Uint8Array(Float32Array.from({ length: n }, () => r.uniform(0, 1)).buffer);
    if (tensor.dtype === 'int16') return new Uint8Array(Int16Array.from({ length: n }, () => r.int(-3000, 3000)).buffer);
    if (tensor.dtype === 'int32') return new Uint8Array(Int32Array.from({ length: n }, () => r.int(-30000, 30000)).buffer);
    return new Uint8Array(n).map(() => r.int(0, 255));
  });
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

async function benchModel(name, graph, board) {
  const plan = generateC(graph, { prefix: 'model' }).plan;
  const r = await runOnBoard({ model: graph, board, inputs: [inputFor(graph)], profile: true, inferenceTimeoutMs: 600_000 });
  const total = r.invokeCounts[0];
  const byOp = new Map();
  for (const l of r.profile.report.layers) {
    const o = byOp.get(l.op) ?? { instr: 0, macs: 0, layers: 0 };
    o.instr += l.counts.median;
    o.macs += l.macs ?? 0;
    o.layers++;
    byOp.set(l.op, o);
  }
  const ops = [...byOp].sort((a, b) => b[1].instr - a[1].instr);
  console.log(`${name} on ${board.name}: ${(total / 1e6).toFixed(3)} M instructions per inference; arena ${plan.arenaSize} bytes (lower bound ${plan.lowerBound}, ratio ${(plan.arenaSize / Math.max(plan.lowerBound, 1)).toFixed(3)}); op state ${plan.state.size} bytes outside the arena`);
  for (const [op, o] of ops) {
    const perMac = o.macs > 0 ? (o.instr / o.macs).toFixed(2) : '-';
    console.log(`    ${pad(op, 28)} ${lpad(o.layers, 3)} layers ${lpad(Math.round(o.instr), 11)} instr ${lpad(o.macs, 10)} MACs ${lpad(perMac, 7)} instr/MAC`);
  }
  return { name, board: board.name, total, arena: plan.arenaSize, lowerBound: plan.lowerBound, state: plan.state.size };
}

async function main() {
  const args = process.argv.slice(2);
  const boards = [];
  const names = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--board') boards.push(args[++i]);
    else names.push(args[i]);
  }
  if (!fs.existsSync(TFLM)) {
    console.log(`sequence bench skipped: ${TFLM} not found`);
    return;
  }
  const chosen = names.length > 0 ? names : Object.keys(MODELS);
  const unknown = chosen.filter((n) => MODELS[n] === undefined);
  if (unknown.length > 0) throw new Error(`unknown model(s) ${unknown.join(', ')} (have ${Object.keys(MODELS).join(', ')})`);
  const targets = (boards.length > 0 ? boards : ['qemu-m4', 'qemu-m55']).map(loadTarget);
  console.log('sequence and 16-bit models on virtual boards (QEMU -icount: instructions; per-layer figures include the profiler hooks)\n');
  const summary = [];
  for (const name of chosen) {
    const graph = MODELS[name]();
    for (const board of targets) summary.push(await benchModel(name, graph, board));
    console.log('');
  }
  console.log('summary (M instructions per inference; arena / lower bound bytes; op state bytes)');
  console.log(`  ${pad('model', 24)} ${targets.map((b) => lpad(b.name, 10)).join(' ')} ${lpad('arena', 8)} ${lpad('bound', 8)} ${lpad('state', 7)}`);
  for (const name of chosen) {
    const rows = summary.filter((s) => s.name === name);
    const counts = targets.map((b) => lpad((rows.find((s) => s.board === b.name).total / 1e6).toFixed(3), 10)).join(' ');
    console.log(`  ${pad(name, 24)} ${counts} ${lpad(rows[0].arena, 8)} ${lpad(rows[0].lowerBound, 8)} ${lpad(rows[0].state, 7)}`);
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
