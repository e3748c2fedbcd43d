/**
 * The whole flow on QEMU virtual boards through the default path (AN3155 bootloader, flashed over the console
 * UART by our flasher): every gold input of the int8 MLPerf Tiny models that fit, outputs byte for byte equal to
 * TFLite Micro's, plus the profile (per-layer counts summing to the whole inference within 1 %).
 */
import * as fs from 'fs';
import * as path from 'path';
import { hasArmToolchain, hasQemu } from '@tinyforge/boards/testing';
import { loadTarget } from '@tinyforge/boards';
import { runOnBoard } from './run-on-board';

const SHARED = path.resolve(__dirname, '../../../../../shared');
const ready = fs.existsSync(path.join(SHARED, 'gold')) && hasArmToolchain() && hasQemu() && fs.existsSync('/usr/bin/socat');
if (!ready) console.warn(`run --board tests skipped: need ${SHARED}/gold, arm-none-eabi-gcc, qemu-system-arm and socat`);
const d = ready ? describe : describe.skip;
jest.setTimeout(180_000);

function gold(model: string): { inputs: Uint8Array[]; outputs: Buffer[] } {
  const dir = path.join(SHARED, 'gold', model);
  const ks = fs.readdirSync(dir).filter((f) => /^input_\d+\.bin$/.test(f)).map((f) => Number(/\d+/.exec(f)![0])).sort((a, b) => a - b);
  return {
    inputs: ks.map((k) => new Uint8Array(fs.readFileSync(path.join(dir, `input_${k}.bin`)))),
    outputs: ks.map((k) => fs.readFileSync(path.join(dir, `output_${k}.bin`))),
  };
}

d('runOnBoard on QEMU (flashed over serial)', () => {
  // Flashing over the emulated UART runs at ~6 KB/s here: the larger models (ic ~35 s, vww more) run only when asked.
  const slow = process.env.TINYFORGE_SLOW_TESTS !== undefined;
  const all = ['kws_dscnn_int8', 'ad_autoencoder_int8', 'sww_int8', 'ic_resnet8_int8', 'vww_mobilenet_int8', 'ic_resnet_large_int8'];
  // Every model on qemu-m4 and on the MVE core qemu-m55 when asked; kws and ad on qemu-m4 always.
  const cases: [string, string][] = slow ? [...all.map((m): [string, string] => [m, 'qemu-m4']), ...all.map((m): [string, string] => [m, 'qemu-m55'])] : all.slice(0, 2).map((m) => [m, 'qemu-m4']);
  if (!slow) console.warn('TINYFORGE_SLOW_TESTS unset: sww/ic_resnet8/vww/ic_resnet_large on qemu-m4 and every model on qemu-m55 skipped');
  test.each(cases)('%s on %s: every gold output byte for byte, profiled', async (model, board) => {
    const { inputs, outputs } = gold(model);
    const started = Date.now();
    const r = await runOnBoard({ model: path.join(SHARED, 'models', `${model}.tflite`), board: loadTarget(board), inputs, profile: true });
    expect(r.load).toBe('serial');
    expect(r.flash?.bytes).toBeGreaterThan(r.weightsBytes);
    r.outputs.forEach((o, k) => expect(Buffer.from(o).equals(outputs[k])).toBe(true));
    const report = r.profile!.report;
    expect(report.unit).toBe('instructions');
    // The board application names the board's counter (board.json cycleCounter) in its hello record.
    expect(r.profile!.session.counter).toBe(loadTarget(board).cycleCounter);
    expect(report.runs).toBe(inputs.length);
    const sum = report.layers.reduce((s, l) => s + l.counts.median, 0);
    const gap = Math.abs(report.total.median - sum) / report.total.median;
    console.log(`${model} on ${board}: ${inputs.length} inputs in ${Date.now() - started} ms (build ${r.timings.build}, boot ${r.timings.boot}, flash ${r.timings.flash}, run ${r.timings.run}); ${report.total.median} instructions, layers sum ${sum} (${(100 * gap).toFixed(3)} % apart)`);
    expect(gap).toBeLessThan(0.01);
    expect(report.layers.every((l) => l.macs !== undefined && l.name.length > 0)).toBe(true);
    // RAM in use: the ELF's arena and static data, and the stack the board measured (painted at reset), above zero and
    // within the stack reserved; the profile report carries the same figures.
    const m = r.ramInUse!;
    expect(m).toEqual({ arenaBytes: r.size.ram.arena, staticBytes: r.size.ram.rest, stackHighWaterBytes: m.stackHighWaterBytes, stackBytes: loadTarget(board).stackBytes, totalBytes: r.size.ram.arena + r.size.ram.rest + m.stackHighWaterBytes });
    expect(m.stackHighWaterBytes).toBeGreaterThan(0);
    expect(m.stackHighWaterBytes).toBeLessThan(m.stackBytes);
    expect(report.firmware?.ramInUse).toEqual(m);
  });

  test('kws_dscnn_int8 on qemu-m55 (MVE core): gold outputs through the bootloader', async () => {
    const { inputs, outputs } = gold('kws_dscnn_int8');
    let pids: { qemu: number; socat?: number } | undefined;
    const r = await runOnBoard({ model: path.join(SHARED, 'models', 'kws_dscnn_int8.tflite'), board: loadTarget('qemu-m55'), inputs: inputs.slice(0, 2), onBoardStarted: (p) => (pids = p) });
    r.outputs.forEach((o, k) => expect(Buffer.from(o).equals(outputs[k])).toBe(true));
    for (const pid of [pids!.qemu, pids!.socat]) if (pid !== undefined) expect(() => process.kill(pid, 0)).toThrow(); // nothing left running
    expect(r.profile).toBeUndefined();
    expect(r.invokeCounts.every((c) => c > 0)).toBe(true);
  });

  // Direct loads run the application image (linked at the flash, as flashed): the whole flash region, packed filters
  // included, where they used to be linked into the 64 KiB region QEMU resets into (issue 18, defect 7).
  test.each(['kws_dscnn_int8', 'ad_autoencoder_int8'])('--load direct boots %s without the bootloader and gives the gold outputs', async (name) => {
    const { inputs, outputs } = gold(name);
    const r = await runOnBoard({ model: path.join(SHARED, 'models', `${name}.tflite`), board: loadTarget('qemu-m4'), inputs: inputs.slice(0, 1), load: 'direct' });
    expect(r.flash).toBeUndefined();
    expect([r.firmware.image, r.packedFiltersDropped, r.prebuilt]).toEqual(['application', false, false]);
    expect(r.size.flash.used).toBeGreaterThan(64 * 1024);
    expect(Buffer.from(r.outputs[0]).equals(outputs[0])).toBe(true);
  });

  test('a board that does not answer in time: typed timeout, and QEMU and socat are gone afterwards', async () => {
    const { inputs } = gold('kws_dscnn_int8');
    let pids: { qemu: number; socat?: number } | undefined;
    // After the first inference QEMU is stopped (SIGSTOP): the second gets no answer, however fast the host runs the
    // model (a 1 ms inference allowance alone raced kws on an idle host). The stopped QEMU must still be ended.
    const run = runOnBoard({
      model: path.join(SHARED, 'models', 'kws_dscnn_int8.tflite'),
      board: loadTarget('qemu-m4'),
      inputs: [inputs[0], inputs[0]],
      load: 'direct',
      inferenceTimeoutMs: 1,
      linkTiming: { minimumMs: 1, headroom: 1 },
      onBoardStarted: (p) => (pids = p),
      onProgress: (stage, message) => {
        if (stage === 'run' && message.startsWith('inference 1/')) process.kill(pids!.qemu, 'SIGSTOP');
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'RUN_BOARD_TIMEOUT' });
    expect(pids).toBeDefined();
    for (const pid of [pids!.qemu, pids!.socat]) {
      if (pid !== undefined) expect(() => process.kill(pid, 0)).toThrow();
    }
  });

  test('an input of the wrong size is a typed error before anything starts', async () => {
    await expect(runOnBoard({ model: path.join(SHARED, 'models', 'ad_autoencoder_int8.tflite'), board: loadTarget('qemu-m4'), inputs: [new Uint8Array(3)] })).rejects.toMatchObject({ code: 'RUN_BOARD_OPTION' });
  });
});
