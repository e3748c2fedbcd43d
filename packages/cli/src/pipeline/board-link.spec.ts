/**
 * BoardLink (the host end of the board protocol) against a board played in TypeScript over the flasher's in-memory
 * cable: a lost acknowledgement is recovered by resending, profile frames and printf text interleaved with the I/O
 * reach the session, and a silent or vanished board is a typed error instead of a hang.
 */
import { BOARD_IO } from '@tinyforge/codegen-c';
import { createMemoryPair, MemoryEndpoint } from '@tinyforge/flasher/testing';
import { encodeFrame } from '@tinyforge/serial-profiler';
import { BoardLink } from './board-link';
import { ConsoleSplitter, encodeIoFrame, IoFrame } from './console-splitter';

const IN = 600;
const OUT = 250;
const le32 = (v: number) => Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24);
const cat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => Array.from(p)));

interface FakeBoardOptions {
  /** Swallow the acknowledgement of the chunk at this offset once. */
  dropAckAt?: number;
  /** Never answer input at all. */
  silent?: boolean;
}

/** A board that answers like the generated main: output[k] = input[k] ^ 0x5a, profile frames per inference. */
function fakeBoard(device: MemoryEndpoint, options: FakeBoardOptions = {}): void {
  const input = new Uint8Array(IN);
  let expected = 0;
  let seq = 0;
  let profileSeq = 0;
  let run = 0;
  let dropped = false;
  const send = (type: number, payload: Uint8Array) => device.write(encodeIoFrame(type, seq++ & 0xffff, payload));
  const queue: IoFrame[] = [];
  const splitter = new ConsoleSplitter((f) => queue.push(f), () => undefined);
  const handle = async (f: IoFrame): Promise<void> => {
    if (options.silent || f.type !== BOARD_IO.type.input) return;
    const offset = new DataView(f.payload.buffer, f.payload.byteOffset).getUint32(0, true);
    const data = f.payload.subarray(4);
    if (offset === 0) expected = 0;
    if (offset === expected) {
      input.set(data, offset);
      expected += data.length;
    }
    if (options.dropAckAt === offset && !dropped) {
      dropped = true;
      return;
    }
    await send(BOARD_IO.type.ack, le32(expected));
    if (expected !== IN) return;
    await device.write(cat(new TextEncoder().encode('inference starts\n'), encodeFrame({ type: 'layer', run, index: 0, opId: 0, count: 100 }, profileSeq++), encodeFrame({ type: 'inference', run, total: 104, layerCount: 1 }, profileSeq++)));
    const output = Uint8Array.from({ length: OUT }, (_, k) => input[k] ^ 0x5a);
    for (let at = 0; at < OUT; at += BOARD_IO.chunkBytes) await send(BOARD_IO.type.output, cat(le32(at), output.subarray(at, at + BOARD_IO.chunkBytes)));
    await send(BOARD_IO.type.result, cat(le32(0), le32(run++), le32(104)));
    expected = 0;
  };
  void (async () => {
    await device.write(encodeFrame({ type: 'hello', counter: 'systick', clockHz: 25_000_000, layerCount: 1 }, profileSeq++));
    await send(BOARD_IO.type.ready, cat(le32(IN), le32(OUT), Uint8Array.of(1, 0), le32(2048)));
    while (device.isOpen) {
      let b: Uint8Array;
      try {
        b = await device.read(1, 60_000);
      } catch {
        return;
      }
      splitter.push(b);
      while (queue.length > 0) await handle(queue.shift()!);
    }
  })();
}

async function withBoard<T>(options: FakeBoardOptions, body: (link: BoardLink, host: MemoryEndpoint) => Promise<T>): Promise<T> {
  const { host, device } = createMemoryPair({ signals: false });
  fakeBoard(device, options);
  const link = new BoardLink(host, 'fake board', undefined, 300);
  link.start();
  try {
    return await body(link, host);
  } finally {
    await host.close();
    await device.close();
    await link.stopped();
  }
}

describe('BoardLink', () => {
  const input = Uint8Array.from({ length: IN }, (_, i) => (i * 13) & 0xff);

  test('two inferences, one acknowledgement lost on the way: outputs exact, profile runs collected', async () => {
    await withBoard({ dropAckAt: BOARD_IO.chunkBytes }, async (link) => {
      expect(await link.waitReady(2000)).toEqual({ inputBytes: IN, outputBytes: OUT, layerCount: 1, arenaBytes: 2048 });
      for (let k = 0; k < 2; k++) {
        const r = await link.infer(input, OUT, 5000);
        expect(Array.from(r.output)).toEqual(Array.from(input.subarray(0, OUT), (b) => b ^ 0x5a));
        expect(r.run).toBe(k);
      }
      expect(link.session.session.runs.map((r) => r.total)).toEqual([104, 104]);
      expect(link.text).toEqual(['inference starts', 'inference starts']);
      expect(link.decoderStats).toMatchObject({ corruptFrames: 0, missingFrames: 0, unsupportedFrames: 0 });
    });
  }, 15_000);

  test('a board that never answers: RUN_BOARD_TIMEOUT naming what was awaited', async () => {
    await withBoard({ silent: true }, async (link) => {
      await link.waitReady(2000);
      await expect(link.infer(input, OUT, 1000)).rejects.toMatchObject({ code: 'RUN_BOARD_TIMEOUT', message: expect.stringContaining('acknowledgement of input bytes 0..224') });
    });
  }, 15_000);

  test('the port closing while waiting: RUN_BOARD_CLOSED', async () => {
    await withBoard({ silent: true }, async (link, host) => {
      await link.waitReady(2000);
      const pending = link.infer(input, OUT, 10_000);
      setTimeout(() => void host.close(), 50);
      await expect(pending).rejects.toMatchObject({ code: 'RUN_BOARD_CLOSED' });
    });
  }, 15_000);
});
