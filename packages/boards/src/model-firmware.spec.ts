import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { generateC, GeneratedC } from '@tinyforge/codegen-c';
import { kernelIncludeDir, kernelSources, packedConvPreferred } from '@tinyforge/kernels-cmsis';
import { readModelFile } from '@tinyforge/model-format';
import { BoardError } from './errors';
import { coreFeatures, listBoards, loadBoard } from './load';
import { buildModelFirmware, modelIo, modelMainSource } from './model-firmware';
import { PtySerial } from './pty-serial';
import { crc32Mpeg2 } from './rp2040';
import { hasArmToolchain } from './toolchain';
import { hasQemu, startVirtualBoard } from './virtual-board';

const SHARED = path.resolve(__dirname, '..', '..', '..', '..', 'shared');
const hasShared = fs.existsSync(path.join(SHARED, 'models', 'kws_dscnn_int8.tflite'));
const withModels = hasShared && hasArmToolchain() ? describe : describe.skip;
const withQemu = hasShared && hasArmToolchain() && hasQemu() ? describe : describe.skip;
if (!hasShared) console.warn(`../shared/models not found at ${SHARED}: skipping model firmware builds`);
else if (!hasArmToolchain()) console.warn('arm-none-eabi-gcc not found: skipping model firmware builds');

jest.setTimeout(240_000);

const out = fs.mkdtempSync(path.join(os.tmpdir(), 'tfg-mf-'));
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

const header = (P: string, ins: number[], outs: number[]) =>
  [
    `#define ${P}_INPUT_COUNT ${ins.length}`,
    ...ins.map((n, k) => `#define ${P}_INPUT${k}_SIZE ${n}`),
    `#define ${P}_OUTPUT_COUNT ${outs.length}`,
    ...outs.map((n, k) => `#define ${P}_OUTPUT${k}_SIZE ${n}`),
  ].join('\n');

describe('model main()', () => {
  it('reads tensor sizes from the generated header', () => {
    expect(modelIo('net', header('NET', [490, 7], [12]))).toEqual({ inputs: [490, 7], outputs: [12] });
    expect(() => modelIo('net', '#define NET_INPUT_COUNT 1\n')).toThrow(BoardError);
  });

  it('reads every input, invokes with inputs then outputs, and answers O, status, cycles, outputs', () => {
    const src = modelMainSource('net', header('NET', [490, 7], [12, 3]));
    expect(src).toContain('tinyforge model net in 497 out 15');
    expect(src).toContain('read_exact(in0, 490);');
    expect(src).toContain('read_exact(in1, 7);');
    expect(src).toContain('int status = net_invoke(in0, in1, out0, out1);');
    expect(src.indexOf("tfg_console_putc('O')")).toBeLessThan(src.indexOf('tfg_console_write(out1, 3)'));
  });

  it('refuses a prefix that is not a C identifier and file names that are paths', () => {
    const files = { 'x.h': header('X', [1], [1]), 'x.c': '' };
    expect(() => buildModelFirmware({ board: 'qemu-m4', generated: { prefix: 'x"); evil(', files }, kernelSources: [], kernelIncludeDirs: [], outDir: out })).toThrow(
      /not a C identifier/,
    );
    expect(() =>
      buildModelFirmware({ board: 'qemu-m4', generated: { prefix: 'x', files: { ...files, '../y.c': '' } }, kernelSources: [], kernelIncludeDirs: [], outDir: out }),
    ).toThrow(BoardError);
  });
});

withQemu('KWS on qemu-m4', () => {
  it('runs the generated model bit-exact with the TFLM gold vectors, weights and arena reported', async () => {
    // Linked into the region QEMU resets into (64 KiB): this test is about the model firmware, not flashing. kws's
    // packed convolution filters (50 KB of constants with them, 29 KB without) and the kernels do not fit there.
    const generated = generateC(readModelFile(path.join(SHARED, 'models', 'kws_dscnn_int8.tflite')), { prefix: 'kws', packedConvolutions: false });
    const fw = buildModelFirmware({ board: 'qemu-m4', generated, kernelSources: kernelSources(), kernelIncludeDirs: [kernelIncludeDir], outDir: path.join(out, 'kws'), image: 'bootloader' });
    expect(fw.size.ram.arena).toBe(generated.plan.arenaSize);
    expect(fw.size.flash.weights).toBeGreaterThanOrEqual(generated.flashBytes);
    expect(fw.size.flash.weights).toBeLessThan(generated.flashBytes + 1024);

    const gold = path.join(SHARED, 'gold', 'kws_dscnn_int8');
    const vb = await startVirtualBoard('qemu-m4', { elf: fw.elf });
    const port = PtySerial.open(vb.ptyPath);
    try {
      vb.resume();
      const banner = await port.waitFor(/tinyforge model kws in (\d+) out (\d+)\n/);
      await port.read(banner.length);
      for (const k of [0, 1]) {
        const input = fs.readFileSync(path.join(gold, `input_${k}.bin`));
        const expected = fs.readFileSync(path.join(gold, `output_${k}.bin`));
        port.write(Buffer.concat([Buffer.from('I'), input]));
        const reply = await port.read(6 + expected.length, 30_000);
        expect(reply[0]).toBe('O'.charCodeAt(0));
        expect(reply[1]).toBe(0);
        expect(reply.readUInt32LE(2)).toBeGreaterThan(0);
        expect(Buffer.compare(reply.subarray(6), expected)).toBe(0);
      }
      port.write('Q');
      expect(await vb.exited).toBe(0);
    } finally {
      port.close();
      await vb.stop();
    }
  });
});

withModels('VWW int8 on every real board', () => {
  let generated: GeneratedC;
  beforeAll(() => {
    generated = generateC(readModelFile(path.join(SHARED, 'models', 'vww_mobilenet_int8.tflite')), { prefix: 'vww' });
  });
  const hardware = listBoards().filter((n) => loadBoard(n).kind === 'hardware');

  it('has the eight boards of the issue', () => {
    expect(hardware).toEqual(
      ['b-l475e-iot01a', 'nano33-ble-sense', 'nucleo-f746zg', 'nucleo-h743zi2', 'nucleo-l4r5zi', 'nucleo-u575zi-q', 'rpi-pico', 'stm32f746g-disco'],
    );
  });

  it.each(hardware)('%s: builds and fits, or fails with the overflow in bytes', (name) => {
    const board = loadBoard(name);
    const need = generated.plan.arenaSize + board.stackBytes;
    try {
      const fw = buildModelFirmware({ board, generated, kernelSources: kernelSources(), kernelIncludeDirs: [kernelIncludeDir], outDir: path.join(out, 'vww', name), optimize: 'Os' });
      console.log(`${name}: flash ${fw.size.flash.used}/${fw.size.flash.size} (weights ${fw.size.flash.weights}), RAM ${fw.size.ram.used}/${fw.size.ram.size} (arena ${fw.size.ram.arena})`);
      // DSP cores without Helium link the packed convolution filters, the others the int8 ones.
      const weights = packedConvPreferred(coreFeatures(board)) ? generated.flashBytesByBuild.packedFilters : generated.flashBytesByBuild.int8Filters;
      expect(fw.size.flash.weights).toBeGreaterThanOrEqual(weights);
      expect(fw.size.flash.weights).toBeLessThan(weights + 1024);
      expect(fw.size.ram.arena).toBe(generated.plan.arenaSize);
      expect(fw.size.flash.overflow + fw.size.ram.overflow).toBe(0);
      const bin = fs.readFileSync(fw.bin);
      expect(bin.length).toBe(fw.size.flash.used);
      expect(fs.readFileSync(fw.hex, 'utf8')).toMatch(/^:[0-9A-F]+\r?\n/);
      // The image opens with the vector table (after the RP2040's 256-byte boot2, whose last word is its CRC):
      // initial SP at the top of the stack in RAM, Thumb reset handler inside the image.
      const vectors = board.postLink === 'rp2040-boot2-crc' ? 256 : 0;
      if (vectors > 0) expect(bin.readUInt32LE(252)).toBe(crc32Mpeg2(bin.subarray(0, 252)));
      const sp = bin.readUInt32LE(vectors);
      const reset = bin.readUInt32LE(vectors + 4);
      expect(sp).toBeGreaterThan(board.ram.base);
      expect(sp).toBeLessThanOrEqual(board.ram.base + board.ram.size);
      expect(reset & 1).toBe(1);
      expect(reset).toBeGreaterThan(board.flash.base);
      expect(reset).toBeLessThan(board.flash.base + bin.length);
      expect(fw.size.ram.stack).toBe(board.stackBytes);
    } catch (e) {
      if (!(e instanceof BoardError) || e.code !== 'BOARD_OVERFLOW') throw e;
      // Only a board whose RAM cannot hold arena + stack may refuse, and it must say by how much.
      expect(need).toBeGreaterThan(board.ram.size - 32 * 1024);
      expect(e.message).toMatch(/overflowed by \d+ bytes/);
    }
  });
});
