import { FlashError } from '../../errors';
import { Segment } from '../../image/image';

/** A run of equal-size erase units (F4/F7 sectors differ in size; F0/F1/L4/G0 pages do not). */
export interface SectorRun {
  size: number;
  count: number;
}

export interface FlashLayout {
  base: number;
  sectors: SectorRun[];
  /** Write granularity: 4 on most parts, 32 on H7 (flash words). */
  writeAlign: number;
  /** Number of erase units in bank 1, for parts with two banks. */
  bank1Units?: number;
}

export interface Sector {
  index: number;
  address: number;
  size: number;
}

export function listSectors(layout: FlashLayout): Sector[] {
  const out: Sector[] = [];
  let address = layout.base;
  for (const run of layout.sectors) {
    for (let i = 0; i < run.count; i++) {
      out.push({ index: out.length, address, size: run.size });
      address += run.size;
    }
  }
  return out;
}

export function flashSize(layout: FlashLayout): number {
  return layout.sectors.reduce((n, r) => n + r.size * r.count, 0);
}

/** Every segment inside flash, else FLASH_TOO_LARGE (runs past the end) or FLASH_ADDRESS (elsewhere). */
export function checkFitsFlash(layout: FlashLayout, segments: Segment[]): void {
  const end = layout.base + flashSize(layout);
  for (const s of segments) {
    const segEnd = s.address + s.data.length;
    if (s.address >= layout.base && segEnd <= end) continue;
    const where = `0x${s.address.toString(16)}..0x${segEnd.toString(16)}`;
    const flash = `0x${layout.base.toString(16)}..0x${end.toString(16)}`;
    if (s.address >= layout.base && s.address < end) {
      throw new FlashError('FLASH_TOO_LARGE', `image data ${where} runs ${segEnd - end} bytes past the end of flash (${flash}, ${end - layout.base} bytes)`);
    }
    throw new FlashError('FLASH_ADDRESS', `image data ${where} lies outside flash (${flash})`, 'link the image for the board\'s flash address, or pass --address for a raw binary');
  }
}

/** Sector indices the segments touch, ascending: only those get erased. */
export function planErase(layout: FlashLayout, segments: Segment[]): number[] {
  checkFitsFlash(layout, segments);
  const sectors = listSectors(layout);
  const touched = new Set<number>();
  for (const s of segments) {
    const end = s.address + s.data.length;
    for (const sec of sectors) {
      if (sec.address < end && s.address < sec.address + sec.size) touched.add(sec.index);
    }
  }
  return [...touched].sort((a, b) => a - b);
}

export interface WriteBlock {
  address: number;
  data: Uint8Array;
}

/**
 * Split segments into Write Memory blocks: at most 256 bytes, never crossing a 256-byte boundary, start and length
 * aligned to `writeAlign` (padding with 0xFF, which leaves erased flash erased).
 */
export function planWrites(segments: Segment[], writeAlign: number): WriteBlock[] {
  const blocks: WriteBlock[] = [];
  for (const s of segments) {
    const start = Math.floor(s.address / writeAlign) * writeAlign;
    const end = Math.ceil((s.address + s.data.length) / writeAlign) * writeAlign;
    for (let a = start; a < end; ) {
      const next = Math.min(end, (Math.floor(a / 256) + 1) * 256);
      const data = new Uint8Array(next - a).fill(0xff);
      const from = Math.max(a, s.address);
      const to = Math.min(next, s.address + s.data.length);
      if (from < to) data.set(s.data.subarray(from - s.address, to - s.address), from - a);
      blocks.push({ address: a, data });
      a = next;
    }
  }
  // Segments closer than writeAlign share a block after padding: merge such neighbours.
  const merged: WriteBlock[] = [];
  for (const b of blocks) {
    const prev = merged[merged.length - 1];
    if (prev && b.address < prev.address + prev.data.length) {
      const overlap = prev.address + prev.data.length - b.address;
      const data = new Uint8Array(prev.data.length + b.data.length - overlap);
      data.set(prev.data);
      for (let i = 0; i < b.data.length; i++) data[prev.data.length - overlap + i] &= b.data[i];
      merged[merged.length - 1] = { address: prev.address, data };
    } else merged.push(b);
  }
  return merged;
}
