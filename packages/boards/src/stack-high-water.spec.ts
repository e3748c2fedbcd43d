/**
 * The painted stack on a virtual board: the startup code fills the stack at reset and tfg_stack_high_water() finds
 * the deepest word written since. A test program on qemu-m4 reports it before and after calling a function with a
 * known 4 KiB local frame.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildFirmware } from './firmware';
import { loadTarget } from './load';
import { PtySerial } from './pty-serial';
import { hasArmToolchain } from './toolchain';
import { hasQemu, startVirtualBoard } from './virtual-board';

const ready = hasArmToolchain() && hasQemu();
const withQemu = ready ? describe : describe.skip;
if (!ready) console.warn('qemu-system-arm or arm-none-eabi-gcc missing: skipping the stack high-water test');

jest.setTimeout(60_000);

withQemu('stack high-water mark on qemu-m4', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'tfg-stack-'));
  afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

  it('is above zero, below the stack size, and a 4 KiB frame raises it past the caller\'s depth by at least that frame', async () => {
    const target = loadTarget('qemu-m4');
    const source = path.join(path.dirname(target.dir), 'common', 'test', 'stack.c');
    const fw = buildFirmware({ target, sources: [source], outDir: out });
    const vb = await startVirtualBoard(target, { elf: fw.elf });
    const port = PtySerial.open(vb.ptyPath);
    let text: string;
    try {
      vb.resume();
      text = await port.waitFor(/high water after \d+\n/, 30_000);
      expect(await vb.exited).toBe(0);
    } finally {
      port.close();
      await vb.stop();
    }
    const field = (name: string): number => {
      const m = new RegExp(`${name} (\\d+)\\n`).exec(text);
      if (m === null) throw new Error(`no '${name}' in the board's output:\n${text}`);
      return Number(m[1]);
    };
    const [size, frame, depth, before, after] = ['stack size', 'frame', 'depth in main', 'high water before', 'high water after'].map(field);
    expect(size).toBe(target.stackBytes);
    expect(frame).toBe(4096);
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(size);
    expect(before).toBeGreaterThanOrEqual(depth);
    // The frame lies wholly below main's stack pointer: the mark rose past main's depth by at least the frame. (Not
    // necessarily `before + frame`: start-up and main's earlier calls already went a few words below main's depth.)
    expect(after).toBeGreaterThanOrEqual(depth + frame);
    expect(after).toBeGreaterThan(before);
    expect(after).toBeLessThan(size);
  });
});
