#!/usr/bin/env node
'use strict';
/*
 * `npm run bench -- first-conv [--target=m4|m7|m33|m55]`: the first convolution layers of image models (1–3 input
 * channels, where the GEMM's per-output requantization outweighs its few MACs) as one-layer programs on emulated
 * Cortex-M, with seeded random inputs, weights and per-channel quantization. Prints instructions and
 * instructions/MAC per shape and whether the output equals the reference interpreter's byte for byte.
 *
 * Method as in kernels.bench.js: QEMU -icount shift=0, instructions = SysTick ticks × 1e9 / SYSCLK.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const { GraphBuilder } = require('@tinyforge/ir');
const { Interpreter } = require('@tinyforge/interpreter');
const mp = require('@tinyforge/kernels-cmsis/testing');
const { Rng, perTensor } = require('@tinyforge/kernels-cmsis/testing');

/** [name, h, w, ci, co, k, stride, padding, activation] — the layers named in the first-layer issue. */
const SHAPES = [
  ['fashion conv1 28x28x1 -> 32, 3x3', 28, 28, 1, 32, 3, 1, 'same', 'relu'],
  ['vww layer 0 96x96x3 -> 8, 3x3/2', 96, 96, 3, 8, 3, 2, 'same', 'relu6'],
  ['ic layer 0 32x32x3 -> 16, 3x3', 32, 32, 3, 16, 3, 1, 'same', 'relu'],
  ['2ch 20x20x2 -> 12, 5x5', 20, 20, 2, 12, 5, 1, 'valid', 'none'],
];

function convGraph(r, [, h, w, ci, co, k, stride, padding, activation]) {
  const b = new GraphBuilder();
  const sx = 0.02;
  const x = b.input({ name: 'x', shape: [1, h, w, ci], dtype: 'int8', quant: perTensor(sx, -128) });
  const wScales = Array.from({ length: co }, () => r.logUniform(0.002, 0.02));
  const wt = b.constant(
    { name: 'w', shape: [co, k, k, ci], dtype: 'int8', quant: { scale: wScales, zeroPoint: wScales.map(() => 0), axis: 0 } },
    r.int8s(co * k * k * ci),
  );
  const bias = b.constant({ name: 'b', shape: [co], dtype: 'int32' }, Int32Array.from({ length: co }, () => r.int(-3000, 3000)));
  const sy = Math.fround(sx * wScales[0] * 40 * Math.sqrt(k * k * ci));
  const attrs = { strideH: stride, strideW: stride, dilationH: 1, dilationW: 1, padding, activation };
  const y = b.node('Conv2D', attrs, [x, wt, bias], { name: 'y', dtype: 'int8', quant: perTensor(sy, activation === 'none' ? 3 : -128) });
  return b.output(y).build();
}

function main() {
  const targets = { m4: mp.CORTEX_M4, m7: mp.CORTEX_M7, m33: mp.CORTEX_M33, m55: mp.CORTEX_M55 };
  const targetArg = (process.argv.find((a) => a.startsWith('--target=')) ?? '--target=m4').slice('--target='.length);
  const target = targets[targetArg];
  if (target === undefined) throw new Error(`unknown --target=${targetArg}`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tfg-first-conv-'));
  const r = new Rng(20261125);
  console.log(`${target.name} (QEMU ${target.machine}, -icount shift=0): instructions = SysTick ticks × ${1e9 / target.sysclkHz}\n`);
  for (const [i, shape] of SHAPES.entries()) {
    const graph = convGraph(r, shape);
    const input = Uint8Array.from(r.int8s(shape[1] * shape[2] * shape[3]), (v) => v & 0xff);
    const expected = new Interpreter(graph).run([input]).outputs[0];
    const elf = mp.buildModelProgram(graph, input, path.join(work, String(i)), target);
    const run = mp.runModelProgram(graph, elf, target);
    const layer = run.layers[0];
    const exact = run.outputHash === mp.fnv1a(new Uint8Array(expected.buffer, expected.byteOffset, expected.byteLength));
    console.log(`  ${shape[0].padEnd(36)} ${String(layer.macs).padStart(8)} MACs ${String(layer.instructions).padStart(9)} instr ${(layer.instructions / layer.macs).toFixed(2).padStart(6)}/MAC  ${exact ? 'bit-exact' : 'MISMATCH'}`);
  }
  fs.rmSync(work, { recursive: true, force: true });
}

main();
