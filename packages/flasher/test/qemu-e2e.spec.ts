// End to end: our AN3155 host against the virtual board's bootloader (boards/common/bootloader) running in QEMU,
// over the board's pseudo-terminal. Test-only use of @tinyforge/boards (to build the app and start QEMU); the
// flasher package itself never imports it.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildFirmware, loadTarget, startVirtualBoard } from '@tinyforge/boards';
import { hasArmToolchain, hasQemu } from '@tinyforge/boards/testing';
import { flashImage, SerialTransport, Stm32FlashResult } from '@tinyforge/flasher';

const ready = hasArmToolchain() && hasQemu() && fs.existsSync('/usr/bin/socat');
if (!ready) console.warn('qemu-system-arm, arm-none-eabi-gcc or socat missing: skipping the flasher end-to-end test on QEMU');
const withQemu = ready ? describe : describe.skip;
jest.setTimeout(90_000);

async function readUntil(t: SerialTransport, pattern: RegExp, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (!pattern.test(text)) {
    const [b] = await t.read(1, Math.max(1, deadline - Date.now()));
    text += String.fromCharCode(b);
  }
  return text;
}

withQemu('flashing the QEMU virtual board through its AN3155 bootloader', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-flash-e2e-'));
  afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

  it('qemu-m4: writes an ELF, verifies by read-back, starts it and talks to it', async () => {
    const board = loadTarget('qemu-m4');
    const method = board.flashing.find((m) => m.method === 'an3155');
    if (!method || method.method !== 'an3155') throw new Error('qemu-m4 has no an3155 flashing method');
    const app = buildFirmware({ target: board, sources: [path.join(path.dirname(board.dir), 'common', 'test', 'alive.c')], outDir: out, name: 'app' });
    const vb = await startVirtualBoard(board, { bootloader: true });
    const port = await SerialTransport.open({ path: vb.ptyPath, baudRate: method.baud, parity: 'none' });
    try {
      const r = (await flashImage({
        image: app.elf,
        protocol: 'stm32',
        port: vb.ptyPath,
        transport: port,
        flash: { base: method.flashBase, sectors: method.sectors, writeAlign: 4 },
        go: true,
        timeouts: { read: 2000, blockWrite: 3000 },
      })) as Stm32FlashResult;
      expect(r.productId).toBe(method.productId);
      expect(r.verified).not.toBe('none');
      expect(r.started).toBe(true);
      console.log(`qemu-m4 e2e: ${r.bytes} bytes, ${r.blocks} blocks, ${r.sectorsErased.length} pages erased, verified by ${r.verified}, ${r.totalMs} ms (write ${r.writeMs} ms), ${r.retries} retries`);
      const banner = await readUntil(port, /tinyforge app alive, vectors at 0x[0-9a-f]{8}/, 10_000);
      expect(banner).toContain(`vectors at 0x${board.flash.base.toString(16).padStart(8, '0')}`);
      await port.write(new TextEncoder().encode('ok\n'));
      expect(await vb.exited).toBe(2);
    } finally {
      await port.close();
      await vb.stop();
    }
  });
});
