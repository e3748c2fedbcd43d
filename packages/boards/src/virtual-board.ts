import { ChildProcessWithoutNullStreams, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BoardError } from './errors';
import { cacheRoot, compilerVersion, contentCacheDir, filesUnder, writeFileAtomic } from '@tinyforge/common';
import { parseElf, Segment } from '@tinyforge/flasher';
import { buildFirmware } from './firmware';
import { armGcc } from './toolchain';
import { Target } from './load';
import { childExited, endChild, guardChild } from './process-guard';
import { SerialBridge, startSerialBridge, waitForPath } from './serial-bridge';

/**
 * How the console UART reaches the host:
 * - `bridge` (default): QEMU serves it on a UNIX socket and socat bridges that to a pseudo-terminal. Reliable for
 *   bulk host→board transfers (stm32flash, our flasher); output is buffered until the host reads it.
 * - `pty`: QEMU's own pty backend. No socat needed, but QEMU drops output while no host has the pty open.
 */
export type SerialMode = 'bridge' | 'pty';

/**
 * How host bytes reach the board (bridge mode; board output is always the console UART):
 * - `uart`: into the console UART's receiver. QEMU 7.2's CMSDK UART has no FIFO and takes one byte per round of
 *   QEMU's I/O loop, each a hand-over between its I/O and CPU threads: 13-18 KiB/s on a loaded host.
 * - `semihosting`: into QEMU's semihosting console (a 1 KiB FIFO filled in one round), which the board's console
 *   driver reads with SYS_READC (boards/common/src/uart_cmsdk.c); socat splits the pty's two directions. The board
 *   knows from the semihosting command line. Its `tfg_console_try_getc` cannot look without waiting (returns -1).
 */
export type HostInput = 'uart' | 'semihosting';

/** The semihosting command-line word that tells the board's console driver to read host bytes by semihosting. */
export const SEMIHOSTING_INPUT_MARK = 'tfg-host-input=semihosting';

export interface VirtualBoardOptions {
  /**
   * Boot this ELF directly: an application image (linked at the board's flash, as for flashing; see resetStub) or
   * one linked with `image: 'bootloader'` into the region QEMU resets into.
   */
  elf?: string;
  /** Boot the AN3155 bootloader (built on demand into a cache directory unless `bootloaderElf` is given). */
  bootloader?: boolean;
  bootloaderElf?: string;
  /**
   * Keep the CPU stopped until resume(), so a host can open the port before the program prints. Defaults to true
   * for `elf` and false for the bootloader (which is silent until the host sends 0x7F).
   */
  paused?: boolean;
  serial?: SerialMode;
  /** Bridge mode only; default `uart`. */
  hostInput?: HostInput;
  /** Milliseconds to wait for each start-up step: QEMU's socket or pty, socat's pty, QEMU's machine running. */
  startTimeoutMs?: number;
  /**
   * Power on with the application flash as the last saveVirtualFlash left it, as a real board's flash survives a
   * power cycle (default: the emulator's blank memory). A host that checks what the board holds (AN3155 Get
   * Checksum) can then skip flashing an unchanged image; nothing is assumed without that check.
   */
  keepFlash?: boolean;
}

export interface VirtualBoard {
  board: string;
  /** The console UART as a pseudo-terminal, e.g. /dev/pts/7. */
  ptyPath: string;
  /** QEMU's process id. */
  pid: number;
  /** socat's process id (bridge mode). */
  bridgePid?: number;
  /** Start the CPU (after `paused: true`). */
  resume(): void;
  /** Resolves with QEMU's exit status: the program's semihosting exit code, or null when killed. */
  exited: Promise<number | null>;
  /** Stop QEMU (monitor `quit`, then SIGKILL after a grace period) and socat; resolves once both are gone. */
  stop(): Promise<void>;
}

export function hasQemu(): boolean {
  const r = spawnSync('qemu-system-arm', ['--version'], { encoding: 'utf8' });
  return r.error === undefined && r.status === 0;
}

/**
 * The bootloader ELF for a virtual board, built once per content of its sources (the board's folder and
 * boards/common) into the content cache, shared by every process (nothing is left per process).
 */
export function bootloaderElf(board: Target): string {
  const boardsDir = path.dirname(board.dir);
  const sources = [...filesUnder(path.join(boardsDir, 'common'), ['.c', '.h', '.S', '.ld']), ...filesUnder(board.dir, ['.c', '.h', '.S', '.json'])];
  const outDir = contentCacheDir('bootloader', [board.name, compilerVersion(armGcc())], sources);
  const elf = path.join(outDir, 'bootloader.elf');
  if (!fs.existsSync(elf)) {
    // Built beside and renamed into place whole: a concurrent process uses either its own or this one.
    const tmp = `${outDir}.${process.pid}.tmp`;
    const source = path.join(boardsDir, 'common', 'bootloader', 'an3155.c');
    try {
      buildFirmware({ target: board, sources: [source], outDir: tmp, name: 'bootloader', image: 'bootloader', optimize: 'Os' });
      fs.renameSync(tmp, outDir);
    } catch (e) {
      if (!fs.existsSync(elf)) throw e;
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
  return elf;
}

/** Where a virtual board's application flash is kept between boots (per user, per board). */
export function virtualFlashFile(board: Target): string {
  return path.join(cacheRoot(), 'virtual-flash', `${board.name}.bin`);
}

/**
 * Record what the board's application flash now holds (the segments just written and verified), from the flash
 * base up, gaps 0xFF as erased flash; the next `keepFlash` boot starts with it. Written atomically: a board
 * powering on at the same time reads the old or the new contents.
 */
export function saveVirtualFlash(board: Target, segments: readonly Segment[]): void {
  const base = Number(board.flash.base);
  const end = Math.max(base, ...segments.map((s) => s.address + s.data.length));
  if (segments.some((s) => s.address < base) || end - base > Number(board.flash.size)) {
    throw new BoardError('BOARD_OVERFLOW', `the image does not lie in ${board.name}'s flash`, { file: board.file });
  }
  const bytes = new Uint8Array(end - base).fill(0xff);
  for (const s of segments) bytes.set(s.data, s.address - base);
  const file = virtualFlashFile(board);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic(file, bytes);
}

/** QEMU arguments that preload the kept flash, when there is one that fits. */
function keptFlashArgs(board: Target): string[] {
  const file = virtualFlashFile(board);
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    return [];
  }
  if (size === 0 || size > Number(board.flash.size)) return [];
  return ['-device', `loader,file=${file},addr=0x${Number(board.flash.base).toString(16)},force-raw=on`];
}

export interface QemuArgOptions {
  /** The -serial backend: "pty" or "unix:PATH,server=on,wait=on". */
  serial?: string;
  /** The -monitor backend ("stdio" for a controlling parent, "none" for a detached board). */
  monitor?: string;
  paused?: boolean;
  /** A file of bytes QEMU writes at the reset address before the CPU starts (resetStub's). */
  resetStub?: string;
  /** A UNIX socket QEMU serves as its semihosting console: the host's bytes for the board (HostInput `semihosting`). */
  inputSocket?: string;
}

export function qemuArgs(board: Target, kernel: string, options: QemuArgOptions = {}): string[] {
  if (board.qemu === undefined) throw new BoardError('BOARD_QEMU', `${board.name} is not a virtual board`, { file: board.file });
  return [
    '-M', board.qemu.machine,
    '-display', 'none',
    '-monitor', options.monitor ?? 'stdio',
    '-serial', options.serial ?? 'pty',
    ...(options.paused ?? true ? ['-S'] : []),
    ...(options.inputSocket !== undefined
      ? ['-chardev', `socket,id=tfg-host-input,path=${options.inputSocket},server=on,wait=off`, '-semihosting-config', `enable=on,target=native,chardev=tfg-host-input,arg=${SEMIHOSTING_INPUT_MARK}`]
      : ['-semihosting-config', 'enable=on,target=native']),
    '-icount', `shift=${board.qemu.icountShift},align=off,sleep=off`,
    '-kernel', kernel,
    ...(options.resetStub !== undefined ? ['-device', `loader,file=${options.resetStub},addr=0x${board.qemu.bootloader.base.toString(16)},force-raw=on`] : []),
  ];
}

/**
 * QEMU resets a Cortex-M through the vector table at the virtual board's reset address, the bootloader region's
 * base. An application image (linked at the board's flash, as flashed through the bootloader) loaded directly
 * leaves that region empty: the stub is its own table's first two words (initial stack pointer, reset handler),
 * which QEMU writes at the reset address (qemuArgs' resetStub) so the CPU starts the application, whose startup
 * code then points VTOR at its own table, as it does when the bootloader starts it. Undefined when the image itself
 * holds the reset address (linked into the bootloader region). A typed error when it holds neither.
 */
export function resetStub(board: Target, elfFile: string): Uint8Array | undefined {
  if (board.qemu === undefined) throw new BoardError('BOARD_QEMU', `${board.name} is not a virtual board`, { file: board.file });
  const image = parseElf(new Uint8Array(fs.readFileSync(elfFile)), elfFile);
  const wordsAt = (address: number): Uint8Array | undefined => {
    const s = image.segments.find((g) => g.address <= address && address + 8 <= g.address + g.data.length);
    return s?.data.slice(address - s.address, address - s.address + 8);
  };
  if (wordsAt(board.qemu.bootloader.base) !== undefined) return undefined;
  const table = wordsAt(board.flash.base);
  if (table === undefined) {
    throw new BoardError('BOARD_QEMU', `the ELF has no vector table at the reset address 0x${board.qemu.bootloader.base.toString(16)} or at the application flash 0x${board.flash.base.toString(16)} of ${board.name}`, { file: elfFile });
  }
  return table;
}

/** The image to boot, checking what can be checked before starting anything. */
export function resolveKernel(board: Target, options: VirtualBoardOptions): { board: Target; kernel: string } {
  if (board.kind !== 'virtual') throw new BoardError('BOARD_QEMU', `${board.name} is a hardware board; only virtual boards run on QEMU`);
  if ((options.elf === undefined) === !options.bootloader) throw new BoardError('BOARD_QEMU', 'give exactly one of `elf` and `bootloader`');
  const kernel = options.elf ?? options.bootloaderElf ?? bootloaderElf(board);
  if (!fs.existsSync(kernel)) throw new BoardError('BOARD_IO', 'ELF file not found', { file: kernel });
  return { board, kernel };
}

export async function startVirtualBoard(target: Target, options: VirtualBoardOptions): Promise<VirtualBoard> {
  const { board, kernel } = resolveKernel(target, options);
  const paused = options.paused ?? options.elf !== undefined;
  const mode = options.serial ?? 'bridge';
  const hostInput = options.hostInput ?? 'uart';
  if (hostInput === 'semihosting' && mode !== 'bridge') throw new BoardError('BOARD_QEMU', 'host input through semihosting needs the socat bridge (serial: bridge)');
  const timeoutMs = options.startTimeoutMs ?? 15_000;
  const stub = options.elf !== undefined ? resetStub(board, options.elf) : undefined;
  const workDir = mode === 'bridge' || stub !== undefined ? fs.mkdtempSync(path.join(os.tmpdir(), 'tfg-vb-')) : undefined;
  const socketPath = mode === 'bridge' && workDir !== undefined ? path.join(workDir, 'uart.sock') : undefined;
  const serial = socketPath ? `unix:${socketPath},server=on,wait=on` : 'pty';
  const inputSocket = hostInput === 'semihosting' && workDir !== undefined ? path.join(workDir, 'input.sock') : undefined;
  const stubFile = stub !== undefined && workDir !== undefined ? path.join(workDir, 'reset-stub.bin') : undefined;
  if (stubFile !== undefined) fs.writeFileSync(stubFile, stub!);

  const qemu = spawnQemu(board, kernel, { serial, resetStub: stubFile, inputSocket }, options.keepFlash && options.bootloader ? keptFlashArgs(board) : []);
  let bridge: SerialBridge | undefined;
  const cleanUp = () => {
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
    process.off('exit', cleanUp);
  };
  // Also when Node exits before the board is stopped (Ctrl-C: the process guard kills QEMU and socat at exit).
  if (workDir) process.on('exit', cleanUp);
  let ptyPath: string;
  try {
    if (socketPath && workDir) {
      // QEMU listens, then waits (wait=on) for socat before it runs anything: no output can be lost.
      if (!(await waitForPath(socketPath, timeoutMs, qemu.alive))) qemu.fail('QEMU did not open its serial socket');
      bridge = await startSerialBridge(socketPath, path.join(workDir, 'uart.pty'), { timeoutMs, inputSocket });
      guardChild(bridge.process);
      ptyPath = bridge.ptyPath;
    } else {
      ptyPath = await qemu.reportedPty(timeoutMs);
    }
  } catch (e) {
    qemu.child.kill('SIGKILL');
    cleanUp();
    throw e;
  }

  // Hold the pty open (never reading) for the board's life, in raw mode first so the line discipline never echoes
  // the board's output back into its UART. With QEMU's pty backend this also keeps QEMU from dropping output
  // between one host program and the next (stm32flash, then a reader).
  let holder: number | undefined;
  try {
    const r = spawnSync('stty', ['-F', ptyPath, 'raw', '-echo'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr || String(r.error));
    holder = fs.openSync(ptyPath, fs.constants.O_RDWR | fs.constants.O_NOCTTY);
  } catch (e) {
    qemu.child.kill('SIGKILL');
    bridge?.process.kill('SIGKILL');
    cleanUp();
    throw new BoardError('BOARD_QEMU', `cannot prepare the serial port: ${(e as Error).message}`, { file: ptyPath });
  }

  const socatGone = bridge ? childExited(bridge.process) : Promise.resolve();
  const released = Promise.all([childExited(qemu.child), socatGone]).then(() => {
    if (holder !== undefined) fs.closeSync(holder);
    holder = undefined;
    cleanUp();
  });
  // socat ends by itself shortly after QEMU closes the socket (having passed on the last bytes); make sure it does.
  qemu.child.once('exit', () => {
    if (bridge) setTimeout(() => void endChild(bridge!.process), 2000).unref();
  });
  if (!paused) qemu.monitor('cont');
  // Return only once QEMU has finished building the machine and runs (or waits, paused): until then host bytes
  // sit unanswered, and a host with a short timeout (stm32flash's init) gives up while a loaded machine catches up.
  try {
    await qemu.query('info status', paused ? /VM status: paused/ : /VM status: running/, timeoutMs);
  } catch (e) {
    qemu.child.kill('SIGKILL');
    bridge?.process.kill('SIGKILL');
    await released;
    throw e;
  }
  return {
    board: board.name,
    ptyPath,
    pid: qemu.child.pid ?? -1,
    bridgePid: bridge?.process.pid,
    resume: () => qemu.monitor('cont'),
    exited: qemu.exited,
    stop: async () => {
      if (qemu.child.exitCode === null && qemu.child.signalCode === null) {
        qemu.monitor('quit');
        const timer = setTimeout(() => qemu.child.kill('SIGKILL'), 2000);
        await qemu.exited;
        clearTimeout(timer);
      }
      if (bridge) await endChild(bridge.process);
      await released;
    },
  };
}

interface QemuProcess {
  child: ChildProcessWithoutNullStreams;
  exited: Promise<number | null>;
  alive: () => boolean;
  monitor: (command: string) => void;
  /** Send a monitor command and wait until its answer matches `pattern`. */
  query: (command: string, pattern: RegExp, timeoutMs: number) => Promise<void>;
  /** The pty QEMU's own backend reports ("char device redirected to /dev/pts/N"). */
  reportedPty: (timeoutMs: number) => Promise<string>;
  fail: (message: string) => never;
}

function spawnQemu(board: Target, kernel: string, args: Pick<QemuArgOptions, 'serial' | 'resetStub' | 'inputSocket'>, extra: string[]): QemuProcess {
  let child: ChildProcessWithoutNullStreams;
  try {
    child = spawn('qemu-system-arm', [...qemuArgs(board, kernel, { ...args, monitor: 'stdio', paused: true }), ...extra], { stdio: 'pipe' });
  } catch (e) {
    throw new BoardError('BOARD_TOOLCHAIN', `cannot run qemu-system-arm: ${(e as Error).message}`);
  }
  guardChild(child);
  let spawnError: NodeJS.ErrnoException | undefined;
  child.on('error', (e) => (spawnError = e));
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => resolve(code));
    child.on('error', () => resolve(null));
  });
  let monitorText = '';
  let errText = '';
  child.stdin.on('error', () => undefined); // EPIPE after QEMU exited on its own (semihosting exit)
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (s: string) => (monitorText = (monitorText + s).slice(-4096)));
  child.stderr.on('data', (s: string) => (errText = (errText + s).slice(-4096)));
  const alive = () => spawnError === undefined && child.exitCode === null && child.signalCode === null;
  const fail = (message: string): never => {
    child.kill('SIGKILL');
    if (spawnError?.code === 'ENOENT') throw new BoardError('BOARD_TOOLCHAIN', 'qemu-system-arm not found: install it with `sudo apt-get install qemu-system-arm`');
    const status = child.exitCode !== null ? ` (QEMU exited with status ${child.exitCode})` : '';
    throw new BoardError('BOARD_QEMU', `${message}${status}${errText ? `: ${errText.trim()}` : ''}`);
  };
  const reportedPty = async (timeoutMs: number): Promise<string> => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && alive()) {
      const m = /char device redirected to (\/dev\/pts\/\d+)/.exec(monitorText);
      if (m !== null) return m[1];
      await new Promise((r) => setTimeout(r, 10));
    }
    return fail(`QEMU did not report its serial port within ${timeoutMs} ms`);
  };
  const monitor = (command: string) => {
    if (child.exitCode === null && child.stdin.writable) child.stdin.write(`${command}\n`);
  };
  const query = async (command: string, pattern: RegExp, timeoutMs: number): Promise<void> => {
    monitorText = '';
    monitor(command);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && alive()) {
      if (pattern.test(monitorText)) return;
      await new Promise((r) => setTimeout(r, 10));
    }
    fail(`QEMU did not answer \`${command}\` within ${timeoutMs} ms`);
  };
  return { child, exited, alive, monitor, query, reportedPty, fail };
}
