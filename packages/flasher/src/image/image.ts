import { ImageError } from '../errors';

/** Bytes to place at one address. */
export interface Segment {
  address: number;
  data: Uint8Array;
}

/** A loaded firmware image: segments sorted by address, adjacent ones merged, gaps left unwritten. */
export interface FlashImage {
  format: 'elf' | 'hex' | 'bin';
  segments: Segment[];
  /** Entry point recorded in the file (ELF e_entry, HEX start address record), informational. */
  entry?: number;
  file?: string;
}

export function imageSize(image: FlashImage): number {
  return image.segments.reduce((n, s) => n + s.data.length, 0);
}

export function imageEnd(image: FlashImage): number {
  const last = image.segments[image.segments.length - 1];
  return last ? last.address + last.data.length : 0;
}

/**
 * Sort, refuse overlaps, merge segments that touch. Empty segments are dropped. Addresses must stay inside the
 * 32-bit address space.
 */
export function normalizeSegments(segments: Segment[], file?: string): Segment[] {
  const sorted = segments.filter((s) => s.data.length > 0).sort((a, b) => a.address - b.address);
  const out: Segment[] = [];
  for (const s of sorted) {
    if (s.address < 0 || s.address + s.data.length > 0x1_0000_0000) {
      throw new ImageError('IMAGE_ADDRESS', `segment at 0x${s.address.toString(16)} (${s.data.length} bytes) leaves the 32-bit address space`, { file });
    }
    const prev = out[out.length - 1];
    const prevEnd = prev ? prev.address + prev.data.length : -1;
    if (prev && s.address < prevEnd) {
      throw new ImageError('IMAGE_OVERLAP', `data at 0x${s.address.toString(16)} overlaps data ending at 0x${prevEnd.toString(16)}`, { file });
    }
    if (prev && s.address === prevEnd) {
      const merged = new Uint8Array(prev.data.length + s.data.length);
      merged.set(prev.data);
      merged.set(s.data, prev.data.length);
      out[out.length - 1] = { address: prev.address, data: merged };
    } else {
      out.push({ address: s.address, data: s.data });
    }
  }
  if (out.length === 0) throw new ImageError('IMAGE_EMPTY', 'the image holds no bytes to write', { file });
  return out;
}

/** The image's bytes in [address, address+length), with `fill` where the image has none. */
export function imageBytes(image: FlashImage, address: number, length: number, fill = 0xff): Uint8Array {
  const out = new Uint8Array(length).fill(fill);
  for (const s of image.segments) {
    const from = Math.max(address, s.address);
    const to = Math.min(address + length, s.address + s.data.length);
    if (from < to) out.set(s.data.subarray(from - s.address, to - s.address), from - address);
  }
  return out;
}
