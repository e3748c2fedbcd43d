/**
 * `tinyforge run MODEL --board qemu-m4 …` through the command itself (registerRunCommand on a fresh program, as
 * main.ts registers it): output file equal to the gold output, --json with the profile named in instructions,
 * HTML and trace files written, and usage errors for board-only options without --board.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Command } from 'commander';
import { hasArmToolchain, hasQemu } from '@tinyforge/boards/testing';
import { UsageError } from '../cli-error';
import { CommandIO } from '../output';
import { registerRunCommand } from './run';

const SHARED = path.resolve(__dirname, '../../../../../shared');
const ready = fs.existsSync(path.join(SHARED, 'gold')) && hasArmToolchain() && hasQemu() && fs.existsSync('/usr/bin/socat');
if (!ready) console.warn(`tinyforge run --board tests skipped: need ${SHARED}/gold, arm-none-eabi-gcc, qemu-system-arm and socat`);
const d = ready ? describe : describe.skip;
jest.setTimeout(120_000);

async function run(args: string[]): Promise<{ out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CommandIO = { out: (s: string) => out.push(s), err: (s: string) => err.push(s) } as CommandIO;
  const program = new Command('tinyforge').exitOverride();
  registerRunCommand(program, io);
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

d('tinyforge run --board qemu-m4 (kws, flashed over serial)', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-run-board-'));
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test('--profile --json --output --html --trace', async () => {
    const model = path.join(SHARED, 'models', 'kws_dscnn_int8.tflite');
    const out = path.join(work, 'out.bin');
    const html = path.join(work, 'profile.html');
    const trace = path.join(work, 'trace.json');
    const started = Date.now();
    const r = await run(['run', model, '--board', 'qemu-m4', '--input', path.join(SHARED, 'gold/kws_dscnn_int8/input_1.bin'), '--output', out, '--profile', '--json', '--html', html, '--trace', trace]);
    const wall = Date.now() - started;
    expect(fs.readFileSync(out).equals(fs.readFileSync(path.join(SHARED, 'gold/kws_dscnn_int8/output_1.bin')))).toBe(true);
    const json = JSON.parse(r.out.join('\n'));
    expect(json.engine).toBe('board');
    expect(json.unit).toBe('instructions');
    expect(json.load).toBe('serial');
    expect(json.invokeInstructions).toHaveLength(1);
    expect(json.profile.totalInstructions.median).toBeGreaterThan(1e6);
    expect(json.profile.layers.length).toBeGreaterThan(5);
    expect(json.profile.layers[0].instructions.median).toBeGreaterThan(0);
    expect(json.profile.arena.arenaBytes).toBe(json.arenaBytes);
    expect(fs.readFileSync(html, 'utf8')).toContain('<html');
    expect(Array.isArray(JSON.parse(fs.readFileSync(trace, 'utf8')).traceEvents ?? JSON.parse(fs.readFileSync(trace, 'utf8')))).toBe(true);
    console.log(`tinyforge run kws --board qemu-m4 --profile: ${wall} ms wall (build ${json.timingsMs.build}, boot ${json.timingsMs.boot}, flash ${json.timingsMs.flash}, run ${json.timingsMs.run}, stop ${json.timingsMs.stop})`);
  });
});
