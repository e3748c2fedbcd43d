import { spawn } from 'child_process';
import * as path from 'path';

const HOOK = path.resolve(__dirname, '../../../tools/testing/ts-hook.js');
const GUARD = path.join(__dirname, 'process-guard.ts');

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('guardChild', () => {
  it('kills the guarded child when its Node process is killed with SIGKILL (no exit handler runs)', async () => {
    // A Node process guards a long sleep (standing in for QEMU waiting on its socket), prints its pid, and is killed.
    const program = `
      const { spawn } = require('child_process');
      const { guardChild } = require(${JSON.stringify(GUARD)});
      const child = spawn('sleep', ['600'], { stdio: 'ignore' });
      guardChild(child);
      process.stdout.write(child.pid + '\\n');
      setInterval(() => undefined, 1000);`;
    const parent = spawn(process.execPath, ['-r', HOOK, '-e', program], { stdio: ['ignore', 'pipe', 'inherit'] });
    const pid = await new Promise<number>((resolve, reject) => {
      parent.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
      parent.once('exit', () => reject(new Error('the guarding process ended before it printed its child')));
    });
    expect(alive(pid)).toBe(true);
    parent.kill('SIGKILL');
    const deadline = Date.now() + 10_000;
    while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const survived = alive(pid);
    if (survived) process.kill(pid, 'SIGKILL');
    expect(survived).toBe(false);
  }, 30_000);
});
