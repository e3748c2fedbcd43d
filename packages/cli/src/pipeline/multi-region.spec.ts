/**
 * An arena over two RAM regions on a virtual board whose memory map has both (qemu-m4-split: 40 KiB of mps2-an386's
 * ZBT SSRAM 2&3 with the stack and static data, and its 16 KiB FPGA block RAM at 0x01000000). The demo model,
 * quantized with random calibration, needs a one-arena plan neither region holds; the plan split over the two passes
 * the plan checker, codegen puts one array in each region, and the firmware built, flashed over the bootloader and
 * run on QEMU gives outputs byte for byte equal to `--engine ref`.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { hasArmToolchain, hasQemu } from '@tinyforge/boards/testing';
import { loadTarget } from '@tinyforge/boards';
import { checkPlan, nodeMemory } from '@tinyforge/codegen-c/testing';
import { coreFeatures } from '@tinyforge/boards';
import { kernelPathsFor } from '@tinyforge/kernels-cmsis';
import { readModelFile } from '@tinyforge/model-format';
import { cliCapture } from '../test-support/cli-capture';
import { generateForTarget } from './model-firmware';

const DEMO_MODEL = path.resolve(__dirname, '../../../../examples/fashion-mnist/fashion_mnist_cnn.onnx');
const ready = hasArmToolchain() && hasQemu() && fs.existsSync('/usr/bin/socat');
if (!ready) console.warn('multi-region board test skipped: needs arm-none-eabi-gcc, qemu-system-arm and socat');
const d = ready ? describe : describe.skip;
jest.setTimeout(300_000);

interface PlanJson {
  arenaBytes: number;
  regions: { name: string; bytes: number; room: number; fast: boolean; section?: string }[];
  regionPolicy: string;
  buffers: { name: string; region: string; offset: number; size: number }[];
}

d('an arena over two RAM regions on qemu-m4-split', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-regions-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const model = path.join(dir, 'fm.tflite');
  const board = loadTarget('qemu-m4-split');

  beforeAll(async () => {
    const q = await cliCapture('quantize', DEMO_MODEL, '--calib', 'random', '-o', model);
    expect(q.code).toBe(0);
  });

  it('codegen: one region alone cannot hold the arena; the split uses both, each within its room, and passes the plan checker', async () => {
    // The one-arena plan (as on qemu-m4, the same core).
    const one = await cliCapture('codegen', model, '--board', 'qemu-m4', '-o', path.join(dir, 'one'));
    expect(one.code).toBe(0);
    const single: { arenaBytes: number } = JSON.parse(fs.readFileSync(path.join(dir, 'one', 'plan.json'), 'utf8'));
    const r = await cliCapture('codegen', model, '--board', 'qemu-m4-split', '-o', path.join(dir, 'split'));
    expect(r.code).toBe(0);
    const plan: PlanJson = JSON.parse(fs.readFileSync(path.join(dir, 'split', 'plan.json'), 'utf8'));
    expect(plan.regions.map((x) => [x.name, x.fast, x.section])).toEqual([
      ['ssram23', false, undefined],
      ['blockram', true, '.bss.tfg_ram_blockram'],
    ]);
    for (const region of plan.regions) {
      expect(region.room).toBeLessThan(single.arenaBytes); // neither region could hold the one-arena plan
      expect(region.bytes).toBeGreaterThan(0); // both are used
      expect(region.bytes).toBeLessThanOrEqual(region.room);
    }
    expect(plan.regions[1].room).toBe(16 * 1024);
    expect(plan.arenaBytes).toBe(plan.regions[0].bytes + plan.regions[1].bytes);
    for (const b of plan.buffers) expect(b.offset + b.size).toBeLessThanOrEqual(plan.regions.find((x) => x.name === b.region)!.bytes);
    console.log(
      `demo model on qemu-m4-split: one arena ${single.arenaBytes} B; split ${plan.regions.map((x) => `${x.name} ${x.bytes} of ${x.room} B`).join(', ')} (${plan.regionPolicy})`,
    );
    const source = fs.readFileSync(path.join(dir, 'split', 'fm.c'), 'utf8');
    expect(source).toContain('static int8_t fm_arena[FM_ARENA_SSRAM23_SIZE] __attribute__((aligned(16)));');
    expect(source).toContain('static int8_t fm_arena_blockram[FM_ARENA_BLOCKRAM_SIZE] __attribute__((aligned(16), section(".bss.tfg_ram_blockram")));');
    expect(fs.readFileSync(path.join(dir, 'split', 'report.html'), 'utf8')).toMatch(/RAM regions.*ssram23: <b>\d+<\/b> of \d+ bytes.*blockram \(fast\): <b>\d+<\/b> of 16384 bytes/);

    // The plan checker, run here on the plan the firmware build generates (codegen runs it too, and refuses a plan it rejects).
    const graph = readModelFile(model);
    const generated = generateForTarget(graph, board);
    const paths = kernelPathsFor(coreFeatures(board));
    expect(checkPlan(graph, generated.plan, (n) => nodeMemory(graph, graph.nodes[n], paths).scratchBytes)).toEqual([]);
    expect(generated.plan.regions!.every((x) => x.size > 0 && x.size <= x.room)).toBe(true);
  });

  it('run --board qemu-m4-split: built, flashed, run; outputs byte for byte equal to --engine ref', async () => {
    // An image-like input: a bright block on a dark background (int8, zero point -128).
    const input = Buffer.from(Int8Array.from({ length: 784 }, (_, i) => (Math.floor(i / 28) > 6 && Math.floor(i / 28) < 22 && i % 28 > 8 && i % 28 < 20 ? 90 + (i % 37) : -128 + (i % 5))).buffer);
    fs.writeFileSync(path.join(dir, 'in.bin'), input);
    const ref = await cliCapture('run', model, '--input', path.join(dir, 'in.bin'), '--output', path.join(dir, 'ref.bin'), '--engine', 'ref');
    expect(ref.code).toBe(0);
    const keep = path.join(dir, 'keep');
    const r = await cliCapture('run', model, '--input', path.join(dir, 'in.bin'), '--output', path.join(dir, 'board.bin'), '--board', 'qemu-m4-split', '--keep', keep, '--json');
    expect(r.code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'board.bin')).equals(fs.readFileSync(path.join(dir, 'ref.bin')))).toBe(true);
    // The firmware that ran: its arena in both regions (the .arena section in SSRAM 2&3, the block RAM section).
    const manifest = JSON.parse(fs.readFileSync(path.join(keep, 'firmware.json'), 'utf8'));
    const plan: PlanJson = JSON.parse(fs.readFileSync(path.join(keep, 'src', 'plan.json'), 'utf8'));
    expect(manifest.size.ram.arena).toBe(plan.regions[0].bytes);
    expect(manifest.size.extraRam).toEqual([expect.objectContaining({ name: 'blockram', base: 0x01000000, used: plan.regions[1].bytes, overflow: 0 })]);
    expect(plan.regions.every((x) => x.bytes > 0)).toBe(true);
    const memory = fs.readFileSync(path.join(keep, 'memory.ld'), 'utf8');
    expect(memory).toContain('BLOCKRAM (rw) : ORIGIN = 0x01000000, LENGTH = 0x00004000');
    const json = JSON.parse(r.out);
    expect(json.load).toBe('serial'); // flashed through the AN3155 bootloader
    expect(json.flash.bytes).toBe(manifest.size.flash.used);
    console.log(`qemu-m4-split run: output ${[...fs.readFileSync(path.join(dir, 'board.bin'))].map((b) => (b << 24) >> 24).join(' ')}; ${json.invokeInstructions[0]} instructions; flashed ${json.flash.bytes} B; timings ${JSON.stringify(json.timingsMs)}`);
  });
});
