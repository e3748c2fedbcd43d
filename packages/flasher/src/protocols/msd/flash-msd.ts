import * as fs from 'fs';
import * as path from 'path';
import { FlashError } from '../../errors';
import { FlashImage, imageBytes, imageEnd, imageSize } from '../../image/image';
import { ProgressCallback } from '../../progress';
import { imageToUf2 } from './uf2';

export interface MsdFlashOptions {
  /** 'bin' for ST-LINK/DAPLink drives, 'uf2' for UF2 bootloaders; 'auto' looks for INFO_UF2.TXT on the drive. */
  format?: 'auto' | 'bin' | 'uf2';
  /** UF2 family id (from the board file), required for UF2. */
  familyId?: number;
  /** Where a BIN lands on ST-LINK drives (start of flash); the image is laid out from here. */
  flashBase?: number;
  /** The drive's volume label (from the board file), for the hint when the drive is not where --port says. */
  volumeLabel?: string;
  /** How long to wait for the drive to take the file (it re-enumerates when done). */
  timeoutMs?: number;
  pollMs?: number;
  onProgress?: ProgressCallback;
}

export interface MsdFlashResult {
  protocol: 'msd';
  format: 'bin' | 'uf2';
  file: string;
  bytes: number;
  /** How completion showed: the drive went away (re-enumerated) or the file was consumed. */
  completion: 'drive-reenumerated' | 'file-consumed';
  totalMs: number;
}

const exists = (p: string): boolean => fs.existsSync(p);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Copy the image to a USB mass-storage flashing drive, flushed to the device, then wait for the drive to take it:
 * it unmounts/re-enumerates (or the file vanishes). ST-LINK drives report errors in FAIL.TXT after remounting.
 */
export async function flashMsd(drive: string, image: FlashImage, options: MsdFlashOptions = {}): Promise<MsdFlashResult> {
  const t0 = Date.now();
  const progress = options.onProgress ?? (() => undefined);
  if (!exists(drive) || !fs.statSync(drive).isDirectory()) {
    const label = options.volumeLabel;
    const hint = label !== undefined ? `plug the board in and check where its ${label} drive is mounted (e.g. /media/$USER/${label})` : "plug the board in and check where its drive is mounted (e.g. /media/$USER/<the drive's label>)";
    throw new FlashError('FLASH_PORT_OPEN', `${drive} is not a mounted drive`, hint);
  }
  const format = options.format === undefined || options.format === 'auto' ? (exists(path.join(drive, 'INFO_UF2.TXT')) ? 'uf2' : 'bin') : options.format;
  let payload: Uint8Array;
  if (format === 'uf2') {
    if (options.familyId === undefined) throw new FlashError('FLASH_BAD_OPTION', 'a UF2 drive needs the board\'s UF2 family id (board file uf2FamilyId)');
    payload = imageToUf2(image, options.familyId);
  } else {
    const base = options.flashBase ?? image.segments[0].address;
    if (image.segments[0].address < base) throw new FlashError('FLASH_ADDRESS', `image starts at 0x${image.segments[0].address.toString(16)}, below the drive's flash base 0x${base.toString(16)}`);
    payload = imageBytes(image, base, imageEnd(image) - base);
  }
  // A stale FAIL.TXT belongs to an earlier attempt; the drive rewrites it when this copy fails.
  const failPath = path.join(drive, 'FAIL.TXT');
  const staleFail = exists(failPath) ? fs.statSync(failPath).mtimeMs : undefined;

  const file = path.join(drive, `firmware.${format}`);
  progress({ phase: 'copy', done: 0, total: payload.length });
  writeFlushed(file, payload, (done) => progress({ phase: 'copy', done, total: payload.length }));

  progress({ phase: 'wait', done: 0, total: 1 });
  const timeoutMs = options.timeoutMs ?? 30000;
  const pollMs = options.pollMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  let completion: MsdFlashResult['completion'] | undefined;
  while (Date.now() < deadline) {
    if (!exists(drive)) {
      completion = 'drive-reenumerated';
      break;
    }
    if (!exists(file)) {
      completion = 'file-consumed';
      break;
    }
    await sleep(pollMs);
  }
  if (!completion) throw new FlashError('FLASH_TIMEOUT', `the drive did not take ${path.basename(file)} within ${timeoutMs} ms`, 'is this a flashing drive (ST-LINK, DAPLink or UF2 bootloader)?');

  // ST-LINK remounts after programming; give it the chance to show FAIL.TXT.
  if (format === 'bin') {
    while (Date.now() < deadline && !exists(drive)) await sleep(pollMs);
    if (exists(failPath) && fs.statSync(failPath).mtimeMs !== staleFail) {
      const text = fs.readFileSync(failPath, 'utf8').slice(0, 500).trim();
      throw new FlashError('FLASH_DEVICE_FAILED', `the drive reported a failure in FAIL.TXT: ${text}`);
    }
  }
  return { protocol: 'msd', format, file, bytes: imageSize(image), completion, totalMs: Date.now() - t0 };
}

function writeFlushed(file: string, data: Uint8Array, onProgress: (done: number) => void): void {
  const fd = fs.openSync(file, 'w');
  try {
    const chunk = 64 * 1024;
    for (let at = 0; at < data.length; at += chunk) {
      fs.writeSync(fd, data, at, Math.min(chunk, data.length - at));
      onProgress(Math.min(data.length, at + chunk));
    }
    // The drive only sees what reaches the device: flush before waiting for it to react.
    fs.fsyncSync(fd);
  } catch (e) {
    throw new FlashError('FLASH_PORT_CLOSED', `writing ${file} failed: ${(e as Error).message}`, 'the drive may have been unplugged');
  } finally {
    fs.closeSync(fd);
  }
}
