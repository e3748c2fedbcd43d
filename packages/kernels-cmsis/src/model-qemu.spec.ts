/**
 * Whole models on emulated Cortex-M4/M7 through the DSP path and Cortex-M55 through the Helium path: every layer chained on the previous layers' outputs
 * (src/testing/model-program.ts), final output compared with TFLite Micro's gold output, and every layer's
 * instruction count positive (SysTick under -icount really ran).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readTflite } from '@tinyforge/model-format';
import { hasCompiler } from './testing';
import { buildModelProgram, CallForm, CORTEX_M4, CORTEX_M55, CORTEX_M7, CortexTarget, fnv1a, ModelRun, runModelProgramAsync } from './testing/model-program';

const SHARED = path.resolve(__dirname, '../../../../shared');
const available = fs.existsSync(path.join(SHARED, 'gold')) && hasCompiler('arm-none-eabi-gcc') && hasCompiler('qemu-system-arm');
if (!available) console.warn(`kernels-cmsis whole-model QEMU tests skipped: needs ${SHARED}/gold, arm-none-eabi-gcc and qemu-system-arm`);
const d = available ? describe : describe.skip;

const RUNS: { model: string; target: CortexTarget; form: CallForm }[] = [
  { model: 'kws_dscnn_int8', target: CORTEX_M4, form: 'int8' },
  { model: 'ad_autoencoder_int8', target: CORTEX_M4, form: 'int8' },
  { model: 'kws_dscnn_int8', target: CORTEX_M7, form: 'int8' },
  // Helium GEMM and depthwise on every layer of a real model, with plain biases (offsets added in the loops)...
  { model: 'kws_dscnn_int8', target: CORTEX_M55, form: 'int8' },
  // ... and as generated for Helium (folded biases): the staged GEMM, the 3x3 depthwise routine, FC, ADD.
  { model: 'kws_dscnn_int8', target: CORTEX_M55, form: 'folded' },
  { model: 'ic_resnet8_int8', target: CORTEX_M55, form: 'folded' },
  { model: 'ad_autoencoder_int8', target: CORTEX_M55, form: 'folded' },
  // Packed convolution filters (tfg_convolve_packed_s8's assembly) on real layers: 1x1, 3x3, strided, 10x4.
  { model: 'kws_dscnn_int8', target: CORTEX_M4, form: 'packed' },
  { model: 'ic_resnet8_int8', target: CORTEX_M4, form: 'packed' },
  // Interleaved fully connected rows (fc-interleave.ts): the 640-deep first layer reads its int8 input, the others
  // their widened input.
  { model: 'ad_autoencoder_int8', target: CORTEX_M4, form: 'packed' },
];

d('whole int8 models on emulated Cortex-M, bit-exact with TFLite Micro', () => {
  let work: string;
  const runs = new Map<string, Promise<ModelRun>>();
  const key = (model: string, target: CortexTarget, form: CallForm): string => `${model}@${target.name} ${form}`;

  // Build each program, then let the QEMU runs proceed side by side; the tests await their own run.
  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'tfg-model-'));
    for (const { model, target, form } of RUNS) {
      const graph = readTflite(fs.readFileSync(path.join(SHARED, 'models', `${model}.tflite`)), { file: `${model}.tflite` });
      const input = fs.readFileSync(path.join(SHARED, 'gold', model, 'input_0.bin'));
      const elf = buildModelProgram(graph, input, path.join(work, `${model}_${target.name}_${form}`), target, [], form);
      const run = runModelProgramAsync(graph, elf, target);
      run.catch(() => undefined); // reported by the test that awaits it
      runs.set(key(model, target, form), run);
    }
  }, 120_000);
  afterAll(async () => {
    await Promise.allSettled(runs.values());
    fs.rmSync(work, { recursive: true, force: true });
  });

  test.each(RUNS)('$model on $target.name ($form calls)', async ({ model, target, form }) => {
    const graph = readTflite(fs.readFileSync(path.join(SHARED, 'models', `${model}.tflite`)), { file: `${model}.tflite` });
    const run = await (runs.get(key(model, target, form)) as Promise<ModelRun>);
    expect(run.outputHash).toBe(fnv1a(fs.readFileSync(path.join(SHARED, 'gold', model, 'output_0.bin'))));
    expect(run.layers).toHaveLength(graph.nodes.length);
    for (const l of run.layers) expect(l.instructions).toBeGreaterThan(0);
  }, 120_000);
});
