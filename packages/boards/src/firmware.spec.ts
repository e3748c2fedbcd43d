import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BoardError } from './errors';
import { buildFirmware, memoryScript } from './firmware';
import { parseElf, parseUf2 } from '@tinyforge/flasher';
import { listBoards, loadTarget } from './load';
import { crc32Mpeg2 } from './rp2040';
import { hasArmToolchain } from './toolchain';

const COMMON = path.join(path.dirname(loadTarget('qemu-m4').dir), 'common');
const HELLO = path.join(COMMON, 'test', 'hello.c');
const withGcc = hasArmToolchain() ? describe : describe.skip;
if (!hasArmToolchain()) console.warn('arm-none-eabi-gcc not found: skipping firmware build tests (apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi)');

withGcc('firmware build', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'tfg-fw-'));
  afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

  // Real boards are built with a whole model in model-firmware.spec.ts (same checks); here the virtual ones.
  it.each(listBoards().filter((n) => loadTarget(n).kind === 'virtual'))('%s: board support + hello links, fits, and yields ELF/BIN/HEX', (name) => {
    const board = loadTarget(name);
    const r = buildFirmware({ target: board, sources: [HELLO], outDir: path.join(out, name), optimize: 'Os' });
    for (const f of [r.elf, r.bin, r.hex]) expect(fs.statSync(f).size).toBeGreaterThan(0);
    expect(r.loadAddress).toBe(board.flash.base);
    // The binary starts with the vector table: initial SP at the top of the stack inside RAM, Thumb reset handler in flash.
    const bin = fs.readFileSync(r.bin);
    // RP2040 images open with the 256-byte second-stage boot loader, whose last word is its CRC; vectors follow.
    const vectors = board.postLink === 'rp2040-boot2-crc' ? 256 : 0;
    if (vectors > 0) expect(bin.readUInt32LE(252)).toBe(crc32Mpeg2(bin.subarray(0, 252)));
    const sp = bin.readUInt32LE(vectors);
    const reset = bin.readUInt32LE(vectors + 4);
    expect(sp).toBeGreaterThan(board.ram.base);
    expect(sp).toBeLessThanOrEqual(board.ram.base + board.ram.size);
    expect(reset & 1).toBe(1);
    expect(reset).toBeGreaterThan(board.flash.base);
    expect(reset).toBeLessThan(board.flash.base + bin.length);
    expect(r.size.flash.code).toBeGreaterThan(200);
    expect(r.size.flash.used).toBe(bin.length);
    expect(r.size.ram.stack).toBe(board.stackBytes);
    expect(r.size.flash.overflow).toBe(0);
    expect(fs.readFileSync(r.hex, 'utf8')).toMatch(/^:[0-9A-F]+\r?\n/);
  });

  it('puts .weights in flash and reports it; a model that does not fit fails with the overflow in bytes', () => {
    const board = loadTarget('qemu-m55');
    const src = path.join(out, 'weights.c');
    const weightBytes = 64 * 1024;
    const model = (n: number) =>
      `#include "tfg_board.h"\n__attribute__((section(".weights"), used)) const unsigned char w[${n}] = {1};\n` +
      `int main(void) { return w[tfg_cycles_read() % ${n}]; }\n`;
    fs.writeFileSync(src, model(weightBytes));
    const r = buildFirmware({ target: board, sources: [src], outDir: path.join(out, 'w') });
    expect(r.size.flash.weights).toBe(weightBytes);

    const tooBig = board.flash.size + 1000;
    fs.writeFileSync(src, model(tooBig));
    let err: unknown;
    try {
      buildFirmware({ target: board, sources: [src], outDir: path.join(out, 'w2') });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BoardError);
    expect((err as BoardError).code).toBe('BOARD_OVERFLOW');
    const over = Number(/flash overflowed by (\d+) bytes/.exec((err as Error).message)?.[1]);
    expect(over).toBeGreaterThanOrEqual(1000);
    expect(over).toBeLessThan(1000 + 8192);
  });

  it('reports compile errors and missing sources as typed errors', () => {
    const bad = path.join(out, 'bad.c');
    fs.writeFileSync(bad, 'int main(void) { return undefined_symbol; }\n');
    expect(() => buildFirmware({ target: loadTarget('qemu-m4'), sources: [bad], outDir: path.join(out, 'bad') })).toThrow(/undefined_symbol/);
    expect(() => buildFirmware({ target: loadTarget('qemu-m4'), sources: [path.join(out, 'nope.c')], outDir: out })).toThrow(BoardError);
  });

  it('writes a UF2 image for a board flashed through a UF2 drive: every ELF byte, at its address, with the family id', () => {
    const board = loadTarget('rpi-pico');
    const r = buildFirmware({ target: board, sources: [HELLO], outDir: path.join(out, 'pico'), optimize: 'Os' });
    const method = board.flashing.find((m) => m.method === 'uf2');
    const { familyId, blocks } = parseUf2(new Uint8Array(fs.readFileSync(r.uf2!)));
    expect(familyId).toBe(method?.method === 'uf2' ? method.familyId : -1);
    // The UF2 payloads laid out from the load address are the BIN (objcopy's image of the same ELF).
    const bin = fs.readFileSync(r.bin);
    const fromUf2 = Buffer.alloc(blocks.length * 256, 0xff);
    for (const b of blocks) fromUf2.set(b.data, b.address - r.loadAddress);
    expect(fromUf2.subarray(0, bin.length).equals(bin)).toBe(true);
    expect(blocks.map((b) => b.address)).toEqual(blocks.map((_, i) => r.loadAddress + 256 * i));
    expect(blocks[0].address).toBe(parseElf(new Uint8Array(fs.readFileSync(r.elf))).segments[0].address);
    // Boards without a UF2 method get none.
    expect(buildFirmware({ target: loadTarget('qemu-m4'), sources: [HELLO], outDir: path.join(out, 'no-uf2') }).uf2).toBeUndefined();
  });
});

describe('build helpers', () => {
  it('writes MEMORY from the board regions', () => {
    const s = memoryScript({ base: 0x08000000, size: 0x200000 }, { base: 0x20000000, size: 0xa0000 }, 8192);
    expect(s).toContain('FLASH (rx) : ORIGIN = 0x08000000, LENGTH = 0x00200000');
    expect(s).toContain('RAM (rwx) : ORIGIN = 0x20000000, LENGTH = 0x000a0000');
    expect(s).toContain('__tfg_stack_size = 8192;');
  });

  it('computes the RP2040 boot2 CRC (CRC-32/MPEG-2 check value)', () => {
    expect(crc32Mpeg2(Buffer.from('123456789'))).toBe(0x0376e6e7);
  });
});
