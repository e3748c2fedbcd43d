import { BoardError } from './errors';

export interface ElfSection {
  name: string;
  /** SHT_NOBITS sections (.bss, .stack) occupy memory but no file bytes. */
  nobits: boolean;
  /** SHF_ALLOC: part of the memory image. */
  alloc: boolean;
  addr: number;
  offset: number;
  size: number;
}

const SHT_NOBITS = 8;
const SHF_ALLOC = 2;

/** Section headers of a little-endian ELF32 file (what arm-none-eabi-gcc writes), bounds-checked. */
export function readElfSections(bytes: Uint8Array, file = '<elf>'): ElfSection[] {
  const fail = (msg: string, offset?: number): never => {
    throw new BoardError('BOARD_BUILD', `not a usable ELF32 file: ${msg}`, { file, offset });
  };
  if (bytes.length < 52 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) fail('bad magic', 0);
  if (bytes[4] !== 1 || bytes[5] !== 1) fail('not 32-bit little-endian', 4);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shoff = view.getUint32(32, true);
  const shentsize = view.getUint16(46, true);
  const shnum = view.getUint16(48, true);
  const shstrndx = view.getUint16(50, true);
  if (shentsize < 40 || shoff + shnum * shentsize > bytes.length) fail('section headers out of bounds', 32);
  if (shstrndx >= shnum) fail('bad section name table index', 50);
  const header = (i: number) => {
    const at = shoff + i * shentsize;
    return {
      nameOffset: view.getUint32(at, true),
      type: view.getUint32(at + 4, true),
      flags: view.getUint32(at + 8, true),
      addr: view.getUint32(at + 12, true),
      offset: view.getUint32(at + 16, true),
      size: view.getUint32(at + 20, true),
    };
  };
  const names = header(shstrndx);
  if (names.offset + names.size > bytes.length) fail('section name table out of bounds', shoff + shstrndx * shentsize);
  const nameAt = (off: number): string => {
    if (off >= names.size) fail(`section name offset ${off} out of bounds`);
    let end = names.offset + off;
    while (end < names.offset + names.size && bytes[end] !== 0) end++;
    return Buffer.from(bytes.subarray(names.offset + off, end)).toString('latin1');
  };
  const sections: ElfSection[] = [];
  for (let i = 1; i < shnum; i++) {
    const h = header(i);
    const nobits = h.type === SHT_NOBITS;
    if (!nobits && h.offset + h.size > bytes.length) fail(`section ${i} data out of bounds`, shoff + i * shentsize);
    sections.push({ name: nameAt(h.nameOffset), nobits, alloc: (h.flags & SHF_ALLOC) !== 0, addr: h.addr, offset: h.offset, size: h.size });
  }
  return sections;
}
