import { ChildProcess } from 'child_process';

/** Child processes (QEMU, socat) that must not outlive this Node process. */
const live = new Set<ChildProcess>();

/** Kill `child` if Node exits or is interrupted before it ends; it leaves the set once it exits. */
export function guardChild(child: ChildProcess): void {
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
