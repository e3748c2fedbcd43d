import { ChildProcess, spawn } from 'child_process';

/** Child processes (QEMU, socat) that must not outlive this Node process. */
const live = new Set<ChildProcess>();

/**
 * Kill `child` if Node exits or is interrupted before it ends; it leaves the set once it exits. Also when Node is
 * killed outright (SIGKILL, a crashed test worker), where no handler of ours runs: see watchChild.
 */
export function guardChild(child: ChildProcess): void {
  watchChild(child);
  if (live.size === 0) {
    process.on('exit', killAll);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    process.on('SIGHUP', onSignal);
  }
  live.add(child);
  const forget = () => unguard(child);
  child.once('exit', forget);
  child.once('error', forget);
}

/**
 * A watchdog for `child` that holds the read end of a pipe whose only writer is this Node process: when Node dies
 * however it dies, the kernel closes the pipe, the watchdog's `read` ends and it kills `child` (else QEMU, spawned
 * paused and waiting on its UART socket, lives on under init). The watchdog goes when `child` exits.
 */
function watchChild(child: ChildProcess): void {
  if (child.pid === undefined) return;
  let watchdog: ChildProcess;
  try {
    watchdog = spawn('/bin/sh', ['-c', 'read _ignored; kill -9 "$1" 2>/dev/null', 'tinyforge-watchdog', String(child.pid)], { stdio: ['pipe', 'ignore', 'ignore'] });
  } catch {
    return; // no watchdog: the exit and signal handlers still cover every ending but SIGKILL
  }
  watchdog.on('error', () => undefined);
  watchdog.stdin?.on('error', () => undefined);
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  const stop = () => watchdog.kill('SIGKILL');
  child.once('exit', stop);
  child.once('error', stop);
}

function unguard(child: ChildProcess): void {
  if (!live.delete(child) || live.size > 0) return;
  process.off('exit', killAll);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  process.off('SIGHUP', onSignal);
}

function killAll(): void {
  for (const c of live) c.kill('SIGKILL');
}

function onSignal(signal: NodeJS.Signals): void {
  killAll();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  process.off('SIGHUP', onSignal);
  // Nothing of ours is left; let the signal's default action (terminate) happen unless someone else handles it.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

/** Resolves when `child` has exited (at once if it already has). */
export function childExited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export async function endChild(child: ChildProcess, graceMs = 1000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await childExited(child);
  clearTimeout(timer);
}
