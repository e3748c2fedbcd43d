import * as fs from 'fs';
import { readElfSections } from '@tinyforge/flasher';
import { BoardError } from './errors';

/** The RP2040 boot ROM checks this CRC-32 (poly 0x04C11DB7, MSB first, init 0xFFFFFFFF, no final xor). */
export function crc32Mpeg2(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte << 24;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x80000000 ? ((crc << 1) ^ 0x04c11db7) >>> 0 : (crc << 1) >>> 0;
  }
  return crc >>> 0;
}

const BOOT2_SIZE = 256;

/** Write the CRC of the 252-byte second-stage boot loader into its last word, in the ELF itself. */
export function patchRp2040Boot2(elfPath: string): void {
  const bytes = fs.readFileSync(elfPath);
  const boot2 = readElfSections(bytes, elfPath).find((s) => s.name === '.boot2');
  if (boot2 === undefined || boot2.size !== BOOT2_SIZE || boot2.nobits) {
    throw new BoardError('BOARD_BUILD', `.boot2 must be exactly ${BOOT2_SIZE} bytes (found ${boot2?.size ?? 'none'})`, { file: elfPath });
  }
  const crc = crc32Mpeg2(bytes.subarray(boot2.offset, boot2.offset + BOOT2_SIZE - 4));
  bytes.writeUInt32LE(crc, boot2.offset + BOOT2_SIZE - 4);
  fs.writeFileSync(elfPath, bytes);
}
