/**
 * `tinyforge run MODEL --board qemu-m4 …` through the command itself (registerRunCommand on a fresh program, as
 * main.ts registers it): usage errors for board-only options without --board. Then `tinyforge build` followed by
 * `tinyforge run --firmware` (and `tinyforge flash` + `tinyforge profile --firmware` on a board left running),
 * through the command functions: the ELF the build wrote is the one flashed and run, over the one framed link
 * (ready / input / ack / output / result, profile records in between), with outputs equal to TFLite Micro's, --json
 * naming the profile's counts in instructions, the HTML and trace files written; a run that builds for itself goes
 * through the same builder (the marker it records in firmware.json) and reports the same model facts.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Command } from 'commander';
import { hasArmToolchain, hasQemu } from '@tinyforge/boards/testing';
import { loadTarget, startDetachedBoard, stopDetachedBoard } from '@tinyforge/boards';
import { imageSize, loadImageFile } from '@tinyforge/flasher';
import { PROTOCOL_VERSION } from '@tinyforge/serial-profiler';
import { UsageError } from '../cli-error';
import { CommandIO } from '../output';
import { FIRMWARE_BUILDER } from '../pipeline';
import { BuildSummary, runBuild } from './build';
import { runFlash } from './flash';
import { registerProfileCommand } from './profile';
import { registerRunCommand } from './run';

const SHARED = path.resolve(__dirname, '../../../../../shared');
const ready = fs.existsSync(path.join(SHARED, 'gold')) && hasArmToolchain() && hasQemu() && fs.existsSync('/usr/bin/socat');
if (!ready) console.warn(`tinyforge run --board tests skipped: need ${SHARED}/gold, arm-none-eabi-gcc, qemu-system-arm and socat`);
const d = ready ? describe : describe.skip;
jest.setTimeout(180_000);

async function run(args: string[], register = registerRunCommand): Promise<{ out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CommandIO = { out: (s: string) => out.push(s), err: (s: string) => err.push(s) } as CommandIO;
  const program = new Command('tinyforge').exitOverride();
  register(program, io);
  for (const c of program.commands) c.exitOverride();
  await program.parseAsync(args, { from: 'user' });
  return { out, err };
}

describe('tinyforge run: board options', () => {
  test('--profile without --board is a usage error', async () => {
    await expect(run(['run', 'missing.tflite', '--input', 'x.bin', '--profile'])).rejects.toBeInstanceOf(UsageError);
  });
  test('--load other than serial|direct is a usage error', async () => {
    await expect(run(['run', 'missing.tflite', '--input', 'x.bin', '--board', 'qemu-m4', '--load', 'jtag'])).rejects.toBeInstanceOf(UsageError);
  });
});

d('tinyforge build, then tinyforge run --firmware on qemu-m4 (kws)', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-build-run-'));
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));
  const model = path.join(SHARED, 'models', 'kws_dscnn_int8.tflite');
  const gold = (k: number, what: 'input' | 'output') => path.join(SHARED, 'gold', 'kws_dscnn_int8', `${what}_${k}.bin`);
  const built = path.join(work, 'built');
  const quiet = { out: (): void => undefined, err: (): void => undefined };
  let s: BuildSummary;
  beforeAll(() => {
    s = runBuild({ board: 'qemu-m4', model, output: built, optimize: 'O2', profile: true }, quiet);
  }, 120_000);

  test('run flashes the very ELF build wrote and talks the framed link to it: gold outputs, profile, one builder', async () => {
    const manifest = JSON.parse(fs.readFileSync(s.manifest, 'utf8'));
    expect(manifest).toMatchObject({ builder: FIRMWARE_BUILDER, protocolVersion: PROTOCOL_VERSION, application: 'board', board: 'qemu-m4', image: 'application', profile: true });
    const elfBefore = fs.readFileSync(s.elf);

    const out = path.join(work, 'out.bin');
    const html = path.join(work, 'profile.html');
    const trace = path.join(work, 'trace.json');
    const started = Date.now();
    const r = await run(['run', model, '--board', 'qemu-m4', '--firmware', built, '--input', gold(0, 'input'), '--output', out, '--profile', '--json', '--html', html, '--trace', trace]);
    const wall = Date.now() - started;
    const json = JSON.parse(r.out.join('\n'));
    expect(fs.readFileSync(out).equals(fs.readFileSync(gold(0, 'output')))).toBe(true);
    // --json names every count for its unit (instructions on QEMU); --html and --trace are written.
    expect(json).toMatchObject({ engine: 'board', unit: 'instructions', load: 'serial' });
    expect(json.invokeInstructions).toHaveLength(1);
    expect(json.profile.totalInstructions.median).toBeGreaterThan(1e6);
    expect(json.profile.layers[0].instructions.median).toBeGreaterThan(0);
    expect(json.profile.arena.arenaBytes).toBe(json.arenaBytes);
    expect(fs.readFileSync(html, 'utf8')).toContain('<html');
    // Estimated Cortex-M4 cycles beside the instructions, from one traced inference, named as an estimate.
    const est = json.profile.estimatedCycles;
    expect(est).toMatchObject({ estimate: true, core: 'cortex-m4', basis: expect.stringContaining('zero-wait-state') });
    expect(est.instructions).toBeGreaterThan(json.profile.totalInstructions.median * 0.99);
    expect(est.cycles).toBeGreaterThan(est.instructions);
    const layerCycles = json.profile.layers.map((l: { estimatedCycles: number }) => l.estimatedCycles);
    expect(layerCycles.every((c: number) => c > 0)).toBe(true);
    expect(layerCycles.reduce((a: number, b: number) => a + b, 0)).toBeLessThan(est.cycles);
    expect(fs.readFileSync(html, 'utf8')).toContain('est. cycles†<br>cortex-m4');
    expect(Array.isArray(JSON.parse(fs.readFileSync(trace, 'utf8')).traceEvents ?? JSON.parse(fs.readFileSync(trace, 'utf8')))).toBe(true);
    console.log(`tinyforge run kws --board qemu-m4 --firmware --profile: ${wall} ms wall (boot ${json.timingsMs.boot}, flash ${json.timingsMs.flash}, run ${json.timingsMs.run}, stop ${json.timingsMs.stop})`);
    // The run used the build's firmware (no build of its own), flashing exactly that ELF's bytes.
    expect(json.firmware).toEqual({ builder: FIRMWARE_BUILDER, protocolVersion: PROTOCOL_VERSION, elf: s.elf, prebuilt: true });
    expect(json.flash.bytes).toBe(imageSize(loadImageFile(s.elf)));
    expect(fs.readFileSync(s.elf).equals(elfBefore)).toBe(true);
    // Profile records came over the same console, between the I/O frames: every layer, named from the build.
    expect(json.profile.layers.map((l: { name: string }) => l.name)).toEqual(manifest.layers.map((l: { name: string }) => l.name));
    expect(json.arenaBytes).toBe(manifest.model.arenaBytes);

    // A run that builds for itself goes through the same builder and records the same model facts.
    const kept = path.join(work, 'kept');
    const again = JSON.parse((await run(['run', model, '--board', 'qemu-m4', '--input', gold(1, 'input'), '--output', out, '--profile', '--no-cycles', '--json', '--keep', kept])).out.join('\n'));
    expect(fs.readFileSync(out).equals(fs.readFileSync(gold(1, 'output')))).toBe(true);
    expect(again.profile.estimatedCycles).toBeUndefined();
    expect(again.firmware).toMatchObject({ builder: FIRMWARE_BUILDER, protocolVersion: PROTOCOL_VERSION, prebuilt: false });
    const keptManifest = JSON.parse(fs.readFileSync(path.join(kept, 'firmware.json'), 'utf8'));
    for (const key of ['builder', 'protocolVersion', 'application', 'board', 'image', 'profile', 'packedFilters', 'layers'] as const) expect(keptManifest[key]).toEqual(manifest[key]);
    expect(keptManifest.model).toEqual(manifest.model);
    expect(keptManifest.size.flash.weights).toBe(manifest.size.flash.weights);
  });

  test('firmware that does not suit the run is refused before QEMU starts, with the reason', async () => {
    // Another model, with other sizes; or other bytes (here one padding byte) with the same sizes: its sha256 differs.
    const other = path.join(SHARED, 'models', 'ad_autoencoder_int8.tflite');
    await expect(run(['run', other, '--board', 'qemu-m4', '--firmware', built, '--input', path.join(SHARED, 'gold', 'ad_autoencoder_int8', 'input_0.bin')])).rejects.toMatchObject({ code: 'RUN_BOARD_FIRMWARE', message: expect.stringContaining('490 input / 12 output bytes') });
    const padded = path.join(work, 'kws_padded.tflite');
    fs.writeFileSync(padded, Buffer.concat([fs.readFileSync(model), Buffer.alloc(1)]));
    await expect(run(['run', padded, '--board', 'qemu-m4', '--firmware', built, '--input', gold(0, 'input')])).rejects.toMatchObject({ code: 'RUN_BOARD_FIRMWARE', message: expect.stringContaining('sha256 differs') });
    // Another board.
    await expect(run(['run', model, '--board', 'qemu-m55', '--firmware', built, '--input', gold(0, 'input')])).rejects.toMatchObject({ code: 'RUN_BOARD_FIRMWARE', message: expect.stringContaining('built for qemu-m4, not qemu-m55') });
  });

  test('the hardware flow on a board left running: flash what build wrote, then profile drives it over the same link', async () => {
    const stateDir = path.join(work, 'boards');
    const board = await startDetachedBoard(loadTarget('qemu-m4'), { stateDir });
    try {
      await runFlash(s.elf, { board: 'qemu-m4', port: board.ptyPath, verify: true, pipeline: true, go: true, erase: 'auto' }, quiet);
      const r = await run(['profile', '--port', board.ptyPath, '--board', 'qemu-m4', '--firmware', built, '--input', gold(0, 'input'), '--runs', '2', '--json'], registerProfileCommand);
      const report = JSON.parse(r.out.join('\n'));
      expect(report).toMatchObject({ unit: 'instructions', runs: 2 });
      expect(report.layers.map((l: { name: string }) => l.name)).toEqual(JSON.parse(fs.readFileSync(s.manifest, 'utf8')).layers.map((l: { name: string }) => l.name));
      expect(report.totalInstructions.median).toBeGreaterThan(1e6);
      expect(report.estimatedCycles).toMatchObject({ estimate: true, core: 'cortex-m4' });
      expect(report.estimatedCycles.cycles).toBeGreaterThan(report.totalInstructions.median);
    } finally {
      await stopDetachedBoard('qemu-m4', { stateDir });
    }
  });
});
