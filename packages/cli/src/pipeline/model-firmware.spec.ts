/**
 * The one firmware builder: the packed-filter retry on a flash overflow, what firmware.json records, a custom
 * application on the link, and the VWW model on every hardware board (fits, or fails with the overflow in bytes).
 * The QEMU runs of its output are run-on-board.spec.ts and commands/build-run.spec.ts.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BoardError, crc32Mpeg2, listBoards, loadTarget } from '@tinyforge/boards';
import { hasArmToolchain } from '@tinyforge/boards/testing';
import { CodegenError, generateC } from '@tinyforge/codegen-c';
import { readSymbols } from '@tinyforge/cycle-model';
import { Graph } from '@tinyforge/ir';
import { readModelFile } from '@tinyforge/model-format';
import { PROTOCOL_VERSION } from '@tinyforge/serial-profiler';
import { FIRMWARE_BUILDER, readBuiltFirmware } from './firmware-manifest';
import { buildModelFirmware } from './model-firmware';

const SHARED = path.resolve(__dirname, '..', '..', '..', '..', '..', 'shared');
const hasShared = fs.existsSync(path.join(SHARED, 'models', 'kws_dscnn_int8.tflite'));
const withModels = hasShared && hasArmToolchain() ? describe : describe.skip;
if (!hasShared) console.warn(`../shared/models not found at ${SHARED}: skipping model firmware builds`);
else if (!hasArmToolchain()) console.warn('arm-none-eabi-gcc not found: skipping model firmware builds');

jest.setTimeout(240_000);

const out = fs.mkdtempSync(path.join(os.tmpdir(), 'tfg-mf-'));
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));
const model = (name: string): Graph => readModelFile(path.join(SHARED, 'models', `${name}.tflite`));

withModels('buildModelFirmware', () => {
  it('kws into the 64 KiB boot region: the packed filters overflow, the one retry builds with the int8 ones', () => {
    const graph = model('kws_dscnn_int8');
    const target = loadTarget('qemu-m4');
    const bytes = generateC(graph, { prefix: 'model' }).flashBytesByBuild;
    const fw = buildModelFirmware(graph, target, { outDir: path.join(out, 'kws'), image: 'bootloader' });
    expect([fw.packedFilters, fw.packedFiltersDropped, fw.generated.packedFilters]).toEqual([false, true, false]);
    expect(fw.firmware.size.flash.weights).toBeGreaterThanOrEqual(bytes.int8Filters);
    expect(fw.firmware.size.flash.weights).toBeLessThan(bytes.int8Filters + 1024);
    expect(fw.firmware.size.ram.arena).toBe(fw.generated.plan.arenaSize);
    expect(fw.firmware.loadAddress).toBe(target.qemu!.bootloader.base);
    // What was built is recorded beside it, and reads back as firmware a run can use.
    expect(fw.manifest).toMatchObject({
      builder: FIRMWARE_BUILDER,
      protocolVersion: PROTOCOL_VERSION,
      application: 'board',
      board: 'qemu-m4',
      image: 'bootloader',
      profile: false,
      prefix: 'model',
      model: { inputBytes: 490, outputBytes: 12, arenaBytes: fw.generated.plan.arenaSize, weightsBytes: fw.generated.flashBytes },
      packedFilters: false,
      packedFiltersDropped: true,
      files: { elf: 'firmware.elf', planJson: 'src/plan.json' },
    });
    expect(fw.manifest.layers.map((l) => l.op)).toEqual(fw.generated.layers.map((l) => l.op));
    const back = readBuiltFirmware(path.join(out, 'kws'), target);
    expect(back.elf).toBe(fw.firmware.elf);
    expect(back.manifest).toEqual(JSON.parse(JSON.stringify(fw.manifest)));
    // The board application and its generated parameters are in the sources; nothing else speaks on the console.
    expect(fs.readFileSync(path.join(fw.sourceDir, 'tfg_app_model.h'), 'utf8')).toContain('#define TFG_APP_INVOKE(input, output) model_invoke((input) + 0, (output) + 0)');
    // The board application receives into the arena's own input tensor: no other RAM object holds a whole input.
    const ram = target.ram;
    const inRam = [...readSymbols(fw.firmware.elf)].filter(([, s]) => s.address >= ram.base && s.address < ram.base + ram.size && s.size > 0);
    expect(inRam.map(([name]) => name)).toContain('model_arena');
    expect(inRam.filter(([name, s]) => name !== 'model_arena' && s.size >= 490).map(([name, s]) => `${name} ${s.size} B`)).toEqual([]);
  });

  it('a manifest from elsewhere, for another board or with a file outside its folder is refused', () => {
    const dir = path.join(out, 'kws');
    expect(() => readBuiltFirmware(dir, loadTarget('qemu-m55'))).toThrow(expect.objectContaining({ code: 'RUN_BOARD_FIRMWARE', message: expect.stringContaining('built for qemu-m4, not qemu-m55') }));
    const bad = path.join(out, 'bad');
    fs.mkdirSync(bad, { recursive: true });
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'firmware.json'), 'utf8'));
    fs.writeFileSync(path.join(bad, 'firmware.json'), JSON.stringify({ ...manifest, files: { ...manifest.files, elf: '../kws/firmware.elf' } }));
    expect(() => readBuiltFirmware(bad, loadTarget('qemu-m4'))).toThrow(/bad ELF file name/);
    fs.writeFileSync(path.join(bad, 'firmware.json'), JSON.stringify({ ...manifest, builder: 'someone else' }));
    expect(() => readBuiltFirmware(bad, loadTarget('qemu-m4'))).toThrow(/not written by tinyforge buildModelFirmware/);
    expect(() => readBuiltFirmware(path.join(out, 'nowhere'), loadTarget('qemu-m4'))).toThrow(/no firmware here/);
  });

  it('builds a custom application speaking the link, with the same generated parameters', () => {
    const main = path.join(out, 'app', 'main.c');
    fs.mkdirSync(path.dirname(main), { recursive: true });
    fs.writeFileSync(
      main,
      `#include "tfg_app_model.h"
#include "tfg_board.h"
#include "tfg_link.h"
static int8_t in[TFG_APP_INPUT_BYTES], out[TFG_APP_OUTPUT_BYTES];
int main(void) {
  tfg_link_receive_input((uint8_t *)in, sizeof in);
  tfg_link_send_result((uint32_t)TFG_APP_INVOKE(in, out), 0u, 0u, tfg_stack_high_water(), tfg_stack_size());
  return 0;
}
`,
    );
    const fw = buildModelFirmware(model('ad_autoencoder_int8'), loadTarget('qemu-m3'), { outDir: path.join(out, 'app', 'build'), application: { sources: [main] }, name: 'app' });
    expect(fw.manifest.application).toBe('custom');
    expect(fs.statSync(fw.firmware.elf).size).toBeGreaterThan(0);
    expect(path.basename(fw.firmware.elf)).toBe('app.elf');
    // A custom application is not the board application a host run drives.
    expect(() => readBuiltFirmware(path.join(out, 'app', 'build'), loadTarget('qemu-m3'))).toThrow(/its own application/);
  });
});

withModels('VWW int8 on every real board', () => {
  let graph: Graph;
  let arena: number;
  beforeAll(() => {
    graph = model('vww_mobilenet_int8');
    arena = generateC(graph, { prefix: 'model', core: { dsp: false, mve: false } }).plan.arenaSize;
  });
  const hardware = listBoards().filter((n) => loadTarget(n).kind === 'hardware');

  it('has the eight boards of the issue', () => {
    expect(hardware).toEqual(['b-l475e-iot01a', 'nano33-ble-sense', 'nucleo-f746zg', 'nucleo-h743zi2', 'nucleo-l4r5zi', 'nucleo-u575zi-q', 'rpi-pico', 'stm32f746g-disco']);
  });

  it.each(hardware)('%s: builds and fits, or fails with the overflow in bytes', (name) => {
    const board = loadTarget(name);
    try {
      const built = buildModelFirmware(graph, board, { outDir: path.join(out, 'vww', name), optimize: 'Os' });
      const fw = built.firmware;
      console.log(`${name}: flash ${fw.size.flash.used}/${fw.size.flash.size} (weights ${fw.size.flash.weights}), RAM ${fw.size.ram.used}/${fw.size.ram.size} (arena ${fw.size.ram.arena})`);
      // DSP cores without Helium link the packed convolution filters of the layers where they pay (vww: three), the
      // others the int8 ones.
      const { packedFilters, int8Filters } = built.generated.flashBytesByBuild;
      expect(built.packedFilters).toBe(board.dsp && board.mve === 'none');
      if (built.packedFilters) {
        expect(built.generated.flashBytes).toBeGreaterThan(int8Filters);
        expect(built.generated.flashBytes).toBeLessThan(packedFilters);
      } else {
        expect(built.generated.flashBytes).toBe(int8Filters);
      }
      expect(fw.size.flash.weights).toBe(built.generated.flashBytes); // the weights figure is the linked section exactly
      // The linked arena is the plan's, which reserves scratch for this core's kernel paths (a DSP core's depthwise
      // planes take more than plain C): at least the plain-C plan's arena.
      // On a board with extra RAM regions (nucleo-f746zg: DTCM, SRAM1, SRAM2) the arena is one array per region:
      // the .arena section holds the main region's, each extra region's section the rest.
      const linkedArena = fw.size.ram.arena + (fw.size.extraRam ?? []).reduce((s, r) => s + r.used, 0);
      expect(linkedArena).toBe(built.generated.plan.arenaSize);
      expect(linkedArena).toBeGreaterThanOrEqual(arena);
      expect(fw.size.flash.overflow + fw.size.ram.overflow + (fw.size.extraRam ?? []).reduce((s, r) => s + r.overflow, 0)).toBe(0);
      const bin = fs.readFileSync(fw.bin);
      expect(bin.length).toBe(fw.size.flash.used);
      expect(fs.readFileSync(fw.hex, 'utf8')).toMatch(/^:[0-9A-F]+\r?\n/);
      // The image opens with the vector table (after the RP2040's 256-byte boot2, whose last word is its CRC):
      // initial SP at the top of the stack in RAM, Thumb reset handler inside the image.
      const vectors = board.postLink === 'rp2040-boot2-crc' ? 256 : 0;
      if (vectors > 0) expect(bin.readUInt32LE(252)).toBe(crc32Mpeg2(bin.subarray(0, 252)));
      expect(fw.uf2 !== undefined).toBe(board.flashing.some((m) => m.method === 'uf2'));
      const sp = bin.readUInt32LE(vectors);
      const reset = bin.readUInt32LE(vectors + 4);
      expect(sp).toBeGreaterThan(board.ram.base);
      expect(sp).toBeLessThanOrEqual(board.ram.base + board.ram.size);
      expect(reset & 1).toBe(1);
      expect(reset).toBeGreaterThan(board.flash.base);
      expect(reset).toBeLessThan(board.flash.base + bin.length);
      expect(fw.size.ram.stack).toBe(board.stackBytes);
    } catch (e) {
      // Only a board whose RAM cannot hold arena + stack may refuse, and it must say by how much.
      if (e instanceof CodegenError && e.code === 'CODEGEN_RAM_OVERFLOW') {
        expect(e.message).toMatch(/over by \d+ bytes/);
        return;
      }
      if (!(e instanceof BoardError) || e.code !== 'BOARD_OVERFLOW') throw e;
      expect(arena + board.stackBytes).toBeGreaterThan(board.ram.size - 32 * 1024);
      expect(e.message).toMatch(/overflowed by \d+ bytes/);
    }
  });
});
