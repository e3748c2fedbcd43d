import { FlashError } from '../../errors';
import { FlashImage, imageBytes } from '../../image/image';

/** UF2 block layout (Microsoft's UF2 format): 32-byte header, 476 data bytes, closing magic. */
export const UF2_MAGIC_START0 = 0x0a324655;
export const UF2_MAGIC_START1 = 0x9e5d5157;
export const UF2_MAGIC_END = 0x0ab16f30;
export const UF2_FLAG_FAMILY_ID = 0x00002000;
export const UF2_BLOCK_SIZE = 512;
/** Payload per block that UF2 bootloaders accept everywhere (the RP2040's boot ROM requires exactly 256). */
export const UF2_PAYLOAD = 256;

export const UF2_FAMILIES: Record<string, number> = {
  rp2040: 0xe48bff56,
  samd21: 0x68ed2b88,
  samd51: 0x55114460,
  nrf52840: 0xada52840,
  stm32f4: 0x57755a57,
};

/** Convert an image to UF2 blocks of 256-byte payloads at 256-aligned addresses; gaps get no blocks. */
export function imageToUf2(image: FlashImage, familyId: number): Uint8Array {
  const addresses = new Set<number>();
  for (const s of image.segments) {
    for (let a = Math.floor(s.address / UF2_PAYLOAD) * UF2_PAYLOAD; a < s.address + s.data.length; a += UF2_PAYLOAD) addresses.add(a);
  }
  const targets = [...addresses].sort((a, b) => a - b);
  const out = new Uint8Array(targets.length * UF2_BLOCK_SIZE);
  const view = new DataView(out.buffer);
  targets.forEach((address, i) => {
    const at = i * UF2_BLOCK_SIZE;
    view.setUint32(at, UF2_MAGIC_START0, true);
    view.setUint32(at + 4, UF2_MAGIC_START1, true);
    view.setUint32(at + 8, UF2_FLAG_FAMILY_ID, true);
    view.setUint32(at + 12, address, true);
    view.setUint32(at + 16, UF2_PAYLOAD, true);
    view.setUint32(at + 20, i, true);
    view.setUint32(at + 24, targets.length, true);
    view.setUint32(at + 28, familyId >>> 0, true);
    out.set(imageBytes(image, address, UF2_PAYLOAD, 0xff), at + 32);
    view.setUint32(at + 508, UF2_MAGIC_END, true);
  });
  return out;
}

/** Read UF2 blocks back into (address, payload) pairs, checking magics and numbering. */
export function parseUf2(bytes: Uint8Array): { familyId?: number; blocks: { address: number; data: Uint8Array }[] } {
  if (bytes.length % UF2_BLOCK_SIZE !== 0) throw new FlashError('FLASH_PROTOCOL', `UF2 size ${bytes.length} is not a multiple of 512`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const blocks: { address: number; data: Uint8Array }[] = [];
  let familyId: number | undefined;
  for (let at = 0; at < bytes.length; at += UF2_BLOCK_SIZE) {
    if (view.getUint32(at, true) !== UF2_MAGIC_START0 || view.getUint32(at + 4, true) !== UF2_MAGIC_START1 || view.getUint32(at + 508, true) !== UF2_MAGIC_END) {
      throw new FlashError('FLASH_PROTOCOL', `UF2 block at byte ${at} has bad magic numbers`);
    }
    const size = view.getUint32(at + 16, true);
    if (size > 476) throw new FlashError('FLASH_PROTOCOL', `UF2 block at byte ${at} claims ${size} payload bytes`);
    if (view.getUint32(at + 8, true) & UF2_FLAG_FAMILY_ID) familyId = view.getUint32(at + 28, true);
    blocks.push({ address: view.getUint32(at + 12, true), data: bytes.slice(at + 32, at + 32 + size) });
  }
  return { familyId, blocks };
}
