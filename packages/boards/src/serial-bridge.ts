import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import { BoardError } from './errors';

export function hasSocat(): boolean {
  const r = spawnSync('socat', ['-V'], { encoding: 'utf8' });
  return r.error === undefined && r.status === 0;
}

/** Poll until `file` exists (QEMU's socket, socat's pty link); false on timeout or when `alive()` turns false. */
export async function waitForPath(file: string, timeoutMs: number, alive: () => boolean): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (fs.existsSync(file)) return true;
    if (!alive()) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return fs.existsSync(file);
}

export interface SerialBridge {
  process: ChildProcess;
  /** The pseudo-terminal socat created, e.g. /dev/pts/7 (the symlink `linkPath` points at it). */
  ptyPath: string;
}

/**
 * Connect QEMU's UNIX-socket serial port to a new pseudo-terminal with socat (raw, no echo). socat reads the
 * socket as fast as QEMU writes and buffers host bytes for QEMU, which the pty backend does not do; and socat keeps
 * the pty alive when a host program closes it, so stm32flash and a later reader can take turns.
 */
export async function startSerialBridge(
  socketPath: string,
  linkPath: string,
  options: {
    detached?: boolean;
    timeoutMs?: number;
    /** socat's stderr goes to this fd (detached bridges outlive our pipes) */
    logFd?: number;
    /** Host bytes go to this socket (QEMU's semihosting console) instead of `socketPath` (the UART), which then only carries the board's output. */
    inputSocket?: string;
  } = {},
): Promise<SerialBridge> {
  let errText = '';
  let child: ChildProcess;
  try {
    // socat's `A!!B` address reads from A and writes to B.
    const board = options.inputSocket !== undefined ? `UNIX-CONNECT:${socketPath}!!UNIX-CONNECT:${options.inputSocket}` : `UNIX-CONNECT:${socketPath}`;
    child = spawn('socat', [`PTY,raw,echo=0,link=${linkPath}`, board], {
      stdio: ['ignore', 'ignore', options.logFd ?? 'pipe'],
      detached: options.detached ?? false,
    });
  } catch (e) {
    throw new BoardError('BOARD_TOOLCHAIN', `cannot run socat: ${(e as Error).message}`);
  }
  let spawnError: NodeJS.ErrnoException | undefined;
  child.on('error', (e) => (spawnError = e));
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (s: string) => (errText = (errText + s).slice(-2048)));
  const alive = () => spawnError === undefined && child.exitCode === null && child.signalCode === null;
  const ok = await waitForPath(linkPath, options.timeoutMs ?? 5000, alive);
  if (!ok) {
    child.kill('SIGKILL');
    if (spawnError?.code === 'ENOENT') throw new BoardError('BOARD_TOOLCHAIN', 'socat not found: install it with `sudo apt-get install socat`');
    throw new BoardError('BOARD_QEMU', `socat did not create the serial port ${linkPath}${errText ? `: ${errText.trim()}` : ''}`);
  }
  if (options.detached) child.unref();
  return { process: child, ptyPath: fs.realpathSync(linkPath) };
}
