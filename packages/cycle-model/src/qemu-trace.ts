import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CycleModelError } from './errors';
import { LayerHooks, TraceParser, TraceProfile } from './trace-parser';

export interface TracedRunOptions {
  /** QEMU machine (`mps2-an386` for the Cortex-M4, `mps2-an500` for the Cortex-M7). */
  machine: string;
  /** The firmware. Linked at `resetBase` it is booted as the kernel; linked elsewhere (an application image) a
   * two-word vector table at `resetBase` (its initial SP and reset vector) starts it, as a bootloader's Go would. */
  elf: string;
  /** Where the machine fetches its reset vector (0 on the mps2 machines). */
  resetBase?: number;
  /** -icount shift (instructions are counted from the trace either way; the board's value keeps its counters). */
  icountShift?: number;
  /** Bytes for the console UART (QEMU's -serial stdio), written at start. */
  input?: Uint8Array;
  /** Console output; return true to end the run (QEMU is stopped, the trace read to its end). */
  onConsole?: (bytes: Uint8Array) => boolean | void;
  /** Per-layer attribution (see layerHooksFromElf). */
  hooks?: LayerHooks;
  /** false: run without the execution log (to measure the tracing overhead). Default true. */
  trace?: boolean;
  /** Hang guard for the whole run, ms (default 10 minutes). */
  timeoutMs?: number;
}

export interface TracedRun {
  /** Undefined when run with `trace: false`. */
  profile?: TraceProfile;
  /** QEMU's exit status (the program's semihosting exit code), or null when it was stopped. */
  exitCode: number | null;
  /** Wall time from start to QEMU's exit with the log read, and the log's size. */
  milliseconds: number;
  logBytes: number;
}

/** The lowest loaded segment's physical address and its first two words (the vector table's SP and reset). */
function imageStart(elf: string): { address: number; vectors: Buffer } {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(elf);
  } catch (e) {
    throw new CycleModelError('CYCLES_TRACE', `cannot read the firmware: ${(e as Error).message}`, { file: elf });
  }
  if (bytes.length < 52 || bytes.readUInt32BE(0) !== 0x7f454c46 || bytes[4] !== 1 || bytes[5] !== 1) {
    throw new CycleModelError('CYCLES_TRACE', 'not a 32-bit little-endian ELF file', { file: elf });
  }
  const phoff = bytes.readUInt32LE(0x1c);
  const phentsize = bytes.readUInt16LE(0x2a);
  const phnum = bytes.readUInt16LE(0x2c);
  let best: { address: number; vectors: Buffer } | undefined;
  for (let k = 0; k < phnum; k++) {
    const at = phoff + k * phentsize;
    if (at + 32 > bytes.length) break;
    const [type, offset, paddr, filesz] = [bytes.readUInt32LE(at), bytes.readUInt32LE(at + 4), bytes.readUInt32LE(at + 12), bytes.readUInt32LE(at + 16)];
    if (type !== 1 || filesz < 8 || offset + 8 > bytes.length) continue;
    if (best === undefined || paddr < best.address) best = { address: paddr, vectors: bytes.subarray(offset, offset + 8) };
  }
  if (best === undefined) throw new CycleModelError('CYCLES_TRACE', 'the ELF has no loadable segment', { file: elf });
  return best;
}

/**
 * Run a firmware on QEMU with its execution log streamed through a FIFO into the parser: translation blocks are
 * counted as the log arrives and no line is stored, so a whole inference (millions of instructions) fits.
 */
export function runTraced(options: TracedRunOptions): Promise<TracedRun> {
  const resetBase = options.resetBase ?? 0;
  const tracing = options.trace ?? true;
  const image = imageStart(options.elf);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tfg-cycles-'));
  const cleanUp = () => fs.rmSync(work, { recursive: true, force: true });
  const fifo = path.join(work, 'qemu.log');
  const boot: string[] = [];
  if (image.address === resetBase) {
    boot.push('-kernel', options.elf);
  } else {
    const table = path.join(work, 'vectors.bin');
    fs.writeFileSync(table, image.vectors);
    boot.push('-device', `loader,file=${table},addr=0x${resetBase.toString(16)},force-raw=on`, '-device', `loader,file=${options.elf}`);
  }
  if (tracing) {
    const r = spawnSync('mkfifo', [fifo]);
    if (r.status !== 0) {
      cleanUp();
      throw new CycleModelError('CYCLES_TOOL', `mkfifo failed: ${r.error?.message ?? r.stderr}`);
    }
  }
  const args = [
    '-M', options.machine, '-display', 'none', '-monitor', 'none', '-serial', 'stdio',
    '-semihosting-config', 'enable=on,target=native',
    '-icount', `shift=${options.icountShift ?? 3},align=off,sleep=off`,
    ...(tracing ? ['-d', 'in_asm,exec,nochain', '-D', fifo] : []),
    ...boot,
  ];
  const parser = new TraceParser(options.hooks);
  const started = Date.now();
  return new Promise<TracedRun>((resolve, reject) => {
    let logBytes = 0;
    let logDone = !tracing;
    let logOpened = false;
    let exitCode: number | null | undefined;
    let failure: Error | undefined;
    let stderr = '';
    const qemu = spawn('qemu-system-arm', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const timer = setTimeout(() => {
      failure ??= new CycleModelError('CYCLES_TRACE', `QEMU did not finish within ${options.timeoutMs ?? 600_000} ms`);
      qemu.kill('SIGKILL');
    }, options.timeoutMs ?? 600_000);
    const settle = () => {
      if (exitCode === undefined || !logDone) return;
      clearTimeout(timer);
      cleanUp();
      if (failure !== undefined) return reject(failure);
      try {
        resolve({ profile: tracing ? parser.finish() : undefined, exitCode, milliseconds: Date.now() - started, logBytes });
      } catch (e) {
        reject(e);
      }
    };
    if (tracing) {
      const log = fs.createReadStream(fifo, { highWaterMark: 1 << 20 });
      log.on('open', () => (logOpened = true));
      log.on('data', (chunk) => {
        logBytes += chunk.length;
        if (failure !== undefined) return;
        try {
          parser.push(chunk as Buffer);
        } catch (e) {
          failure = e as Error;
          qemu.kill('SIGKILL');
        }
      });
      log.on('error', (e) => {
        failure ??= new CycleModelError('CYCLES_TRACE', `reading QEMU's log failed: ${e.message}`);
        logDone = true;
        settle();
      });
      log.on('close', () => {
        logDone = true;
        settle();
      });
    }
    qemu.on('error', (e) => {
      failure ??= new CycleModelError('CYCLES_TOOL', `cannot run qemu-system-arm: ${e.message}`);
    });
    qemu.stderr.on('data', (d) => (stderr = (stderr + d.toString()).slice(-2000)));
    qemu.stdout.on('data', (chunk: Buffer) => {
      if (options.onConsole?.(new Uint8Array(chunk)) === true) qemu.kill('SIGTERM');
    });
    qemu.stdin.on('error', () => undefined); // QEMU gone before reading its input: reported by the exit
    if (options.input !== undefined && options.input.length > 0) qemu.stdin.write(Buffer.from(options.input));
    qemu.on('close', (code, signal) => {
      exitCode = code;
      if (code !== 0 && signal === null && failure === undefined) {
        failure = new CycleModelError('CYCLES_TRACE', `QEMU exited with status ${code}: ${stderr.trim().slice(0, 500)}`);
      }
      if (tracing && !logOpened) {
        // QEMU never opened its log (it failed first): open the FIFO's write end so the pending reader sees its end.
        try {
          fs.closeSync(fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK));
        } catch {
          logDone = true;
        }
      }
      settle();
    });
  });
}
