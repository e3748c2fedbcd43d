import { spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { writeFileAtomic } from '@tinyforge/common';
import { BoardError } from './errors';
import { buildFirmware } from './firmware';
import { Target } from './load';
import { startSerialBridge, waitForPath } from './serial-bridge';
import { qemuArgs } from './virtual-board';

/**
 * Virtual boards that outlive the process that started them (`tinyforge board start/stop`). Each running board has
 * a state file `<stateDir>/<name>.json` and a work directory `<stateDir>/<name>/` (QEMU's UART and monitor
 * sockets, socat's pty link, logs, the bootloader build). stop() only signals processes whose command line names
 * that work directory, so a recycled pid is never killed.
 */
export interface RunningBoard {
  name: string;
  ptyPath: string;
  qemuPid: number;
  socatPid: number;
  workDir: string;
  startedAt: string;
}

export interface DetachedBoardOptions {
  /** Directory for state files; default `<os tmpdir>/tinyforge-boards-<uid>`. */
  stateDir?: string;
  startTimeoutMs?: number;
}

export function defaultStateDir(): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  return path.join(os.tmpdir(), `tinyforge-boards-${uid}`);
}

function stateFile(stateDir: string, name: string): string {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new BoardError('BOARD_UNKNOWN', `'${name.slice(0, 80)}' is not a board name`);
  return path.join(stateDir, `${name}.json`);
}

/** Alive, not a zombie, and started with `marker` on its command line. */
export function processMatches(pid: number, marker: string): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (stat[stat.lastIndexOf(')') + 2] === 'Z') return false;
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes(marker);
  } catch {
    return false;
  }
}

function readState(file: string): RunningBoard | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const s = JSON.parse(text) as RunningBoard;
    if (typeof s.qemuPid !== 'number' || typeof s.socatPid !== 'number' || typeof s.workDir !== 'string') throw new Error('missing fields');
    return s;
  } catch (e) {
    throw new BoardError('BOARD_IO', `unreadable board state file (${(e as Error).message}); remove it`, { file });
  }
}

function isLive(s: RunningBoard): boolean {
  return processMatches(s.qemuPid, s.workDir);
}

/** Boards started by startDetachedBoard that are still running; stale state files are removed. */
export function listRunningBoards(options: DetachedBoardOptions = {}): RunningBoard[] {
  const dir = options.stateDir ?? defaultStateDir();
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  const running: RunningBoard[] = [];
  for (const f of names.sort()) {
    const s = readState(path.join(dir, f));
    if (s === undefined) continue;
    if (isLive(s)) running.push(s);
    else cleanUp(path.join(dir, f), s);
  }
  return running;
}

/** Start a virtual board with its AN3155 bootloader, detached; resolves once QEMU runs and the pty exists. */
export async function startDetachedBoard(board: Target, options: DetachedBoardOptions = {}): Promise<RunningBoard> {
  if (board.kind !== 'virtual') throw new BoardError('BOARD_QEMU', `${board.name} is a hardware board; only virtual boards run on QEMU`);
  const stateDir = options.stateDir ?? defaultStateDir();
  const file = stateFile(stateDir, board.name);
  const existing = readState(file);
  if (existing !== undefined && isLive(existing)) {
    throw new BoardError('BOARD_QEMU', `${board.name} is already running (QEMU pid ${existing.qemuPid}, serial port ${existing.ptyPath}); stop it first`);
  }
  if (existing !== undefined) cleanUp(file, existing);
  const workDir = path.join(stateDir, board.name);
  fs.rmSync(workDir, { recursive: true, force: true });
  fs.mkdirSync(workDir, { recursive: true, mode: 0o700 });
  const timeoutMs = options.startTimeoutMs ?? 15_000;
  const kernel = buildBootloader(board, workDir);
  const uartSocket = path.join(workDir, 'uart.sock');
  const monitorSocket = path.join(workDir, 'monitor.sock');
  const qemuLog = fs.openSync(path.join(workDir, 'qemu.log'), 'w');
  const socatLog = fs.openSync(path.join(workDir, 'socat.log'), 'w');
  const args = qemuArgs(board, kernel, { serial: `unix:${uartSocket},server=on,wait=on`, monitor: `unix:${monitorSocket},server=on,wait=off`, paused: false });
  const qemu = spawn('qemu-system-arm', args, { detached: true, stdio: ['ignore', qemuLog, qemuLog] });
  let qemuError: NodeJS.ErrnoException | undefined;
  qemu.on('error', (e) => (qemuError = e));
  qemu.unref();
  const qemuAlive = () => qemuError === undefined && qemu.exitCode === null && qemu.signalCode === null;
  const fail = (message: string): never => {
    qemu.kill('SIGKILL');
    fs.closeSync(qemuLog);
    fs.closeSync(socatLog);
    const log = fs.readFileSync(path.join(workDir, 'qemu.log'), 'utf8').trim().slice(-500);
    fs.rmSync(workDir, { recursive: true, force: true });
    if (qemuError?.code === 'ENOENT') throw new BoardError('BOARD_TOOLCHAIN', 'qemu-system-arm not found: install it with `sudo apt-get install qemu-system-arm`');
    throw new BoardError('BOARD_QEMU', `${message}${log ? `: ${log}` : ''}`);
  };
  if (!(await waitForPath(uartSocket, timeoutMs, qemuAlive))) fail('QEMU did not open its serial socket');
  let bridge;
  try {
    bridge = await startSerialBridge(uartSocket, path.join(workDir, 'uart.pty'), { detached: true, timeoutMs, logFd: socatLog });
  } catch (e) {
    return fail((e as Error).message);
  }
  fs.closeSync(qemuLog);
  fs.closeSync(socatLog);
  try {
    if (!(await waitForPath(monitorSocket, timeoutMs, qemuAlive))) throw new Error('no monitor socket');
    await monitorCommand(monitorSocket, 'info status', /VM status: running/, timeoutMs);
  } catch (e) {
    bridge.process.kill('SIGKILL');
    return fail(`QEMU did not start running: ${(e as Error).message}`);
  }
  const state: RunningBoard = {
    name: board.name,
    ptyPath: bridge.ptyPath,
    qemuPid: qemu.pid ?? -1,
    socatPid: bridge.process.pid ?? -1,
    workDir,
    startedAt: new Date().toISOString(),
  };
  writeFileAtomic(file, `${JSON.stringify(state, null, 2)}\n`);
  return state;
}

/** Stop a board started by startDetachedBoard: monitor `quit`, then SIGKILL after `graceMs`; socat too. */
export async function stopDetachedBoard(name: string, options: DetachedBoardOptions & { graceMs?: number } = {}): Promise<RunningBoard> {
  const stateDir = options.stateDir ?? defaultStateDir();
  const file = stateFile(stateDir, name);
  const state = readState(file);
  if (state === undefined || !isLive(state)) {
    if (state !== undefined) cleanUp(file, state);
    throw new BoardError('BOARD_QEMU', `${name} is not running (no live board started by \`tinyforge board start ${name}\`)`);
  }
  const graceMs = options.graceMs ?? 2000;
  try {
    await monitorCommand(path.join(state.workDir, 'monitor.sock'), 'quit', /$^/, Math.min(graceMs, 500));
  } catch {
    // the monitor hung up on `quit` (expected) or is gone; the wait below decides
  }
  await endProcess(state.qemuPid, state.workDir, graceMs);
  await endProcess(state.socatPid, state.workDir, graceMs);
  cleanUp(file, state);
  return state;
}

async function endProcess(pid: number, marker: string, graceMs: number): Promise<void> {
  const deadline = Date.now() + graceMs;
  let termSent = false;
  while (processMatches(pid, marker)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 50));
      continue;
    }
    if (!termSent && Date.now() > deadline - graceMs / 2) {
      process.kill(pid, 'SIGTERM');
      termSent = true;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

function cleanUp(file: string, state: RunningBoard): void {
  // Never leave one half running: a stale state whose socat survived still gets it ended.
  if (processMatches(state.socatPid, state.workDir)) process.kill(state.socatPid, 'SIGKILL');
  if (processMatches(state.qemuPid, state.workDir)) process.kill(state.qemuPid, 'SIGKILL');
  fs.rmSync(file, { force: true });
  if (path.basename(state.workDir) === state.name) fs.rmSync(state.workDir, { recursive: true, force: true });
}

function buildBootloader(board: Target, workDir: string): string {
  const source = path.join(path.dirname(board.dir), 'common', 'bootloader', 'an3155.c');
  return buildFirmware({ target: board, sources: [source], outDir: path.join(workDir, 'bootloader'), name: 'bootloader', image: 'bootloader', optimize: 'Os' }).elf;
}

/** Send one command to QEMU's monitor socket and wait until the answer matches `pattern` (or the socket closes). */
function monitorCommand(socket: string, command: string, pattern: RegExp, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let text = '';
    const conn = net.connect(socket);
    const timer = setTimeout(() => finish(new Error(`no answer to \`${command}\` within ${timeoutMs} ms`)), timeoutMs);
    const finish = (err?: Error) => {
      clearTimeout(timer);
      conn.destroy();
      if (err) reject(err);
      else resolve();
    };
    conn.setEncoding('latin1');
    conn.on('connect', () => conn.write(`${command}\n`));
    conn.on('data', (s: string) => {
      text += s;
      if (pattern.test(text)) finish();
    });
    conn.on('error', (e) => finish(e));
    conn.on('close', () => finish(command === 'quit' ? undefined : new Error('monitor closed')));
  });
}
