import { FlashError } from '../../errors';
import { FlashImage } from '../../image/image';
import { VirtualClock } from '../../transport/clock';
import { createMemoryPair } from '../../transport/memory-pair';
import { Stm32Client } from './client';
import { Cmd, stm32Crc } from './constants';
import { STM32_DEVICES } from './devices';
import { planErase, planWrites } from './flash-map';
import { Stm32Emulator, Stm32EmulatorOptions } from './emulator';
import { flashStm32, Stm32FlashOptions } from './flash-stm32';

const F4 = STM32_DEVICES.find((d) => d.id === 0x413)!;
const FAST = { sync: 150, read: 150, blockWrite: 200, eraseBase: 200, erasePerSector: 100, massErase: 400, resetSettle: 5 };

const openDevices: { close: () => Promise<void> }[] = [];
afterEach(async () => {
  // Failed tests skip their own close(); a running emulator would keep jest alive.
  await Promise.all(openDevices.splice(0).map((d) => d.close()));
});

/** On a virtual clock: a timeout means the emulator has nothing more to send, however loaded the machine is. */
function setup(opts: Partial<Stm32EmulatorOptions> = {}, signals = true) {
  const { host, device } = createMemoryPair({ signals, clock: new VirtualClock() });
  openDevices.push(device);
  const emu = new Stm32Emulator(device, { productId: 0x413, flash: F4.flash, ram: F4.ram, unplug: () => host.unplug(), ...opts });
  void emu.start();
  return { host, device, emu, close: () => void device.close() };
}

const image = (address: number, length: number, seed = 1): FlashImage => ({
  format: 'bin',
  segments: [{ address, data: Uint8Array.from({ length }, (_, i) => (i * 13 + seed) & 0xff) }],
});

function flashed(emu: Stm32Emulator, img: FlashImage): boolean {
  return img.segments.every((s) => {
    const off = s.address - F4.flash.base;
    return Buffer.compare(Buffer.from(emu.flash.subarray(off, off + s.data.length)), Buffer.from(s.data)) === 0;
  });
}

async function expectCode(p: Promise<unknown>, code: string): Promise<FlashError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(FlashError);
    expect((e as FlashError).code).toBe(code);
    return e as FlashError;
  }
  throw new Error(`expected ${code}`);
}

describe('flash planning', () => {
  it('erases only the F4 sectors an image touches', () => {
    const segs = [
      { address: 0x08000000, data: new Uint8Array(100) },
      { address: 0x0800c000 - 4, data: new Uint8Array(8) }, // straddles sectors 2 and 3
      { address: 0x08020000, data: new Uint8Array(1) }, // first 128 KiB sector (5)
    ];
    expect(planErase(F4.flash, segs)).toEqual([0, 2, 3, 5]);
  });

  it('refuses an image past the end of flash, and one outside it', () => {
    expect(() => planErase(F4.flash, [{ address: 0x080ff000, data: new Uint8Array(0x2000) }])).toThrow(expect.objectContaining({ code: 'FLASH_TOO_LARGE' }));
    expect(() => planErase(F4.flash, [{ address: 0x20000000, data: new Uint8Array(4) }])).toThrow(expect.objectContaining({ code: 'FLASH_ADDRESS' }));
  });

  it('splits writes at 256-byte boundaries, aligned and padded', () => {
    const blocks = planWrites([{ address: 0x08000102, data: new Uint8Array(300).fill(0) }], 4);
    expect(blocks.map((b) => [b.address - 0x08000000, b.data.length])).toEqual([
      [0x100, 256],
      [0x200, 48],
    ]);
    expect(Array.from(blocks[0].data.subarray(0, 3))).toEqual([0xff, 0xff, 0]);
    expect(planWrites([{ address: 0x08000000, data: new Uint8Array(40) }], 32).map((b) => b.data.length)).toEqual([64]);
  });

  it('computes the STM32 hardware CRC32', () => {
    // The CRC unit's documented check: one word 0x12345678 from reset value → 0xDF8A8A2B.
    expect(stm32Crc(Uint8Array.of(0x78, 0x56, 0x34, 0x12))).toBe(0xdf8a8a2b);
  });
});

describe('AN3155 client against the emulator', () => {
  it('runs every command', async () => {
    const { host, emu, close } = setup();
    const c = new Stm32Client(host, FAST);
    const info = await c.connect();
    expect(info.productId).toBe(0x413);
    expect(info.version).toBe(0x31);
    expect(info.commands).toContain(Cmd.ExtendedErase);

    await c.extendedErase([0, 1]);
    const data = Uint8Array.from({ length: 256 }, (_, i) => i);
    await c.writeMemory(0x08000000, data);
    expect(await c.readMemory(0x08000000, 256)).toEqual(data);
    expect(await c.getChecksum(0x08000000, 256)).toBe(stm32Crc(data));
    await c.writeMemory(0x20000000, Uint8Array.of(1, 2, 3, 4));
    expect(Array.from(await c.readMemory(0x20000000, 4))).toEqual([1, 2, 3, 4]);

    await c.writeProtect([1]);
    await expectCode(c.extendedErase([1]), 'FLASH_NACK');
    await c.writeUnprotect();
    await c.extendedErase([1]);
    await c.extendedErase('bank1');
    await c.massErase();
    expect(emu.flash.every((b) => b === 0xff)).toBe(true);

    await c.readoutProtect();
    // Protection changed with the reset, so the opcode goes alone (no pipelined bytes reach the command parser).
    await expectCode(c.readMemory(0x08000000, 4), 'FLASH_NACK');
    await c.recover();
    await c.readoutUnprotect();
    expect(emu.readoutProtected).toBe(false);
    await c.go(0x08000000);
    expect(emu.startedAt).toBe(0x08000000);
    close();
  });

  it('uses the legacy Erase command on parts without Extended Erase', async () => {
    const f1 = STM32_DEVICES.find((d) => d.id === 0x410)!;
    const { host, emu, close } = setup({ productId: 0x410, flash: f1.flash, commands: [0x00, 0x01, 0x02, 0x11, 0x21, 0x31, 0x43] });
    const img = image(0x08000400, 3000);
    const r = await flashStm32(host, img, { timeouts: FAST });
    expect(r.sectorsErased).toEqual([1, 2, 3]);
    expect(r.verified).toBe('readback');
    expect(emu.commandLog).toContain(Cmd.Erase);
    expect(emu.flash.subarray(0x400, 0x400 + 3000)).toEqual(img.segments[0].data);
    close();
  });
});

describe('flashStm32', () => {
  const run = async (img: FlashImage, emuOpts: Partial<Stm32EmulatorOptions> = {}, opts: Stm32FlashOptions = {}) => {
    const s = setup(emuOpts);
    try {
      return { ...s, result: await flashStm32(s.host, img, { timeouts: FAST, ...opts }) };
    } finally {
      s.close();
    }
  };

  it('writes, verifies by checksum and starts a multi-segment image', async () => {
    const img: FlashImage = { format: 'hex', segments: [...image(0x08000000, 5000).segments, ...image(0x08010000, 700, 9).segments] };
    const { emu, result } = await run(img, {}, { go: true });
    expect(flashed(emu, img)).toBe(true);
    expect(result.verified).toBe('checksum');
    expect(result.sectorsErased).toEqual([0, 4]);
    expect(emu.erasedSectors).toEqual([0, 4]);
    expect(result.started).toBe(true);
    expect(emu.startedAt).toBe(0x08000000);
    expect(result.retries).toBe(0);
  });

  it('also works one round trip per stage (pipelining off)', async () => {
    const img = image(0x08000000, 1000);
    const { emu, result } = await run(img, { faults: { nackCommandAt: 6 } }, { pipeline: false, verify: 'readback' });
    expect(flashed(emu, img)).toBe(true);
    expect(result.retries).toBeGreaterThanOrEqual(1);
  });

  it('writeWindow: several Write Memory commands per round trip for a buffering bootloader; a NACK in a group is recovered', async () => {
    const img = image(0x08000000, 5000); // 20 blocks: the first group one by one (opcode not yet accepted), then 4 groups of 4
    const s = setup();
    const writes: number[] = [];
    const write = s.host.write.bind(s.host);
    s.host.write = (data: Uint8Array) => {
      writes.push(data.length);
      return write(data);
    };
    try {
      const result = await flashStm32(s.host, img, { timeouts: FAST, writeWindow: 4 });
      expect(flashed(s.emu, img)).toBe(true);
      expect(result.retries).toBe(0);
      expect(writes.filter((n) => n > 3 * 265)).toHaveLength(4); // 4 commands of 265 bytes (2 + 5 + 1 + 256 + 1) a write
    } finally {
      s.close();
    }
    // Commands 0-3: Get, Get Version, Get ID, Extended Erase; 4-7 the first group; 9 is the second block of the second.
    const { emu, result } = await run(img, { faults: { nackCommandAt: 9 } }, { writeWindow: 4 });
    expect(flashed(emu, img)).toBe(true);
    expect(result.retries).toBeGreaterThanOrEqual(1);
    expect(result.verified).toBe('checksum');
  });

  it('enters the bootloader through DTR/RTS and leaves through a reset into the application', async () => {
    const s = setup({ inBootloader: false });
    s.emu.attachResetLines(s.host, 'dtr');
    const img = image(0x08000000, 1024);
    const r = await flashStm32(s.host, img, { timeouts: FAST, reset: 'dtr' });
    expect(flashed(s.emu, img)).toBe(true);
    expect(r.started).toBe(true);
    expect(s.emu.startedAt).toBe(0x08000000);
    s.close();
  });

  it('says how to enter the bootloader when nothing answers', async () => {
    const e = await expectCode(run(image(0x08000000, 16), { inBootloader: false }), 'FLASH_NO_SYNC');
    expect(e.message).toMatch(/BOOT0/);
  });

  it('refuses readout-protected chips and write-protected sectors with FLASH_PROTECTED', async () => {
    const rdp = await expectCode(run(image(0x08000000, 16), { readoutProtected: true }), 'FLASH_PROTECTED');
    expect(rdp.message).toMatch(/readout protection.*MASS-ERASES/);
    const wrp = await expectCode(run(image(0x08000000, 16), { writeProtectedSectors: [0] }), 'FLASH_PROTECTED');
    expect(wrp.message).toMatch(/write-protected/);
  });

  it('removes protection on request; readout unprotect (a mass erase) only with force', async () => {
    const img = image(0x08000000, 512);
    await expectCode(run(img, { readoutProtected: true }, { unprotect: 'read' }), 'FLASH_NEEDS_FORCE');
    const rdp = await run(img, { readoutProtected: true }, { unprotect: 'read', force: true });
    expect(rdp.emu.readoutProtected).toBe(false);
    expect(flashed(rdp.emu, img)).toBe(true);
    const wrp = await run(img, { writeProtectedSectors: [0] }, { unprotect: 'write' });
    expect(wrp.emu.writeProtected.size).toBe(0);
    expect(flashed(wrp.emu, img)).toBe(true);
  });

  it('refuses an image larger than flash before touching the chip', async () => {
    const { emu, close, host } = setup();
    await expectCode(flashStm32(host, image(0x08000000, 1024 * 1024 + 4), { timeouts: FAST }), 'FLASH_TOO_LARGE');
    expect(emu.erasedSectors).toEqual([]);
    close();
  });

  it('repairs a weak write found by verification, and fails on a stuck bit without starting the image', async () => {
    const img = image(0x08000000, 2048);
    const weak = await run(img, { faults: { weakWriteAt: 3 } }, { go: true });
    expect(flashed(weak.emu, img)).toBe(true);
    expect(weak.emu.erasedSectors).toEqual([0, 0]);
    const s = setup({ faults: { stuckBitAddresses: [0x08000100] } });
    await expectCode(flashStm32(s.host, img, { timeouts: FAST, go: true }), 'FLASH_VERIFY');
    expect(s.emu.startedAt).toBeUndefined();
    s.close();
  });

  it('reports an unplugged cable as FLASH_PORT_CLOSED', async () => {
    await expectCode(run(image(0x08000000, 4096), { faults: { unplugAtRx: 500 } }), 'FLASH_PORT_CLOSED');
  });

  it('skipUnchanged: a board that already holds the image (same CRC) is neither erased nor written; one changed byte is', async () => {
    const s = setup();
    try {
      const img: FlashImage = { format: 'hex', segments: [...image(0x08000000, 5000).segments, ...image(0x08010000, 700, 9).segments] };
      const first = await flashStm32(s.host, img, { timeouts: FAST, skipUnchanged: true });
      expect(first).toMatchObject({ unchanged: false, verified: 'checksum', sectorsErased: [0, 4] });
      const writes = () => s.emu.commandLog.filter((c) => c === Cmd.WriteMemory).length;
      const written = writes();
      expect(written).toBeGreaterThan(0);

      const again = await flashStm32(s.host, img, { timeouts: FAST, skipUnchanged: true, go: true });
      expect(again).toMatchObject({ unchanged: true, verified: 'checksum', sectorsErased: [], writeMs: 0, started: true });
      expect(writes()).toBe(written);
      expect(s.emu.erasedSectors).toEqual([0, 4]);
      expect(s.emu.startedAt).toBe(0x08000000);
    } finally {
      s.close();
    }
    const t = setup();
    try {
      const img = image(0x08000000, 4096);
      await flashStm32(t.host, img, { timeouts: FAST });
      const changed: FlashImage = { format: 'bin', segments: [{ address: 0x08000000, data: Uint8Array.from(img.segments[0].data, (b, i) => (i === 4000 ? b ^ 1 : b)) }] };
      const r = await flashStm32(t.host, changed, { timeouts: FAST, skipUnchanged: true });
      expect(r.unchanged).toBe(false);
      expect(flashed(t.emu, changed)).toBe(true);
    } finally {
      t.close();
    }
  });

  it('rides out BUSY answers during erase', async () => {
    const { emu, result } = await run(image(0x08000000, 300), { faults: { busyPerErase: 5 } });
    expect(result.retries).toBe(0);
    expect(emu.erasedSectors).toEqual([0]);
  });
});
