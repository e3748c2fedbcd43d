/**
 * One definition of each figure (figures.ts): for kws and vww on qemu-m4, codegen --board, build and run print the
 * same weights, arena and lower bounds, and the firmware's ELF sections are those figures exactly (.weights =
 * weights, .arena = arena); run reports the build's firmware flash and RAM, in its text and in its profile report.
 * run flashes the build's own firmware (run --firmware): nothing is built twice, and the board runs once. vww is
 * flashed over the emulated UART only with TINYFORGE_SLOW_TESTS (450 KB at a few KB/s); without it, vww is checked
 * through codegen, build and plan.json, and run's figures (the firmware's, printed by the same code) on kws.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { hasArmToolchain, hasQemu } from '@tinyforge/boards/testing';
import { cliCapture, CliRun } from '../test-support/cli-capture';

const SHARED = path.resolve(__dirname, '../../../../../shared');
const ready = fs.existsSync(path.join(SHARED, 'gold')) && hasArmToolchain() && hasQemu() && fs.existsSync('/usr/bin/socat');
if (!ready) console.warn(`figures tests skipped: need ${SHARED}/gold, arm-none-eabi-gcc, qemu-system-arm and socat`);
const d = ready ? describe : describe.skip;

async function cli(...argv: string[]): Promise<CliRun> {
  const r = await cliCapture(...argv);
  if (r.code !== 0) throw new Error(`tinyforge ${argv.join(' ')} exited ${r.code}: ${r.err}`);
  return r;
}

/** The one line every command prints the model's figures in. */
const FIGURES_LINE = /^weights \d+ B(?: \(packed convolution filters\))?, arena \d+ B \(lower bound \d+ B with in-place sharing, \d+ B without\)/m;
const figuresLine = (text: string): string => {
  const m = FIGURES_LINE.exec(text);
  if (m === null) throw new Error(`no figures line in:\n${text}`);
  return m[0];
};

const slow = process.env.TINYFORGE_SLOW_TESTS !== undefined;
const CASES: [string, string, boolean][] = [
  ['kws_dscnn_int8', 'input_1.bin', true],
  ['vww_mobilenet_int8', 'input_0.bin', slow],
];

d('the figures agree across codegen, build and run (qemu-m4)', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-figures-'));
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test.each(CASES)('%s', async (name, input, runIt) => {
    const model = path.join(SHARED, 'models', `${name}.tflite`);
    const codegen = await cli('codegen', model, '-o', path.join(work, name, 'codegen'), '--board', 'qemu-m4', '--json');
    const codegenText = await cli('codegen', model, '-o', path.join(work, name, 'codegen'), '--board', 'qemu-m4');
    const built = path.join(work, name, 'build');
    const build = await cli('build', '--board', 'qemu-m4', '--model', model, '-o', built, '--profile', '--json');
    const buildText = await cli('build', '--board', 'qemu-m4', '--model', model, '-o', path.join(work, name, 'build-text'), '--profile');
    const c = JSON.parse(codegen.out);
    const b = JSON.parse(build.out);

    // codegen and build: the same figures, and the linked ELF holds exactly them.
    expect(c.fit).toMatchObject({ board: 'qemu-m4', fits: true });
    expect(codegenText.out).toMatch(/^fits qemu-m4: arena \d+ of \d+ B of RAM left beside the stack/m);
    for (const key of ['weightsBytes', 'arenaBytes', 'lowerBoundBytes']) expect(b[key]).toEqual(c[key]);
    expect(b.size.flash.weights).toBe(c.weightsBytes);
    expect(b.size.ram.arena).toBe(c.arenaBytes);
    expect(c.arenaBytes).toBeGreaterThanOrEqual(c.lowerBoundBytes.withSharing);
    expect(figuresLine(buildText.out)).toBe(figuresLine(codegenText.out));
    const plan = JSON.parse(fs.readFileSync(path.join(built, 'src', 'plan.json'), 'utf8'));
    expect([plan.weightsBytes, plan.arenaBytes, plan.lowerBoundBytes, plan.lowerBoundWithSharingBytes]).toEqual([c.weightsBytes, c.arenaBytes, c.lowerBoundBytes.withoutSharing, c.lowerBoundBytes.withSharing]);
    console.log(`${name}: ${figuresLine(codegenText.out)}; firmware flash ${b.size.flash.used}, RAM ${b.size.ram.used}`);
    if (!runIt) return;

    // run, on the firmware build wrote: the same figures, and the build's flash and RAM.
    const gold = path.join(SHARED, 'gold', name, input);
    const out = path.join(work, name, 'out.bin');
    const html = path.join(work, name, 'profile.html');
    const run = await cli('run', model, '--board', 'qemu-m4', '--firmware', built, '--input', gold, '--output', out, '--profile', '--html', html, '--trace', path.join(work, name, 'trace.json'));
    expect(figuresLine(run.out)).toBe(figuresLine(codegenText.out));
    expect(run.out).toContain(`\nfirmware flash ${b.size.flash.used} of ${b.size.flash.size} B`);
    expect(run.out).toMatch(new RegExp(`, RAM ${b.size.ram.used} of ${b.size.ram.size} B`));
    expect(fs.readFileSync(out).equals(fs.readFileSync(path.join(SHARED, 'gold', name, input.replace('input', 'output'))))).toBe(true);
    // The profile report: the build's flash and RAM, the plan's arena, weights and bounds.
    const page = fs.readFileSync(html, 'utf8');
    expect(page).toContain(`${b.size.flash.used.toLocaleString('en-US')} of ${b.size.flash.size.toLocaleString('en-US')} bytes`);
    expect(page).toContain(`of which weights ${c.weightsBytes.toLocaleString('en-US')}`);
    expect(page).toContain(`of which arena ${c.arenaBytes.toLocaleString('en-US')}`);
    expect(page).toContain(`lower bound with in-place sharing: ${c.lowerBoundBytes.withSharing} bytes`);
  }, 600_000);
});
