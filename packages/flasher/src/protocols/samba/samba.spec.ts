import { FlashError } from '../../errors';
import { FlashImage } from '../../image/image';
import { createMemoryPair } from '../../transport/memory-pair';
import { crc16Xmodem } from './crc16';
import { SambaEmulator, SambaEmulatorOptions } from './emulator';
import { flashSamba, touch1200 } from './flash-samba';

const SAMD21 = { flashSize: 256 * 1024, appStart: 0x2000, rowSize: 256, sram: { base: 0x20000000, size: 32 * 1024 } };
const open: { close: () => Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((d) => d.close()));
});

function setup(opts: Partial<SambaEmulatorOptions> = {}) {
  const { host, device } = createMemoryPair();
  open.push(device);
  const emu = new SambaEmulator(device, { ...SAMD21, unplug: () => host.unplug(), ...opts });
  void emu.start();
  return { host, emu };
}

const image = (address: number, length: number): FlashImage => ({
  format: 'bin',
  segments: [{ address, data: Uint8Array.from({ length }, (_, i) => (i * 7 + 3) & 0xff) }],
});
const FAST = { read: 1000, erase: 2000, write: 2000 };
const QUICK_GIVE_UP = { read: 150, erase: 300, write: 300 };

it('CRC-16/XMODEM check value', () => {
  expect(crc16Xmodem(new TextEncoder().encode('123456789'))).toBe(0x31c3);
});

it('touches at 1200 baud, erases, stages, programs, CRC-verifies and resets into the sketch', async () => {
  const { host, emu } = setup({ inBootloader: false });
  emu.attachTouch(host);
  await touch1200(host);
  await host.setLine(115200, 'none');
  const img: FlashImage = { format: 'hex', segments: [...image(0x2000, 9000).segments, { address: 0x8010, data: Uint8Array.of(1, 2, 3) }] };
  const r = await flashSamba(host, img, { go: true, timeouts: FAST });
  expect(r.verified).toBe('crc');
  expect(emu.flash.subarray(0x2000, 0x2000 + 9000)).toEqual(img.segments[0].data);
  expect(Array.from(emu.flash.subarray(0x8010, 0x8013))).toEqual([1, 2, 3]);
  expect(emu.flash[0x8013]).toBe(0xff);
  // The reset request has no answer: give the emulator a moment to take it.
  for (let i = 0; i < 50 && emu.startedAt === undefined; i++) await new Promise((res) => setTimeout(res, 5));
  expect(emu.startedAt).toBe(0x2000);
});

it('verifies by read-back too, and catches a stuck bit without starting the sketch', async () => {
  const ok = setup();
  expect((await flashSamba(ok.host, image(0x2000, 500), { verify: 'readback', timeouts: FAST })).verified).toBe('readback');
  const bad = setup({ stuckBitAddresses: [0x2000] });
  await expect(flashSamba(bad.host, image(0x2000, 500), { go: true, timeouts: FAST })).rejects.toMatchObject({ code: 'FLASH_VERIFY' });
  expect(bad.emu.startedAt).toBeUndefined();
});

it('typed errors: no monitor, bootloader overwrite, too large, unplugged', async () => {
  const e = await flashSamba(setup({ silent: true }).host, image(0x2000, 16), { timeouts: QUICK_GIVE_UP }).catch((x) => x);
  expect(e).toBeInstanceOf(FlashError);
  expect(e.code).toBe('FLASH_NO_SYNC');
  expect(e.message).toMatch(/1200-baud touch/);
  await expect(flashSamba(setup().host, image(0x1000, 16))).rejects.toMatchObject({ code: 'FLASH_ADDRESS' });
  await expect(flashSamba(setup().host, image(0x3f000, 0x2000))).rejects.toMatchObject({ code: 'FLASH_TOO_LARGE' });
  await expect(flashSamba(setup({ unplugAtRx: 200 }).host, image(0x2000, 4000), { timeouts: FAST })).rejects.toMatchObject({ code: 'FLASH_PORT_CLOSED' });
});
