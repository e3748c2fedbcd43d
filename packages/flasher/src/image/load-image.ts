import * as fs from 'fs';
import { ImageError } from '../errors';
import { isElf, parseElf } from './elf';
import { FlashImage, normalizeSegments } from './image';
import { parseIntelHex } from './intel-hex';

/** Bigger than any Cortex-M flash by far; refuses to read huge files by mistake. */
export const MAX_IMAGE_FILE_BYTES = 64 * 1024 * 1024;

export type ImageFormat = 'elf' | 'hex' | 'bin';

export interface LoadImageOptions {
  format?: ImageFormat;
  /** Where a raw BIN goes; required for BIN. */
  address?: number;
  file?: string;
}

/** A raw binary placed at `address`. */
export function parseBin(bytes: Uint8Array, address: number, file?: string): FlashImage {
  return { format: 'bin', segments: normalizeSegments([{ address, data: bytes.slice() }], file), file };
}

function detectFormat(bytes: Uint8Array, file?: string): ImageFormat {
  if (isElf(bytes)) return 'elf';
  if (file && /\.(hex|ihex|ihx)$/i.test(file)) return 'hex';
  let i = 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++;
  if (bytes[i] === 0x3a && /^:[0-9A-Fa-f]{10}/.test(Buffer.from(bytes.subarray(i, i + 11)).toString('latin1'))) return 'hex';
  return 'bin';
}

/** Parse image bytes: ELF by magic, Intel HEX by content or extension, otherwise raw BIN (needs an address). */
export function parseImage(bytes: Uint8Array, options: LoadImageOptions = {}): FlashImage {
  const file = options.file;
  const format = options.format ?? detectFormat(bytes, file);
  switch (format) {
    case 'elf':
      return parseElf(bytes, file);
    case 'hex':
      return parseIntelHex(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1'), file);
    case 'bin':
      if (options.address === undefined) {
        throw new ImageError('IMAGE_ADDRESS', 'a raw binary image needs a load address (--address, e.g. 0x08000000)', { file });
      }
      return parseBin(bytes, options.address, file);
  }
}

export function loadImageFile(path: string, options: Omit<LoadImageOptions, 'file'> = {}): FlashImage {
  let size: number;
  try {
    size = fs.statSync(path).size;
  } catch (e) {
    throw new ImageError('IMAGE_READ', `cannot read the image: ${(e as Error).message}`, { file: path });
  }
  if (size > MAX_IMAGE_FILE_BYTES) {
    throw new ImageError('IMAGE_TOO_LARGE', `file is ${size} bytes, more than the ${MAX_IMAGE_FILE_BYTES} accepted`, { file: path });
  }
  return parseImage(new Uint8Array(fs.readFileSync(path)), { ...options, file: path });
}
