import { ImageError } from '../errors';
import { FlashImage, normalizeSegments, Segment } from './image';

const PT_LOAD = 1;
const EM_ARM = 40;
const HEADER_SIZE = 52;
const PHDR_SIZE = 32;

/** One section header of a linked ELF (what size reports and post-link patches need). */
export interface ElfSection {
  name: string;
  /** SHT_NOBITS sections (.bss, .stack) occupy memory but no file bytes. */
  nobits: boolean;
  /** SHF_ALLOC: part of the memory image. */
  alloc: boolean;
  addr: number;
  /** Where the section's bytes start in the file (meaningless for NOBITS sections). */
  offset: number;
  size: number;
}

const SHT_NOBITS = 8;
const SHF_ALLOC = 2;
const SHDR_SIZE = 40;

export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}

/**
 * ELF32 little-endian: the file bytes of every PT_LOAD segment at its physical address (the load address in flash,
 * which differs from the virtual address for initialised data copied to RAM at startup). Bytes past p_filesz
 * (.bss) are not part of the image.
 */
export function parseElf(bytes: Uint8Array, file?: string): FlashImage {
  const { view, fail } = armElf32(bytes, file);
  const entry = view.getUint32(24, true);
  const phoff = view.getUint32(28, true);
  const phentsize = view.getUint16(42, true);
  const phnum = view.getUint16(44, true);
  if (phnum === 0) throw new ImageError('IMAGE_EMPTY', 'ELF file has no program headers (an object file, not a linked image?)', { file });
  if (phentsize < PHDR_SIZE) fail(42, `program header entry size ${phentsize} is smaller than ${PHDR_SIZE}`);
  if (phoff + phnum * phentsize > bytes.length) fail(28, `program headers (${phnum} × ${phentsize} at ${phoff}) run past the end of the file`, 'IMAGE_TRUNCATED');

  const segments: Segment[] = [];
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (view.getUint32(at, true) !== PT_LOAD) continue;
    const offset = view.getUint32(at + 4, true);
    const vaddr = view.getUint32(at + 8, true);
    const paddr = view.getUint32(at + 12, true);
    const filesz = view.getUint32(at + 16, true);
    const memsz = view.getUint32(at + 20, true);
    // Sizes checked before anything is sized by them: memory no smaller than the file bytes, within 4 GiB.
    if (memsz < filesz) fail(at + 20, `segment ${i} occupies ${memsz} bytes of memory but has ${filesz} bytes in the file`);
    if (vaddr + memsz > 2 ** 32 || paddr + filesz > 2 ** 32) {
      throw new ImageError('IMAGE_ADDRESS', `segment ${i} (${memsz} bytes at 0x${vaddr.toString(16)}, loaded at 0x${paddr.toString(16)}) leaves the 32-bit address space`, { file, offset: at + 8 });
    }
    if (filesz === 0) continue;
    if (offset + filesz > bytes.length) fail(at + 4, `segment ${i} (${filesz} bytes at file offset ${offset}) runs past the end of the file`, 'IMAGE_TRUNCATED');
    segments.push({ address: paddr, data: bytes.slice(offset, offset + filesz) });
  }
  return { format: 'elf', segments: normalizeSegments(segments, file), entry, file };
}

/** The section headers of an ELF32 little-endian ARM file (section 0 left out), every offset bounds-checked. */
export function readElfSections(bytes: Uint8Array, file?: string): ElfSection[] {
  const { view, fail } = armElf32(bytes, file);
  const shoff = view.getUint32(32, true);
  const shentsize = view.getUint16(46, true);
  const shnum = view.getUint16(48, true);
  const shstrndx = view.getUint16(50, true);
  if (shnum === 0) return [];
  if (shentsize < SHDR_SIZE) fail(46, `section header entry size ${shentsize} is smaller than ${SHDR_SIZE}`);
  if (shoff + shnum * shentsize > bytes.length) fail(32, `section headers (${shnum} × ${shentsize} at ${shoff}) run past the end of the file`, 'IMAGE_TRUNCATED');
  if (shstrndx >= shnum) fail(50, `section name table index ${shstrndx} is not below the section count ${shnum}`);
  const header = (i: number) => {
    const at = shoff + i * shentsize;
    return {
      at,
      nameOffset: view.getUint32(at, true),
      type: view.getUint32(at + 4, true),
      flags: view.getUint32(at + 8, true),
      addr: view.getUint32(at + 12, true),
      offset: view.getUint32(at + 16, true),
      size: view.getUint32(at + 20, true),
    };
  };
  const names = header(shstrndx);
  if (names.offset + names.size > bytes.length) fail(names.at + 16, 'the section name table runs past the end of the file', 'IMAGE_TRUNCATED');
  const nameAt = (off: number, at: number): string => {
    if (off >= names.size) fail(at, `section name offset ${off} lies outside the name table (${names.size} bytes)`);
    let end = names.offset + off;
    while (end < names.offset + names.size && bytes[end] !== 0) end++;
    return Buffer.from(bytes.subarray(names.offset + off, end)).toString('latin1');
  };
  const sections: ElfSection[] = [];
  for (let i = 1; i < shnum; i++) {
    const h = header(i);
    const nobits = h.type === SHT_NOBITS;
    if (!nobits && h.offset + h.size > bytes.length) fail(h.at + 16, `section ${i} (${h.size} bytes at file offset ${h.offset}) runs past the end of the file`, 'IMAGE_TRUNCATED');
    sections.push({ name: nameAt(h.nameOffset, h.at), nobits, alloc: (h.flags & SHF_ALLOC) !== 0, addr: h.addr, offset: h.offset, size: h.size });
  }
  return sections;
}

/** The checks every reader starts with: magic, header size, 32-bit, little endian, ARM. */
function armElf32(bytes: Uint8Array, file?: string): { view: DataView; fail: (offset: number, message: string, code?: 'IMAGE_FORMAT' | 'IMAGE_TRUNCATED') => never } {
  const fail = (offset: number, message: string, code: 'IMAGE_FORMAT' | 'IMAGE_TRUNCATED' = 'IMAGE_FORMAT'): never => {
    throw new ImageError(code, message, { file, offset });
  };
  if (!isElf(bytes)) fail(0, 'not an ELF file (bad magic)');
  if (bytes.length < HEADER_SIZE) fail(bytes.length, `ELF header needs ${HEADER_SIZE} bytes, file has ${bytes.length}`, 'IMAGE_TRUNCATED');
  if (bytes[4] !== 1) fail(4, `only 32-bit ELF is supported (EI_CLASS ${bytes[4]})`);
  if (bytes[5] !== 1) fail(5, `only little-endian ELF is supported (EI_DATA ${bytes[5]})`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const machine = view.getUint16(18, true);
  if (machine !== EM_ARM) fail(18, `ELF machine ${machine} is not ARM (${EM_ARM})`);
  return { view, fail };
}
