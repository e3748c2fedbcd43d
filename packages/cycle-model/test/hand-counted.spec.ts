/**
 * Hand-counted loops (test/asm/*.S, each with its count derived from the Cortex-M4 TRM in its comment), built with
 * arm-none-eabi-gcc and run under QEMU with the execution log: the estimator must give exactly those cycles and
 * instruction counts for the `kernel` function (the attribution window: from its entry to its return).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cortexM4, estimateCycles, readSymbols, runTraced, TraceEstimate } from '../src';

const ASM = path.join(__dirname, 'asm');
const tools = ['arm-none-eabi-gcc', 'qemu-system-arm'].every((t) => spawnSync(t, ['--version']).status === 0);
const maybe = tools ? describe : describe.skip;
if (!tools) console.warn('hand-counted cycle tests skipped: arm-none-eabi-gcc or qemu-system-arm missing');

const CASES = [
  { name: 'smlad-loop', cycles: 116, instructions: 83 },
  { name: 'ldm-stm-copy', cycles: 107, instructions: 34 },
  { name: 'branchy-loop', cycles: 69, instructions: 42 },
  { name: 'load-use-chain', cycles: 143, instructions: 82 },
];

maybe('hand-counted Cortex-M4 loops under QEMU', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfg-cycle-loops-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function traced(name: string, machine: string, cpu: string): Promise<TraceEstimate> {
    const elf = path.join(dir, `${name}-${cpu}.elf`);
    const r = spawnSync('arm-none-eabi-gcc', [`-mcpu=${cpu}`, '-mthumb', '-nostdlib', '-T', path.join(ASM, 'harness.ld'), path.join(ASM, 'harness.S'), path.join(ASM, `${name}.S`), '-o', elf], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const kernel = readSymbols(elf).get('kernel');
    if (kernel === undefined) throw new Error('no kernel symbol');
    // No layer hooks in these programs: the counter entry is an address never executed.
    const hooks = { windowEntry: kernel.address, counterEntry: 0xfffffffe, callerStart: kernel.address, callerEnd: kernel.address };
    const run = await runTraced({ machine, elf, hooks, timeoutMs: 120_000 });
    expect(run.exitCode).toBe(0);
    expect(run.profile?.windows).toBe(1);
    return estimateCycles(run.profile!, cortexM4);
  }

  it.each(CASES)('$name: $cycles cycles, $instructions instructions on the Cortex-M4 model', async ({ name, cycles, instructions }) => {
    const e = await traced(name, 'mps2-an386', 'cortex-m4');
    expect(e.inference?.instructions).toBe(instructions);
    expect(e.inference?.cycles).toBe(cycles);
    expect(e.unclassified).toEqual({});
  }, 180_000);

  it('counts the same instructions on the Cortex-M7 machine (mps2-an500)', async () => {
    const e = await traced('smlad-loop', 'mps2-an500', 'cortex-m7');
    expect(e.inference?.instructions).toBe(83);
  }, 180_000);
});
