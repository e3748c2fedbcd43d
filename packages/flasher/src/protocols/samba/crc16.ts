/** CRC-16/XMODEM (poly 0x1021, init 0): what the Arduino SAM-BA bootloader's Z command returns. */
export function crc16Xmodem(data: Uint8Array, crc = 0): number {
  for (const byte of data) {
    crc ^= byte << 8;
    for (let b = 0; b < 8; b++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}
