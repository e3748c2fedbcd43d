/** Two linked pseudo-terminals from socat, for serial-port tests without hardware. */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export interface PtyPair {
  /** The end the profiler opens as its serial port. */
  hostPath: string;
  /** The end the test writes board output into. */
  boardPath: string;
  close(): void;
}

export async function openPtyPair(): Promise<PtyPair> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfg-pty-'));
  const hostPath = path.join(dir, 'host');
  const boardPath = path.join(dir, 'board');
  const child: ChildProcess = spawn('socat', [`pty,raw,echo=0,link=${hostPath}`, `pty,raw,echo=0,link=${boardPath}`], { stdio: 'ignore' });
  const deadline = Date.now() + 5000;
  while (!(fs.existsSync(hostPath) && fs.existsSync(boardPath))) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill();
      throw new Error('socat did not create the pseudo-terminal pair');
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    hostPath,
    boardPath,
    close: () => {
      child.kill();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
