/** AN3155 bytes and command codes. */
export const SYNC = 0x7f;
export const ACK = 0x79;
export const NACK = 0x1f;
/** Some parts answer BUSY while an erase or protection change is still running. */
export const BUSY = 0x76;

export const Cmd = {
  Get: 0x00,
  GetVersion: 0x01,
  GetId: 0x02,
  ReadMemory: 0x11,
  Go: 0x21,
  WriteMemory: 0x31,
  Erase: 0x43,
  ExtendedErase: 0x44,
  WriteProtect: 0x63,
  WriteUnprotect: 0x73,
  ReadoutProtect: 0x82,
  ReadoutUnprotect: 0x92,
  GetChecksum: 0xa1,
} as const;

export type CommandName = keyof typeof Cmd;

export function commandName(code: number): string {
  const hit = Object.entries(Cmd).find(([, v]) => v === code);
  return hit ? hit[0] : `0x${code.toString(16).padStart(2, '0')}`;
}

/** Largest block Read/Write Memory move; also the erase request split size for Extended Erase. */
export const MAX_BLOCK = 256;
export const MAX_ERASE_PAGES_PER_REQUEST = 512;

/** Special Extended Erase codes. */
export const EraseCode = { Mass: 0xffff, Bank1: 0xfffe, Bank2: 0xfffd } as const;

/** XOR of all bytes: the checksum AN3155 uses for addresses, blocks and erase lists. */
export function xorAll(bytes: ArrayLike<number>, seed = 0): number {
  let x = seed;
  for (let i = 0; i < bytes.length; i++) x ^= bytes[i];
  return x & 0xff;
}

export function addressFrame(address: number): Uint8Array {
  const b = new Uint8Array(5);
  b[0] = (address >>> 24) & 0xff;
  b[1] = (address >>> 16) & 0xff;
  b[2] = (address >>> 8) & 0xff;
  b[3] = address & 0xff;
  b[4] = xorAll(b.subarray(0, 4));
  return b;
}

/** STM32 hardware CRC32 (poly 0x04C11DB7, init 0xFFFFFFFF, 32-bit little-endian words fed MSB first). */
export function stm32Crc(data: Uint8Array, crc = 0xffffffff): number {
  for (let i = 0; i + 3 < data.length; i += 4) {
    const word = (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24)) >>> 0;
    crc = (crc ^ word) >>> 0;
    for (let b = 0; b < 32; b++) crc = crc & 0x80000000 ? ((crc << 1) ^ 0x04c11db7) >>> 0 : (crc << 1) >>> 0;
  }
  return crc >>> 0;
}
