import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FlashImage } from '../../image/image';
import { flashMsd } from './flash-msd';
import { imageToUf2, parseUf2, UF2_FAMILIES } from './uf2';

type Behaviour = 'stlink-ok' | 'stlink-remount' | 'stlink-fail' | 'uf2' | 'dead';

/** A temp folder playing a flashing drive: it takes the copied file the way the named device does. */
function playDrive(behaviour: Behaviour) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-drive-'));
  if (behaviour === 'uf2') fs.writeFileSync(path.join(dir, 'INFO_UF2.TXT'), 'UF2 Bootloader v3.0\nModel: Raspberry Pi RP2\nBoard-ID: RPI-RP2\n');
  else fs.writeFileSync(path.join(dir, 'DETAILS.TXT'), 'Version: 0221\n');
  const received: { name: string; bytes: Buffer }[] = [];
  const timer = setInterval(() => {
    if (behaviour === 'dead' || !fs.existsSync(dir)) return;
    const name = fs.readdirSync(dir).find((f) => f.startsWith('firmware.'));
    if (!name) return;
    received.push({ name, bytes: fs.readFileSync(path.join(dir, name)) });
    if (behaviour === 'stlink-fail') fs.writeFileSync(path.join(dir, 'FAIL.TXT'), 'The interface firmware FAILED to reset/halt the target MCU\r\n');
    if (behaviour === 'uf2' || behaviour === 'stlink-remount') {
      fs.rmSync(dir, { recursive: true, force: true });
      if (behaviour === 'stlink-remount') setTimeout(() => fs.mkdirSync(dir), 40);
    } else fs.rmSync(path.join(dir, name));
  }, 10);
  return { dir, received, done: () => (clearInterval(timer), fs.rmSync(dir, { recursive: true, force: true })) };
}

const image: FlashImage = {
  format: 'hex',
  segments: [
    { address: 0x10000000, data: Uint8Array.from({ length: 600 }, (_, i) => i & 0xff) },
    { address: 0x10001000, data: Uint8Array.of(9, 8, 7) },
  ],
};

describe('UF2', () => {
  it('converts to 256-byte blocks with family id, skipping gaps, and parses back', () => {
    const uf2 = imageToUf2(image, UF2_FAMILIES.rp2040);
    expect(uf2.length).toBe(4 * 512);
    const { familyId, blocks } = parseUf2(uf2);
    expect(familyId).toBe(0xe48bff56);
    expect(blocks.map((b) => b.address)).toEqual([0x10000000, 0x10000100, 0x10000200, 0x10001000]);
    expect(blocks[2].data.subarray(0, 88)).toEqual(image.segments[0].data.subarray(512));
    expect(blocks[2].data[88]).toBe(0xff);
    expect(Array.from(blocks[3].data.subarray(0, 3))).toEqual([9, 8, 7]);
  });
});

describe('flashMsd against a folder playing the drive', () => {
  const drives: { done: () => void }[] = [];
  afterEach(() => drives.splice(0).forEach((d) => d.done()));
  const drive = (b: Behaviour) => {
    const d = playDrive(b);
    drives.push(d);
    return d;
  };

  it('copies a UF2 to a UF2 bootloader drive and sees it go away', async () => {
    const d = drive('uf2');
    const r = await flashMsd(d.dir, image, { familyId: UF2_FAMILIES.rp2040, pollMs: 10, timeoutMs: 5000 });
    expect(r.format).toBe('uf2');
    expect(r.completion).toBe('drive-reenumerated');
    expect(d.received[0].name).toBe('firmware.uf2');
    expect(parseUf2(new Uint8Array(d.received[0].bytes)).blocks).toHaveLength(4);
  });

  it('copies a BIN laid out from the flash base to an ST-LINK drive', async () => {
    const d = drive('stlink-remount');
    const r = await flashMsd(d.dir, image, { flashBase: 0x10000000, pollMs: 10, timeoutMs: 5000 });
    expect(r.format).toBe('bin');
    const bin = d.received[0].bytes;
    expect(bin.length).toBe(0x1003);
    expect(bin[0x700]).toBe(0xff);
    expect(Array.from(bin.subarray(0x1000))).toEqual([9, 8, 7]);
  });

  it('reports FAIL.TXT', async () => {
    const d = drive('stlink-fail');
    await expect(flashMsd(d.dir, image, { pollMs: 10, timeoutMs: 5000 })).rejects.toMatchObject({ code: 'FLASH_DEVICE_FAILED', message: expect.stringMatching(/FAILED to reset\/halt/) });
  });

  it('times out on a folder that is no flashing drive, and refuses a missing drive or family id', async () => {
    const d = drive('dead');
    await expect(flashMsd(d.dir, image, { pollMs: 10, timeoutMs: 150 })).rejects.toMatchObject({ code: 'FLASH_TIMEOUT' });
    await expect(flashMsd('/nonexistent/NODE_F446RE', image)).rejects.toMatchObject({ code: 'FLASH_PORT_OPEN' });
    await expect(flashMsd(drive('uf2').dir, image)).rejects.toMatchObject({ code: 'FLASH_BAD_OPTION' });
  });
});
