/**
 * `tinyforge mlperf` against virtual boards: the board application built for the MLPerf Tiny runner protocol is
 * flashed to qemu-m4 and driven as the runner's performance mode does; its per-inference timing must equal the
 * profiler's instruction count of the same model and input within the profiler's hook overhead.
 */
import * as fs from 'fs';
import * as path from 'path';
import { hasArmToolchain, hasQemu } from '@tinyforge/boards/testing';
import { loadTarget } from '@tinyforge/boards';
import { tensorBytes } from '@tinyforge/ir';
import { readModelFile } from '@tinyforge/model-format';
import { MLPERF_BENCHMARKS, mlperfModelIdFor, runMlperf } from './mlperf';
import { runOnBoard } from './run-on-board';

const SHARED = path.resolve(__dirname, '../../../../../shared');
const ready = fs.existsSync(path.join(SHARED, 'gold')) && hasArmToolchain() && hasQemu() && fs.existsSync('/usr/bin/socat');
if (!ready) console.warn(`mlperf tests skipped: need ${SHARED}/gold, arm-none-eabi-gcc, qemu-system-arm and socat`);
const d = ready ? describe : describe.skip;
jest.setTimeout(900_000);

describe('MLPerf Tiny benchmark names', () => {
  it('tells the benchmark from the model file name', () => {
    expect(mlperfModelIdFor('../shared/models/kws_dscnn_int8.tflite')).toBe('kws01');
    expect(mlperfModelIdFor('ad_autoencoder_int8.tflite')).toBe('ad01');
    expect(mlperfModelIdFor('ic_resnet8_int8.tflite')).toBe('ic01');
    expect(mlperfModelIdFor('vww_mobilenet_int8.tflite')).toBe('vww01');
    expect(mlperfModelIdFor('fashion.tflite')).toBeUndefined();
    expect(MLPERF_BENCHMARKS.kws01).toEqual({ minInferences: 70, warmups: 10 });
  });
});

d('tinyforge mlperf on qemu-m4', () => {
  test.each(['kws_dscnn_int8', 'ad_autoencoder_int8'])('%s: infer timing equals the profiler instruction count within the hook overhead', async (model) => {
    const file = path.join(SHARED, 'models', `${model}.tflite`);
    const graph = readModelFile(file);
    const input = new Uint8Array(fs.readFileSync(path.join(SHARED, 'gold', model, 'input_0.bin')));
    const board = loadTarget('qemu-m4');
    const modelId = mlperfModelIdFor(file)!;
    const r = await runMlperf({ graph, board, modelId, input, loops: 2, minSeconds: 0.01 });
    expect(r.device).toEqual(expect.arrayContaining(['m-name-dut-[tinyforge]', `m-model-[${modelId}]`]));
    expect(r.loops).toHaveLength(2);
    // the benchmark's minimum count of timed inferences, after its warm-ups
    for (const l of r.loops) expect(l).toMatchObject({ iterations: MLPERF_BENCHMARKS[modelId].minInferences, warmups: MLPERF_BENCHMARKS[modelId].warmups });
    expect(r.unit).toBe('instructions');

    // The same model and input over the link: unprofiled (the application's own count around the invoke) and
    // profiled (hooks in every layer). The hooks' whole cost is the difference of the two; the profiler's own
    // overhead figure (hookOverhead, subtracted in its report) covers only the counter reads. QEMU loads these two
    // images itself (the mlperf run above went through the bootloader; flashing is not what is compared here).
    const plain = await runOnBoard({ model: graph, board, inputs: [input], load: 'direct' });
    const profiled = await runOnBoard({ model: graph, board, inputs: [input], profile: true, load: 'direct' });
    const report = profiled.profile!.report;
    const unprofiled = plain.invokeCounts[0];
    const withHooks = profiled.invokeCounts[0];
    const hookCost = withHooks - unprofiled;
    console.log(
      `${model}: mlperf ${r.median.count.toFixed(1)} instructions per inference (${r.median.milliseconds.toFixed(3)} ms at ${board.clockHz / 1e6} MHz); ` +
        `link unprofiled ${unprofiled}, profiled ${withHooks} (hooks ${hookCost} = ${(hookCost / report.layers.length).toFixed(1)} per layer; the report's hook overhead ${report.hookOverhead} per layer, total ${report.total.median})`,
    );
    // mlperf's timing is the application's invoke: the model's run plus copying the runner's input into the arena and
    // the outputs out (`infer N` runs one loaded input N times, and the layers reuse the input tensor's bytes), which
    // the link application no longer does (it receives into and sends from the arena's own tensors). So it is the
    // link's count plus the copies, at most one instruction per byte copied, within the counter's resolution (5
    // instructions a SysTick tick on qemu-m4) and the loop's own few instructions per inference.
    const copied = graph.inputs.concat(graph.outputs).reduce((n, t) => n + tensorBytes(graph.tensors[t]), 0);
    expect(r.median.count - unprofiled).toBeGreaterThanOrEqual(-50);
    expect(r.median.count - unprofiled).toBeLessThanOrEqual(copied + 50);
    // and the profiler's count is the link's plus the hook overhead, so mlperf's less the copies plus the hooks
    expect(hookCost).toBeGreaterThan(0);
    expect(withHooks - r.median.count).toBeGreaterThanOrEqual(hookCost - copied - 50);
    expect(withHooks - r.median.count).toBeLessThanOrEqual(hookCost + 50);
    // and the m-results line is the model's first output, dequantized, for the last inference
    expect(r.results.length).toBeGreaterThan(0);
  });
});
