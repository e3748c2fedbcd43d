import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildFirmware } from './firmware';
import { loadTarget } from './load';
import { PtySerial } from './pty-serial';
import { hasArmToolchain } from './toolchain';
import { stm32Crc } from '@tinyforge/flasher';
import { bootloaderElf, hasQemu, resetStub, saveVirtualFlash, startVirtualBoard, VirtualBoard, virtualFlashFile } from './virtual-board';

const COMMON = path.join(path.dirname(loadTarget('qemu-m4').dir), 'common');
const hasStm32flash = spawnSync('stm32flash', ['-h']).error === undefined;
const ready = hasArmToolchain() && hasQemu();
const withQemu = ready ? describe : describe.skip;
const withStm32flash = ready && hasStm32flash ? describe : describe.skip;
if (!ready) console.warn('qemu-system-arm or arm-none-eabi-gcc missing: skipping virtual board tests');
if (ready && !hasStm32flash) console.warn('stm32flash missing: skipping the AN3155 interop test (apt-get install stm32flash)');

jest.setTimeout(60_000);

const out = fs.mkdtempSync(path.join(os.tmpdir(), 'tfg-vb-'));
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

function run(cmd: string, args: string[]): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    const c = spawn(cmd, args);
    let output = '';
    c.stdout.on('data', (d) => (output += d));
    c.stderr.on('data', (d) => (output += d));
    c.on('exit', (status) => resolve({ status, output }));
  });
}

withQemu('virtual boards on QEMU', () => {
  // A bootloader-region image boots as it is; an application image (linked at the flash, as flashed) through the
  // reset stub QEMU writes at the reset address (defect 7 of issue 18: direct loads get the whole flash).
  it.each(['bootloader', 'application'] as const)('boots a %s image directly: console out and in, semihosting exit code', async (image) => {
    const target = loadTarget('qemu-m4');
    const hello = buildFirmware({ target, sources: [path.join(COMMON, 'test', 'hello.c')], outDir: path.join(out, `direct-${image}`), image });
    const stub = resetStub(target, hello.elf);
    if (image === 'bootloader') expect(stub).toBeUndefined();
    else expect(Buffer.from(stub!)).toEqual(fs.readFileSync(hello.bin).subarray(0, 8)); // the image's SP and reset vector
    const vb = await startVirtualBoard(target, { elf: hello.elf });
    const port = PtySerial.open(vb.ptyPath);
    try {
      vb.resume();
      expect(await port.waitFor(/clock 25000000 Hz\n/)).toContain('hello from tinyforge');
      port.write('abcde\n');
      expect(await vb.exited).toBe(5);
      expect(await port.waitFor(/cycles \d+\n/)).toContain('abcde\n');
    } finally {
      port.close();
      await vb.stop();
    }
  });

  it('refuses an ELF with no vector table at the reset address or the application flash', () => {
    const target = loadTarget('qemu-m4');
    const elsewhere = { ...target, flash: { ...target.flash, base: target.flash.base + 0x100000 } };
    const hello = buildFirmware({ target, sources: [path.join(COMMON, 'test', 'hello.c')], outDir: path.join(out, 'stub-none'), image: 'application' });
    expect(() => resetStub(elsewhere, hello.elf)).toThrow(expect.objectContaining({ code: 'BOARD_QEMU', message: expect.stringMatching(/no vector table at the reset address 0x0 or at the application flash 0x110000/) }));
  });

  /** Alive and not a zombie (state field after the command name in /proc/PID/stat). */
  const isRunning = (pid: number | undefined) => {
    if (pid === undefined) return false;
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat[stat.lastIndexOf(')') + 2] !== 'Z';
    } catch {
      return false;
    }
  };

  it('bridge mode: socat serves the pty; stop() ends QEMU and socat and removes the socket directory', async () => {
    const vb = await startVirtualBoard(loadTarget('qemu-m4'), { bootloader: true });
    expect(vb.ptyPath).toMatch(/^\/dev\/pts\/\d+$/);
    expect(isRunning(vb.pid)).toBe(true);
    expect(isRunning(vb.bridgePid)).toBe(true);
    const socatArgs = fs.readFileSync(`/proc/${vb.bridgePid}/cmdline`, 'latin1').split('\0');
    const socketDir = path.dirname(socatArgs.find((a) => a.startsWith('UNIX-CONNECT:'))!.slice('UNIX-CONNECT:'.length));
    expect(fs.existsSync(socketDir)).toBe(true);
    const port = PtySerial.open(vb.ptyPath);
    port.write(Buffer.from([0x7f]));
    expect((await port.read(1, 5000))[0]).toBe(0x79);
    port.close();
    await vb.stop();
    expect(isRunning(vb.pid)).toBe(false);
    expect(isRunning(vb.bridgePid)).toBe(false);
    expect(fs.existsSync(socketDir)).toBe(false);
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('a %s to the Node process ends QEMU and socat with it', async (signal) => {
    const elf = bootloaderElf(loadTarget('qemu-m4'));
    const child = spawn(process.execPath, [path.join(__dirname, 'testing', 'hold-board.js'), 'qemu-m4', elf], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString())));
    const pids = JSON.parse(line) as { qemu: number; socat: number };
    expect(isRunning(pids.qemu) && isRunning(pids.socat)).toBe(true);
    const exited = new Promise((resolve) => child.once('exit', (code, sig) => resolve(sig ?? code)));
    child.kill(signal);
    expect(await exited).toBe(signal);
    // SIGKILLed children are reaped by init; give it a moment.
    for (let i = 0; i < 100 && (isRunning(pids.qemu) || isRunning(pids.socat)); i++) await new Promise((r) => setTimeout(r, 20));
    expect(isRunning(pids.qemu)).toBe(false);
    expect(isRunning(pids.socat)).toBe(false);
  });

  it('pty mode (QEMU\'s own backend, no socat) still boots and talks', async () => {
    const hello = buildFirmware({ target: loadTarget('qemu-m3'), sources: [path.join(COMMON, 'test', 'hello.c')], outDir: path.join(out, 'pty'), image: 'bootloader' });
    const vb = await startVirtualBoard(loadTarget('qemu-m3'), { elf: hello.elf, serial: 'pty' });
    expect(vb.bridgePid).toBeUndefined();
    const port = PtySerial.open(vb.ptyPath);
    try {
      // QEMU notices an opened pty on a once-a-second poll and drops output until then.
      await new Promise((r) => setTimeout(r, 1200));
      vb.resume();
      expect(await port.waitFor(/clock 25000000 Hz\n/)).toContain('hello from tinyforge');
      port.write('xy\n');
      expect(await vb.exited).toBe(2);
    } finally {
      port.close();
      await vb.stop();
    }
  });

  // The bootloader sleeps in WFI until the UART's RX interrupt (board.json console.rxIrqs): a wrong line number
  // would leave it asleep when a byte arrives after it went to sleep. qemu-m4/m55 are covered by the tests below.
  it.each(['qemu-m3', 'qemu-m7', 'qemu-m33'])('%s: the bootloader wakes for a byte sent while it sleeps', async (name) => {
    const vb = await startVirtualBoard(loadTarget(name), { bootloader: true });
    const port = PtySerial.open(vb.ptyPath);
    try {
      port.write(Buffer.from([0x7f]));
      expect((await port.read(1, 5000))[0]).toBe(0x79);
      await new Promise((r) => setTimeout(r, 300));
      port.write(Buffer.from([0x01, 0xfe])); // Get Version
      expect([...(await port.read(4, 5000))]).toEqual([0x79, 0x31, 0, 0]);
    } finally {
      port.close();
      await vb.stop();
    }
  });

  // Host bytes through QEMU's semihosting console (its UART takes one byte per I/O round): the board's console
  // driver reads them with SYS_READC, taking the byte from the slot QEMU stores it in (7.2 returns the slot's old
  // contents in r0). Every byte value, in blocks bigger than one read, and an application's getc after boot.
  it.each(['qemu-m4', 'qemu-m55'])('%s: host input through semihosting reaches the bootloader byte for byte', async (name) => {
    const board = loadTarget(name);
    const vb = await startVirtualBoard(board, { bootloader: true, hostInput: 'semihosting' });
    const port = PtySerial.open(vb.ptyPath);
    const xor = (bytes: number[]) => bytes.reduce((a, b) => a ^ b, 0);
    const addr = (a: number) => [a >>> 24, (a >>> 16) & 0xff, (a >>> 8) & 0xff, a & 0xff, xor([a >>> 24, (a >>> 16) & 0xff, (a >>> 8) & 0xff, a & 0xff])];
    try {
      port.write(Buffer.from([0x7f]));
      expect((await port.read(1, 5000))[0]).toBe(0x79);
      for (const [k, at] of [[0, board.flash.base], [1, board.flash.base + 256]]) {
        const data = [...Array(256).keys()].map((i) => (k === 0 ? i : 255 - i));
        // Opcode, address and block in one write, as the flasher pipelines them: 263 bytes queued at once.
        port.write(Buffer.from([0x31, 0xce, ...addr(at), 255, ...data, xor([255, ...data])]));
        expect([...(await port.read(3, 5000))]).toEqual([0x79, 0x79, 0x79]);
        port.write(Buffer.from([0x11, 0xee, ...addr(at), 255, 0x00]));
        expect([...(await port.read(3, 5000))]).toEqual([0x79, 0x79, 0x79]);
        expect([...(await port.read(256, 5000))]).toEqual(data);
      }
    } finally {
      port.close();
      await vb.stop();
    }
  });

  it('host input through semihosting: an application reads its console with getc', async () => {
    const target = loadTarget('qemu-m4');
    const hello = buildFirmware({ target, sources: [path.join(COMMON, 'test', 'hello.c')], outDir: path.join(out, 'semihosting-input'), image: 'application' });
    const vb = await startVirtualBoard(target, { elf: hello.elf, hostInput: 'semihosting' });
    const port = PtySerial.open(vb.ptyPath);
    try {
      vb.resume();
      expect(await port.waitFor(/clock 25000000 Hz\n/)).toContain('hello from tinyforge');
      port.write('\x00\xa5semihosting\n');
      expect(await vb.exited).toBe(13);
      expect(await port.waitFor(/cycles \d+\n/)).toContain('semihosting\n');
    } finally {
      port.close();
      await vb.stop();
    }
  });

  it('refuses host input through semihosting without the socat bridge', async () => {
    await expect(startVirtualBoard(loadTarget('qemu-m4'), { bootloader: true, serial: 'pty', hostInput: 'semihosting' })).rejects.toThrow(/needs the socat bridge/);
  });

  describe('AN3155 bootloader', () => {
    let vb: VirtualBoard;
    let port: PtySerial;
    const board = loadTarget('qemu-m4');
    const xor = (bytes: number[]) => bytes.reduce((a, b) => a ^ b, 0);
    const addr = (a: number) => {
      const b = [a >>> 24, (a >>> 16) & 0xff, (a >>> 8) & 0xff, a & 0xff];
      return [...b, xor(b)];
    };
    const command = async (cmd: number) => {
      port.write(Buffer.from([cmd, cmd ^ 0xff]));
      return (await port.read(1))[0];
    };
    const readMemory = async (a: number, n: number) => {
      expect(await command(0x11)).toBe(0x79);
      port.write(Buffer.from(addr(a)));
      expect((await port.read(1))[0]).toBe(0x79);
      port.write(Buffer.from([n - 1, (n - 1) ^ 0xff]));
      expect((await port.read(1))[0]).toBe(0x79);
      return port.read(n);
    };

    beforeAll(async () => {
      vb = await startVirtualBoard(board, { bootloader: true });
      port = PtySerial.open(vb.ptyPath);
      port.write(Buffer.from([0x7f]));
      expect((await port.read(1, 5000))[0]).toBe(0x79);
    });
    afterAll(async () => {
      port?.close();
      await vb?.stop();
    });

    it('answers Get, Get Version and Get ID', async () => {
      expect(await command(0x00)).toBe(0x79);
      expect([...(await port.read(11))]).toEqual([8, 0x31, 0x00, 0x01, 0x02, 0x11, 0x21, 0x31, 0x44, 0xa1, 0x79]);
      expect(await command(0x01)).toBe(0x79);
      expect([...(await port.read(4))]).toEqual([0x31, 0, 0, 0x79]);
      expect(await command(0x02)).toBe(0x79);
      expect([...(await port.read(4))]).toEqual([1, 0x04, 0x70, 0x79]);
    });

    it('NACKs a bad command complement, an unknown command and a bad address checksum', async () => {
      port.write(Buffer.from([0x00, 0x00]));
      expect((await port.read(1))[0]).toBe(0x1f);
      expect(await command(0x63)).toBe(0x1f);
      expect(await command(0x11)).toBe(0x79);
      const bad = addr(board.flash.base);
      bad[4] ^= 1;
      port.write(Buffer.from(bad));
      expect((await port.read(1))[0]).toBe(0x1f);
    });

    it('writes, reads back, page-erases and mass-erases; refuses memory outside the board file', async () => {
      const data = [...Array(16).keys()].map((i) => (i * 37) & 0xff);
      const base = board.flash.base + 2048; // page 1
      expect(await command(0x31)).toBe(0x79);
      port.write(Buffer.from(addr(base)));
      expect((await port.read(1))[0]).toBe(0x79);
      port.write(Buffer.from([data.length - 1, ...data, xor([data.length - 1, ...data])]));
      expect((await port.read(1))[0]).toBe(0x79);
      expect([...(await readMemory(base, 16))]).toEqual(data);

      // Erase page 1 (two-byte count N-1 = 0, page number, checksum over all).
      expect(await command(0x44)).toBe(0x79);
      const erase = [0x00, 0x00, 0x00, 0x01];
      port.write(Buffer.from([...erase, xor(erase)]));
      expect((await port.read(1))[0]).toBe(0x79);
      expect([...(await readMemory(base, 16))]).toEqual(Array(16).fill(0xff));

      // A page past the sector map is refused; mass erase (0xFFFF) clears everything.
      expect(await command(0x44)).toBe(0x79);
      const beyond = [0x00, 0x00, 0xff, 0x00];
      port.write(Buffer.from([...beyond, xor(beyond)]));
      expect((await port.read(1))[0]).toBe(0x1f);
      expect(await command(0x44)).toBe(0x79);
      port.write(Buffer.from([0xff, 0xff, 0x00]));
      expect((await port.read(1))[0]).toBe(0x79);
      expect([...(await readMemory(board.flash.base, 8))]).toEqual(Array(8).fill(0xff));

      // Reading outside flash/RAM: address accepted (checksum fine), then NACK after the length.
      expect(await command(0x11)).toBe(0x79);
      port.write(Buffer.from(addr(0x90000000)));
      expect((await port.read(1))[0]).toBe(0x79);
      port.write(Buffer.from([3, 3 ^ 0xff]));
      expect((await port.read(1))[0]).toBe(0x1f);
      // Go to an erased region: no Thumb entry point, NACK.
      expect(await command(0x21)).toBe(0x79);
      port.write(Buffer.from(addr(board.flash.base)));
      expect((await port.read(1))[0]).toBe(0x1f);
    });

    it('Get Checksum: the STM32 CRC32 of a range, as the flasher computes it; misaligned or outside memory NACKed', async () => {
      const data = [...Array(64).keys()].map((i) => (i * 91 + 7) & 0xff);
      const base = board.flash.base + 4096;
      expect(await command(0x31)).toBe(0x79);
      port.write(Buffer.from(addr(base)));
      expect((await port.read(1))[0]).toBe(0x79);
      port.write(Buffer.from([data.length - 1, ...data, xor([data.length - 1, ...data])]));
      expect((await port.read(1))[0]).toBe(0x79);
      expect(await command(0xa1)).toBe(0x79);
      port.write(Buffer.from(addr(base)));
      expect((await port.read(1))[0]).toBe(0x79);
      port.write(Buffer.from(addr(data.length)));
      const answer = [...(await port.read(7))];
      const crc = stm32Crc(Uint8Array.from(data));
      const be = [crc >>> 24, (crc >>> 16) & 0xff, (crc >>> 8) & 0xff, crc & 0xff];
      expect(answer).toEqual([0x79, 0x79, ...be, xor(be)]);
      // A length that is not a multiple of 4, and a range running out of memory.
      for (const [a, n] of [[base, 6], [0x90000000, 4]]) {
        expect(await command(0xa1)).toBe(0x79);
        port.write(Buffer.from(addr(a)));
        const first = (await port.read(1))[0];
        if (first === 0x1f) continue; // address refused already
        expect(first).toBe(0x79);
        port.write(Buffer.from(addr(n)));
        expect((await port.read(1))[0]).toBe(0x1f);
      }
    });
  });

  it('keepFlash: a board powers on with the flash the last saveVirtualFlash left (per cache root); without it, blank', async () => {
    const board = loadTarget('qemu-m4');
    const saved = process.env.TINYFORGE_CACHE_DIR;
    process.env.TINYFORGE_CACHE_DIR = path.join(out, 'cache');
    const data = Uint8Array.from({ length: 1000 }, (_, i) => (i * 29 + 3) & 0xff);
    const checksumAfterBoot = async (keepFlash: boolean) => {
      const vb = await startVirtualBoard(board, { bootloader: true, bootloaderElf: bootloaderElf(board), keepFlash });
      const port = PtySerial.open(vb.ptyPath);
      try {
        port.write(Buffer.from([0x7f]));
        expect((await port.read(1, 5000))[0]).toBe(0x79);
        port.write(Buffer.from([0xa1, 0x5e]));
        expect((await port.read(1))[0]).toBe(0x79);
        const a = [board.flash.base >>> 24, (board.flash.base >>> 16) & 0xff, (board.flash.base >>> 8) & 0xff, board.flash.base & 0xff];
        port.write(Buffer.from([...a, a.reduce((x, y) => x ^ y, 0)]));
        expect((await port.read(1))[0]).toBe(0x79);
        port.write(Buffer.from([0, 0, 0x03, 0xe8, 0x03 ^ 0xe8]));
        const r = [...(await port.read(7))];
        return ((r[2] << 24) | (r[3] << 16) | (r[4] << 8) | r[5]) >>> 0;
      } finally {
        port.close();
        await vb.stop();
      }
    };
    try {
      saveVirtualFlash(board, [{ address: board.flash.base, data }]);
      expect(fs.statSync(virtualFlashFile(board)).size).toBe(1000);
      expect(await checksumAfterBoot(true)).toBe(stm32Crc(data));
      expect(await checksumAfterBoot(false)).not.toBe(stm32Crc(data));
      expect(() => saveVirtualFlash(board, [{ address: board.flash.base - 4, data }])).toThrow(/does not lie in qemu-m4's flash/);
    } finally {
      if (saved === undefined) delete process.env.TINYFORGE_CACHE_DIR;
      else process.env.TINYFORGE_CACHE_DIR = saved;
    }
  });
});

withStm32flash('stm32flash (Debian, an independent AN3155 host) against the virtual bootloader', () => {
  it.each(['qemu-m4', 'qemu-m55'])('%s: writes, verifies and starts an application whose UART output is seen', async (name) => {
    const board = loadTarget(name);
    const app = buildFirmware({ target: board, sources: [path.join(COMMON, 'test', 'alive.c')], outDir: path.join(out, name), name: 'app' });
    const size = fs.statSync(app.bin).size;
    const at = `0x${board.flash.base.toString(16)}`;
    const vb = await startVirtualBoard(board, { bootloader: true });
    let port: PtySerial | undefined;
    try {
      const r = await run('stm32flash', ['-m', '8n1', '-w', app.bin, '-v', '-S', `${at}:${size}`, '-g', at, vb.ptyPath]);
      if (r.status !== 0) throw new Error(`stm32flash failed with status ${r.status}:\n${r.output}`);
      expect(r.output).toMatch(/Wrote and verified address/);
      expect(r.output).toMatch(new RegExp(`Starting execution at address 0x0*${board.flash.base.toString(16)}\\.\\.\\. done`));
      port = PtySerial.open(vb.ptyPath);
      expect(await port.waitFor(/tinyforge app alive, vectors at 0x[0-9a-f]{8}/)).toContain(`vectors at 0x${board.flash.base.toString(16).padStart(8, '0')}`);
      port.write('ok\n');
      expect(await vb.exited).toBe(2);
    } finally {
      port?.close();
      await vb.stop();
    }
  });
});
