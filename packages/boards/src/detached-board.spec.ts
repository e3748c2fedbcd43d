import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadTarget } from './load';
import { listRunningBoards, processMatches, startDetachedBoard, stopDetachedBoard } from './detached-board';
import { BoardError } from './errors';
import { PtySerial } from './pty-serial';
import { hasSocat } from './serial-bridge';
import { hasArmToolchain } from './toolchain';
import { hasQemu } from './virtual-board';

const ready = hasArmToolchain() && hasQemu() && hasSocat();
const withQemu = ready ? describe : describe.skip;
if (!ready) console.warn('qemu-system-arm, socat or arm-none-eabi-gcc missing: skipping detached board tests');

jest.setTimeout(90_000);

withQemu('detached virtual boards (tinyforge board start/stop)', () => {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfg-state-'));
  afterAll(async () => {
    for (const b of listRunningBoards({ stateDir })) await stopDetachedBoard(b.name, { stateDir });
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it('starts with the bootloader on a pty, is listed, refuses a second start, and stops leaving nothing', async () => {
    const started = await startDetachedBoard(loadTarget('qemu-m4'), { stateDir });
    expect(started.ptyPath).toMatch(/^\/dev\/pts\/\d+$/);
    expect(processMatches(started.qemuPid, started.workDir)).toBe(true);
    expect(processMatches(started.socatPid, started.workDir)).toBe(true);
    expect(listRunningBoards({ stateDir }).map((b) => b.name)).toEqual(['qemu-m4']);

    // Two host programs in turn, as with stm32flash then a reader: the pty survives the first one closing it.
    for (let session = 0; session < 2; session++) {
      const port = PtySerial.open(started.ptyPath);
      port.write(Buffer.from(session === 0 ? [0x7f] : [0x01, 0xfe]));
      expect((await port.read(1, 5000))[0]).toBe(0x79);
      if (session === 1) expect([...(await port.read(4, 5000))]).toEqual([0x31, 0, 0, 0x79]);
      port.close();
    }

    await expect(startDetachedBoard(loadTarget('qemu-m4'), { stateDir })).rejects.toThrow(/already running/);
    const stopped = await stopDetachedBoard('qemu-m4', { stateDir });
    expect(stopped.qemuPid).toBe(started.qemuPid);
    expect(processMatches(started.qemuPid, started.workDir)).toBe(false);
    expect(processMatches(started.socatPid, started.workDir)).toBe(false);
    expect(fs.existsSync(started.workDir)).toBe(false);
    expect(listRunningBoards({ stateDir })).toEqual([]);
    await expect(stopDetachedBoard('qemu-m4', { stateDir })).rejects.toThrow(BoardError);
  });

  it('refuses hardware boards and names that are not board names', async () => {
    await expect(startDetachedBoard(loadTarget('nucleo-l4r5zi'), { stateDir })).rejects.toThrow(/hardware board/);
    await expect(stopDetachedBoard('../etc', { stateDir })).rejects.toThrow(BoardError);
  });
});
