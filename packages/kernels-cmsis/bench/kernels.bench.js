#!/usr/bin/env node
'use strict';
/*
 * `npm run bench -- kernels [model ...] [--target=m4|m7|m33|m55]`: the C kernels' DSP path on emulated Cortex-M4
 * (QEMU mps2-an386; or M7 mps2-an500, M33 mps2-an505 at 20 MHz SYSCLK, M55 mps3-an547 at 32 MHz with the Helium
 * path), per layer of each MLPerf Tiny int8 model, against the CMSIS-NN anchors of issue 4 (M4 figures).
 *
 * Method: each model becomes one bare-metal program (src/testing/model-program.ts) that runs every layer's kernel
 * in order on the previous layers' outputs. QEMU runs with `-icount shift=0,align=off,sleep=off`, so its virtual
 * clock advances exactly 1 ns per executed instruction; SysTick counts SYSCLK (25 MHz) cycles of that clock, so
 * instructions = ticks × 40 (±40 per layer from the tick granularity). Counts are identical run to run. They are
 * instructions, not cycles: on a real M4 loads, multiplies and taken branches cost more than one cycle.
 * The program's output is checked against TFLite Micro's gold output (../shared/gold/<model>/output_0.bin).
 * Convolutions get packed filters (tfg_convolve_packed_s8) on the DSP cores without Helium and Helium gets folded
 * biases, as generated code does;
 * --int8-filters keeps the int8 filters and tfg_convolve_wrapper_s8 for comparison; --flash-budget=N packs the
 * filters codegen would pack within N bytes of constants (layer by layer, by instructions saved per byte).
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { readTflite } = require('@tinyforge/model-format');
const mp = require('@tinyforge/kernels-cmsis/testing');
const { kernelIncludeDir, kernelSources, lowerNode, withPackedFilter } = require('../dist');
// Bench only: codegen's per-layer packing choice under --flash-budget.
const { generateC } = require('@tinyforge/codegen-c');

const SHARED = path.resolve(__dirname, '../../../../shared');
const MODELS = {
  kws: { file: 'kws_dscnn_int8', cmsisNn: 7.70e6, tflmRef: 43.0e6 },
  vww: { file: 'vww_mobilenet_int8', cmsisNn: 24.1e6, tflmRef: 100.3e6 },
  ic: { file: 'ic_resnet8_int8', cmsisNn: 29.9e6, tflmRef: 107.4e6 },
  ad: { file: 'ad_autoencoder_int8', cmsisNn: 0.58e6, tflmRef: 1.95e6 },
};
const TARGET_RATIO = 0.8;

const M = (n) => `${(n / 1e6).toFixed(2)} M`;
const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);

function textSizes() {
  // Each kernel source compiled alone for the M4 (DSP path, -O2, one section per function): what it adds to .text.
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tfg-size-'));
  const rows = [];
  for (const src of kernelSources()) {
    const obj = path.join(work, `${path.basename(src, '.c')}.o`);
    const cc = spawnSync('arm-none-eabi-gcc', ['-std=c99', '-O2', ...mp.CORTEX_M4.cpuFlags, '-mthumb', '-ffunction-sections', `-I${kernelIncludeDir}`, '-c', src, '-o', obj], { encoding: 'utf8' });
    if (cc.status !== 0) throw new Error(cc.stderr);
    const size = spawnSync('arm-none-eabi-size', [obj], { encoding: 'utf8' }).stdout.trim().split('\n')[1].trim().split(/\s+/);
    rows.push({ file: path.relative(path.join(__dirname, '..', 'src'), src), text: Number(size[0]) });
  }
  fs.rmSync(work, { recursive: true, force: true });
  return rows;
}

function main() {
  if (!fs.existsSync(path.join(SHARED, 'models'))) {
    console.log(`kernels bench skipped: ${SHARED}/models not found`);
    return;
  }
  for (const tool of ['arm-none-eabi-gcc', 'qemu-system-arm']) {
    if (spawnSync(tool, ['--version']).status !== 0) {
      console.log(`kernels bench skipped: ${tool} not found`);
      return;
    }
  }
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const names = wanted.length > 0 ? wanted : Object.keys(MODELS);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tfg-bench-'));
  const summary = [];
  // --target=m4 (default, the anchors' machine) | m7 | m33 | m55 (Helium GEMM and depthwise).
  const targets = { m4: mp.CORTEX_M4, m7: mp.CORTEX_M7, m33: mp.CORTEX_M33, m55: mp.CORTEX_M55 };
  const targetArg = (process.argv.find((a) => a.startsWith('--target=')) ?? '--target=m4').slice('--target='.length);
  const target = targets[targetArg];
  if (target === undefined) throw new Error(`unknown --target=${targetArg} (have ${Object.keys(targets).join(', ')})`);
  console.log(`${target.name} (QEMU ${target.machine}, -icount shift=0): instructions = SysTick ticks × ${1e9 / target.sysclkHz}; DSP ideal = 0.5 instructions/MAC; the CMSIS-NN anchors are Cortex-M4 figures.\n`);
  for (const name of names) {
    const m = MODELS[name];
    if (m === undefined) throw new Error(`unknown model '${name}' (have ${Object.keys(MODELS).join(', ')})`);
    const graph = readTflite(fs.readFileSync(path.join(SHARED, 'models', `${m.file}.tflite`)), { file: `${m.file}.tflite` });
    const input = fs.readFileSync(path.join(SHARED, 'gold', m.file, 'input_0.bin'));
    // The calls as generated code makes them for the core: packed filters (DSP cores), folded biases (Helium);
    // --flash-budget=N: packed filters chosen layer by layer within N bytes of constants, as codegen's flashBudget.
    const budgetArg = process.argv.find((a) => a.startsWith('--flash-budget='));
    const budgeted = budgetArg !== undefined && generateC(graph, { prefix: name, core: { dsp: true, mve: false }, flashBudget: Number(budgetArg.slice('--flash-budget='.length)) });
    const form = budgeted ? graph.nodes.map((n, i) => (budgeted.layers.find((l) => l.node === n.name)?.packing?.packed ? withPackedFilter(lowerNode(graph, n)) : lowerNode(graph, n)))
      : target === mp.CORTEX_M55 ? 'folded' : process.argv.includes('--int8-filters') ? 'int8' : 'packed';
    if (budgeted) console.log(`flash budget ${budgetArg.slice(15)} bytes: constants ${budgeted.flashBytes} bytes, packed ${budgeted.layers.filter((l) => l.packing?.packed).map((l) => l.index).join(', ') || 'none'}`);
    const elf = mp.buildModelProgram(graph, input, path.join(work, name), target, [], form);
    const run = mp.runModelProgram(graph, elf, target);
    const gold = mp.fnv1a(fs.readFileSync(path.join(SHARED, 'gold', m.file, 'output_0.bin')));
    console.log(`${name} (${m.file})`);
    console.log(`  ${pad('#', 3)} ${pad('op', 16)} ${pad('kernel', 34)} ${lpad('MACs', 9)} ${lpad('instr', 10)} ${lpad('instr/MAC', 9)} ${lpad('ideal', 9)}`);
    let instr = 0;
    let macs = 0;
    let convInstr = 0;
    let convMacs = 0;
    for (const l of run.layers) {
      instr += l.instructions;
      macs += l.macs;
      const node = graph.nodes[l.index];
      if (node.op === 'Conv2D' && graph.tensors[node.inputs[0]].shape[3] >= 16) {
        convInstr += l.instructions;
        convMacs += l.macs;
      }
      const perMac = l.macs > 0 ? (l.instructions / l.macs).toFixed(2) : '';
      const ideal = l.macs > 0 ? Math.round(l.macs * 0.5) : '';
      console.log(`  ${pad(l.index, 3)} ${pad(l.op, 16)} ${pad(l.kernel, 34)} ${lpad(l.macs, 9)} ${lpad(l.instructions, 10)} ${lpad(perMac, 9)} ${lpad(ideal, 9)}`);
    }
    const ratio = instr / m.cmsisNn;
    const bitExact = run.outputHash === gold;
    console.log(`  total: ${M(macs)} MACs, ${M(instr)} instructions (${(instr / macs).toFixed(2)}/MAC); CMSIS-NN ${M(m.cmsisNn)}, TFLM reference ${M(m.tflmRef)}`);
    console.log(`  ratio to CMSIS-NN ${ratio.toFixed(2)} (target ≤ ${TARGET_RATIO}: ${ratio <= TARGET_RATIO ? 'met' : 'NOT met'}); convs with ≥16 input channels ${convMacs > 0 ? (convInstr / convMacs).toFixed(2) : '-'}/MAC (target ≤ 1.0); output ${bitExact ? 'bit-exact with TFLM gold' : `DIFFERS from gold (${run.outputHash} vs ${gold})`}\n`);
    summary.push({ name, instr, macs, ratio, convPerMac: convMacs > 0 ? convInstr / convMacs : undefined, bitExact });
  }
  console.log('summary');
  for (const s of summary) {
    console.log(`  ${pad(s.name, 4)} ${lpad(M(s.instr), 9)} = ${s.ratio.toFixed(2)}× CMSIS-NN (target ≤ ${TARGET_RATIO})  convs≥16ch ${s.convPerMac === undefined ? '-' : s.convPerMac.toFixed(2)}/MAC  ${s.bitExact ? 'bit-exact' : 'MISMATCH'}`);
  }
  if (!process.argv.includes('--no-size')) {
    console.log('\n.text bytes per kernel source (Cortex-M4, -O2, -ffunction-sections; unused functions drop out at link)');
    for (const r of textSizes()) console.log(`  ${pad(r.file, 48)} ${lpad(r.text, 6)}`);
  }
  fs.rmSync(work, { recursive: true, force: true });
}

main();
