import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { flashImage, stm32Info } from './flash-image';
import { formatIntelHex } from './image/intel-hex';
import { STM32_DEVICES } from './protocols/stm32/devices';
import { Stm32Emulator } from './protocols/stm32/emulator';
import { createMemoryPair } from './transport/memory-pair';

const F4 = STM32_DEVICES.find((d) => d.id === 0x413)!;
const TIMEOUTS = { sync: 200, read: 300 };

function chip(opts: { readoutProtected?: boolean } = {}) {
  const { host, device } = createMemoryPair();
  const emu = new Stm32Emulator(device, { productId: 0x413, flash: F4.flash, ram: F4.ram, ...opts });
  void emu.start();
  return { host, device, emu };
}

it('flashImage loads a HEX file and flashes it with progress, verified and started', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-flash-'));
  const data = Uint8Array.from({ length: 3000 }, (_, i) => (i * 5) & 0xff);
  const file = path.join(dir, 'fw.hex');
  fs.writeFileSync(file, formatIntelHex([{ address: 0x08000000, data }]));
  const { host, device, emu } = chip();
  const phases = new Set<string>();
  let lastWrite = 0;
  const r = await flashImage({
    image: file,
    protocol: 'stm32',
    port: 'memory',
    transport: host,
    go: true,
    timeouts: TIMEOUTS,
    onProgress: (p) => {
      phases.add(p.phase);
      if (p.phase === 'write') lastWrite = p.done;
    },
  });
  expect(r.protocol).toBe('stm32');
  expect(emu.flash.subarray(0, 3000)).toEqual(data);
  expect(emu.startedAt).toBe(0x08000000);
  expect([...phases]).toEqual(['reset', 'connect', 'erase', 'write', 'verify', 'start']);
  expect(lastWrite).toBe(3000);
  await device.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

it('stm32Info reports the device, bootloader version, commands and readout protection', async () => {
  const open = chip();
  const info = await stm32Info(open.host, { timeouts: TIMEOUTS });
  expect(info).toMatchObject({ productId: 0x413, device: 'STM32F40xxx/41xxx', bootloaderVersion: '3.1', readoutProtected: false });
  expect(info.commands).toContain('ExtendedErase');
  await open.device.close();
  const locked = chip({ readoutProtected: true });
  expect((await stm32Info(locked.host, { timeouts: TIMEOUTS })).readoutProtected).toBe(true);
  await locked.device.close();
});

it('checks the image against the flash before any port is opened (issue 21): a port that does not exist is never reached', async () => {
  const big = { format: 'bin' as const, segments: [{ address: 0x08000000, data: new Uint8Array(F4.flash.sectors.reduce((n, s) => n + s.size * s.count, 0) + 4) }] };
  await expect(flashImage({ image: big, protocol: 'stm32', port: '/dev/no-such-port', flash: F4.flash })).rejects.toMatchObject({ code: 'FLASH_TOO_LARGE' });
  const low = { format: 'bin' as const, segments: [{ address: 0x1000, data: new Uint8Array(16) }] };
  await expect(flashImage({ image: low, protocol: 'samba', port: '/dev/no-such-port', touch: true })).rejects.toMatchObject({ code: 'FLASH_ADDRESS' });
});
