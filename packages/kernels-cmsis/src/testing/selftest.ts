/**
 * Runs a seeded C self-test (test/qemu/tfg_selftest*.c, linked with the shared harness) on the host, where the
 * kernels take plain C, and on emulated Cortex-M targets, where they take the DSP or Helium paths. The specs compare
 * the printed lines: one hash per case, so any byte that differs between the paths shows. Used by this package's
 * tests only; not part of the public API.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { compileWithKernels, compileWithKernelsAsync, hasCompiler } from '../host-compiler';
import { QEMU_DIR } from './c-harness';
import { bareMetalFlags, CortexTarget, runProcess } from './model-program';

const HARNESS = path.join(QEMU_DIR, 'tfg_selftest_harness.c');

/** A self-test source in test/qemu, e.g. `tfg_selftest.c`. */
export const selfTestSource = (file: string): string => path.join(QEMU_DIR, file);

export interface SelfTestTarget {
  cortex: CortexTarget;
  /** What the disassembly must hold (instructions or `<symbol>:`), so that the run takes the path under test. */
  mustContain: RegExp[];
  /** Functions whose own disassembly must (and must not) hold instructions: what the compiler made of a loop. */
  functions?: FunctionCheck[];
}

export interface FunctionCheck {
  symbol: string;
  contains: RegExp[];
  excludes?: RegExp[];
}

/** One function's lines of an `objdump -d` listing (from `<symbol>:` to the blank line after it). */
export function functionDisassembly(listing: string, symbol: string): string | undefined {
  const start = listing.indexOf(`<${symbol}>:\n`);
  if (start < 0) return undefined;
  const end = listing.indexOf('\n\n', start);
  return listing.slice(start, end < 0 ? undefined : end);
}

/** The problems of `checks` against a listing (empty when every check holds). */
export function checkFunctions(listing: string, checks: FunctionCheck[]): string[] {
  const problems: string[] = [];
  for (const check of checks) {
    const body = functionDisassembly(listing, check.symbol);
    if (body === undefined) {
      problems.push(`${check.symbol} is not in the image`);
      continue;
    }
    for (const re of check.contains) if (!re.test(body)) problems.push(`${check.symbol} lacks ${re}`);
    for (const re of check.excludes ?? []) if (re.test(body)) problems.push(`${check.symbol} holds ${re}`);
  }
  return problems;
}

/** Whether gcc, arm-none-eabi-gcc and qemu-system-arm are all there; warns naming the skipped tests when not. */
export function canRunSelfTests(what: string): boolean {
  const missing = ['gcc', 'arm-none-eabi-gcc', 'qemu-system-arm'].filter((tool) => !hasCompiler(tool));
  if (missing.length > 0) console.warn(`${what} skipped: needs ${missing.join(', ')}`);
  return missing.length === 0;
}

/** Build `source` for the host, run it and return its lines; throws unless it exits 0. */
export function runSelfTestOnHost(source: string, workDir: string): string[] {
  const program = path.join(workDir, `${path.basename(source, '.c')}_host`);
  compileWithKernels([source, HARNESS, path.join(QEMU_DIR, 'host_main.c')], program);
  const r = spawnSync(program, [], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`host self-test exited ${r.status}:\n${r.stdout}${r.stderr}`);
  return r.stdout.trim().split('\n');
}

/** objdump decodes Helium (MVE) instructions only when told the architecture. */
const disassemblerArch = (cortex: CortexTarget): string[] => (cortex.name === 'cortex-m55' ? ['-m', 'armv8.1-m.main'] : []);

/** Build `source` for the target, check its disassembly, run it under QEMU and return its lines. */
export async function runSelfTestOnCortex(source: string, workDir: string, target: SelfTestTarget): Promise<string[]> {
  const { cortex } = target;
  const elf = path.join(workDir, `${path.basename(source, '.c')}_${cortex.name}.elf`);
  await compileWithKernelsAsync([source, HARNESS, path.join(QEMU_DIR, 'startup.c')], elf, {
    compiler: 'arm-none-eabi-gcc',
    flags: bareMetalFlags(cortex),
  });
  const dis = await runProcess('arm-none-eabi-objdump', ['-d', ...disassemblerArch(cortex), elf], 60_000);
  for (const re of target.mustContain) {
    if (!re.test(dis.output)) throw new Error(`${cortex.name}: ${re} is not in the image (the path under test was not built)`);
  }
  const problems = checkFunctions(dis.output, target.functions ?? []);
  if (problems.length > 0) throw new Error(`${cortex.name}: ${problems.join('; ')}`);
  const args = ['-M', cortex.machine, '-nographic', '-semihosting-config', 'enable=on,target=native', '-kernel', elf];
  const r = await runProcess('qemu-system-arm', args, 120_000);
  // Semihosting console output arrives on QEMU's stderr, within `output`.
  if (r.status !== 0) throw new Error(`${cortex.machine} exited ${r.status}:\n${r.output.slice(-2000)}`);
  return r.output.trim().split('\n');
}

/**
 * One self-test on the host and on every target: `start` runs the host build (blocking) and starts each target's
 * build and run at once, so that they proceed side by side; each target's test awaits its own run (a failed run
 * rejects only its own promise).
 */
export class SelfTestSession {
  hostLines: string[] = [];
  private workDir = '';
  private readonly runs = new Map<string, Promise<string[]>>();

  constructor(
    readonly source: string,
    readonly targets: SelfTestTarget[],
  ) {}

  start(): void {
    this.workDir = fs.mkdtempSync(path.join(os.tmpdir(), `${path.basename(this.source, '.c')}-`));
    this.hostLines = runSelfTestOnHost(this.source, this.workDir);
    for (const target of this.targets) {
      const run = runSelfTestOnCortex(this.source, this.workDir, target);
      run.catch(() => undefined); // reported by the test that awaits it
      this.runs.set(target.cortex.name, run);
    }
  }

  /** The lines the target printed. */
  targetLines(target: SelfTestTarget): Promise<string[]> {
    const run = this.runs.get(target.cortex.name);
    if (run === undefined) throw new Error(`${target.cortex.name} was not started`);
    return run;
  }

  /** Wait for every run to end, then delete the builds. */
  async close(): Promise<void> {
    await Promise.allSettled(this.runs.values());
    if (this.workDir !== '') fs.rmSync(this.workDir, { recursive: true, force: true });
  }
}
