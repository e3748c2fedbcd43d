import { FlashError } from '../../errors';
import { FlashImage, imageBytes, imageSize } from '../../image/image';
import { ProgressCallback } from '../../progress';
import { Transport } from '../../transport/transport';
import { SambaClient, SambaTimeouts } from './client';
import { crc16Xmodem } from './crc16';
import { AIRCR, AIRCR_SYSRESETREQ } from './emulator';

export interface SambaFlashOptions {
  /** Application area: [appStart, flashSize). Arduino SAMD21 bootloaders keep the first 8 KiB. */
  appStart?: number;
  flashSize?: number;
  /** SRAM staging buffer for S + Y. */
  bufferAddress?: number;
  bufferSize?: number;
  /** Flash page: writes are padded to it. */
  pageSize?: number;
  verify?: 'auto' | 'crc' | 'readback' | 'none';
  /** Reset into the application after a verified write. */
  go?: boolean;
  timeouts?: Partial<SambaTimeouts>;
  onProgress?: ProgressCallback;
}

export interface SambaFlashResult {
  protocol: 'samba';
  version: string;
  bytes: number;
  verified: 'crc' | 'readback' | 'none';
  started: boolean;
  totalMs: number;
}

/** bossac's sequence with the Arduino extensions: erase the application area, stage and program, CRC-verify. */
export async function flashSamba(transport: Transport, image: FlashImage, options: SambaFlashOptions = {}): Promise<SambaFlashResult> {
  const t0 = Date.now();
  const appStart = options.appStart ?? 0x2000;
  const page = options.pageSize ?? 64;
  const buffer = options.bufferAddress ?? 0x20004000;
  const bufferSize = options.bufferSize ?? 4096;
  const progress = options.onProgress ?? (() => undefined);

  checkSambaImage(image, options);

  const client = new SambaClient(transport, options.timeouts);
  progress({ phase: 'connect', done: 0, total: 1 });
  const version = await client.connect();
  if (!client.hasArduinoExtensions) throw new FlashError('FLASH_UNSUPPORTED', `SAM-BA monitor "${version}" lacks the Arduino X/Y/Z extensions this flasher uses`);

  progress({ phase: 'erase', done: 0, total: 1 });
  await client.eraseFrom(appStart);

  const chunks = planChunks(image, page, bufferSize);
  const total = chunks.reduce((n, c) => n + c.data.length, 0);
  let done = 0;
  for (const c of chunks) {
    await client.sendData(buffer, c.data);
    await client.programFromBuffer(buffer, c.address, c.data.length);
    done += c.data.length;
    progress({ phase: 'write', done, total });
  }

  const mode = options.verify ?? 'auto';
  let verified: SambaFlashResult['verified'] = 'none';
  if (mode !== 'none') {
    verified = mode === 'readback' ? 'readback' : 'crc';
    done = 0;
    for (const c of chunks) {
      const ok = verified === 'crc' ? (await client.crc(c.address, c.data.length)) === crc16Xmodem(c.data) : equal(await client.receiveData(c.address, c.data.length), c.data);
      if (!ok) throw new FlashError('FLASH_VERIFY', `flash at 0x${c.address.toString(16)} (${c.data.length} bytes) differs from the image`, 'run again; if it persists the flash may be worn');
      done += c.data.length;
      progress({ phase: 'verify', done, total });
    }
  }

  let started = false;
  if (options.go) {
    await client.writeWord(AIRCR, AIRCR_SYSRESETREQ);
    started = true;
  }
  return { protocol: 'samba', version, bytes: imageSize(image), verified, started, totalMs: Date.now() - t0 };
}

/** Page-aligned chunks of at most `bufferSize` bytes covering every segment (0xFF where the image has none). */
function planChunks(image: FlashImage, page: number, bufferSize: number): { address: number; data: Uint8Array }[] {
  const out: { address: number; data: Uint8Array }[] = [];
  for (const s of image.segments) {
    const prev = out[out.length - 1];
    // Segments sharing a page: the earlier chunk already wrote that page with both segments' bytes.
    const start = Math.max(Math.floor(s.address / page) * page, prev ? prev.address + prev.data.length : 0);
    const end = Math.ceil((s.address + s.data.length) / page) * page;
    for (let a = start; a < end; a += bufferSize) out.push({ address: a, data: imageBytes(image, a, Math.min(bufferSize, end - a)) });
  }
  return out;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * The Arduino "1200-baud touch": opening the CDC port at 1200 baud and closing it makes the sketch reboot into
 * the bootloader. The port usually re-enumerates, so callers reopen it (possibly under a new name) afterwards.
 */
export async function touch1200(transport: Transport): Promise<void> {
  await transport.setLine(1200, 'none');
  await transport.setSignals({ dtr: false }).catch(() => undefined);
}

/** The image lies in the application area [appStart, flashSize): checked before any port is opened. */
export function checkSambaImage(image: FlashImage, options: Pick<SambaFlashOptions, 'appStart' | 'flashSize'>): void {
  const appStart = options.appStart ?? 0x2000;
  const flashSize = options.flashSize ?? 256 * 1024;
  for (const s of image.segments) {
    const end = s.address + s.data.length;
    if (s.address < appStart) throw new FlashError('FLASH_ADDRESS', `image data at 0x${s.address.toString(16)} lies below the application area (0x${appStart.toString(16)}): it would overwrite the bootloader`, 'link the sketch for the bootloader offset');
    if (end > flashSize) throw new FlashError('FLASH_TOO_LARGE', `image ends at 0x${end.toString(16)}, past the end of flash (0x${flashSize.toString(16)})`);
  }
}
