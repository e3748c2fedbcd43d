import { ChildProcessWithoutNullStreams, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BoardError } from './errors';
import { buildFirmware } from './firmware';
import { BoardLookup, LoadedBoard, loadBoard } from './load';

export interface VirtualBoardOptions extends BoardLookup {
  /** Boot this ELF directly (linked with `image: 'bootloader'`, i.e. into the region QEMU resets into). */
  elf?: string;
  /** Boot the AN3155 bootloader (built on demand into a cache directory unless `bootloaderElf` is given). */
  bootloader?: boolean;
  bootloaderElf?: string;
  /**
   * Keep the CPU stopped until resume(): output written before the host opened the pty is lost, so open the port
   * first. Defaults to true for `elf` and false for the bootloader (which is silent until the host sends 0x7F).
   */
  paused?: boolean;
  /** Milliseconds to wait for QEMU to report its serial port. */
  startTimeoutMs?: number;
}

export interface VirtualBoard {
  board: string;
  /** The console UART as a pseudo-terminal, e.g. /dev/pts/7. */
  ptyPath: string;
  pid: number;
  /** Start the CPU (after `paused: true`). */
  resume(): void;
  /** Resolves with QEMU's exit status: the program's semihosting exit code, or null when killed. */
  exited: Promise<number | null>;
  /** Stop QEMU (monitor `quit`, then SIGKILL after a grace period); resolves once the process is gone. */
  stop(): Promise<void>;
}

const live = new Set<ChildProcessWithoutNullStreams>();

export function hasQemu(): boolean {
  const r = spawnSync('qemu-system-arm', ['--version'], { encoding: 'utf8' });
  return r.error === undefined && r.status === 0;
}

/** The bootloader ELF for a virtual board, built once per process into the OS temp directory. */
export function bootloaderElf(board: LoadedBoard): string {
  const outDir = path.join(os.tmpdir(), `tinyforge-bootloader-${process.pid}`, board.name);
  const elf = path.join(outDir, 'bootloader.elf');
  if (!fs.existsSync(elf)) {
    const source = path.join(path.dirname(board.dir), 'common', 'bootloader', 'an3155.c');
    buildFirmware({ board, sources: [source], outDir, name: 'bootloader', image: 'bootloader', optimize: 'Os' });
  }
  return elf;
}

export function qemuArgs(board: LoadedBoard, kernel: string): string[] {
  if (board.qemu === undefined) throw new BoardError('BOARD_QEMU', `${board.name} is not a virtual board`, { file: board.file });
  return [
    '-M', board.qemu.machine,
    '-display', 'none',
    '-monitor', 'stdio',
    '-serial', 'pty',
    '-S',
    '-semihosting-config', 'enable=on,target=native',
    '-icount', `shift=${board.qemu.icountShift},align=off,sleep=off`,
    '-kernel', kernel,
  ];
}

export async function startVirtualBoard(name: string | LoadedBoard, options: VirtualBoardOptions): Promise<VirtualBoard> {
  const board = typeof name === 'string' ? loadBoard(name, options) : name;
  if (board.kind !== 'virtual') throw new BoardError('BOARD_QEMU', `${board.name} is a hardware board; only virtual boards run on QEMU`);
  if ((options.elf === undefined) === !options.bootloader) throw new BoardError('BOARD_QEMU', 'give exactly one of `elf` and `bootloader`');
  const kernel = options.elf ?? options.bootloaderElf ?? bootloaderElf(board);
  if (!fs.existsSync(kernel)) throw new BoardError('BOARD_IO', 'ELF file not found', { file: kernel });
  const paused = options.paused ?? options.elf !== undefined;

  let child: ChildProcessWithoutNullStreams;
  try {
    child = spawn('qemu-system-arm', qemuArgs(board, kernel), { stdio: 'pipe' });
  } catch (e) {
    throw new BoardError('BOARD_TOOLCHAIN', `cannot run qemu-system-arm: ${(e as Error).message}`);
  }
  track(child);
  child.on('exit', () => untrack(child));
  child.on('error', () => untrack(child));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let monitorText = '';
  child.stdin.on('error', () => undefined); // EPIPE after QEMU exited on its own (semihosting exit)
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (s: string) => (monitorText = (monitorText + s).slice(-4096)));
  let errText = '';
  child.stderr.on('data', (s: string) => (errText = (errText + s).slice(-4096)));

  const ptyPath = await new Promise<string>((resolve, reject) => {
    const timeoutMs = options.startTimeoutMs ?? 5000;
    const timer = setTimeout(() => fail(`QEMU did not report its serial port within ${timeoutMs} ms`), timeoutMs);
    const onError = (e: NodeJS.ErrnoException) =>
      fail(e.code === 'ENOENT' ? 'qemu-system-arm not found: install it with `sudo apt-get install qemu-system-arm`' : e.message);
    const onEarlyExit = (code: number | null) => fail(`QEMU exited with status ${code} before the board was up`);
    const onOutput = () => {
      const m = /char device redirected to (\/dev\/pts\/\d+)/.exec(monitorText);
      if (m === null) return;
      done();
      resolve(m[1]);
    };
    const done = () => {
      clearTimeout(timer);
      child.off('error', onError);
      child.off('exit', onEarlyExit);
      child.stdout.off('data', onOutput);
    };
    const fail = (msg: string) => {
      done();
      child.kill('SIGKILL');
      reject(new BoardError('BOARD_QEMU', `${msg}${errText ? `: ${errText.trim()}` : ''}`));
    };
    child.on('error', onError);
    child.on('exit', onEarlyExit);
    child.stdout.on('data', onOutput);
  });

  // Hold the pty open (never reading) for the board's life: QEMU drops output and polls for input only about once
  // a second while no one has the port open, which loses bytes between one host program and the next (stm32flash,
  // then a reader). Raw mode first, so the line discipline never echoes the board's output back into its UART.
  let holder: number | undefined;
  try {
    const r = spawnSync('stty', ['-F', ptyPath, 'raw', '-echo'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr || String(r.error));
    holder = fs.openSync(ptyPath, fs.constants.O_RDWR | fs.constants.O_NOCTTY);
  } catch (e) {
    child.kill('SIGKILL');
    throw new BoardError('BOARD_QEMU', `cannot prepare the serial port: ${(e as Error).message}`, { file: ptyPath });
  }
  const release = () => {
    if (holder !== undefined) fs.closeSync(holder);
    holder = undefined;
  };
  child.on('exit', release);

  const monitor = (command: string) => {
    if (child.exitCode === null && child.stdin.writable) child.stdin.write(`${command}\n`);
  };
  // QEMU's UART models do not wake the main loop when the guest empties the receive register, so host bytes can
  // sit unread until some timer fires (seconds, or never, while no guest timer runs). An empty monitor line every
  // few milliseconds wakes the main loop so it polls the serial port again.
  const ping = setInterval(() => monitor(''), 5);
  ping.unref();
  child.on('exit', () => clearInterval(ping));
  if (!paused) monitor('cont');
  return {
    board: board.name,
    ptyPath,
    pid: child.pid ?? -1,
    resume: () => monitor('cont'),
    exited,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      monitor('quit');
      const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Never leave QEMU running: kill tracked processes when Node exits or is interrupted. */
function track(child: ChildProcessWithoutNullStreams): void {
  if (live.size === 0) {
    process.on('exit', killAll);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  live.add(child);
}

function untrack(child: ChildProcessWithoutNullStreams): void {
  live.delete(child);
  if (live.size === 0) {
    process.off('exit', killAll);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function killAll(): void {
  for (const c of live) c.kill('SIGKILL');
}

function onSignal(signal: NodeJS.Signals): void {
  killAll();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  // Let the default action (terminate) happen now that QEMU is gone.
  process.kill(process.pid, signal);
}
