import { BOARD_IO } from '@tinyforge/codegen-c';
import { seededUniform } from '@tinyforge/ir';
import { DecodedFrame, encodeFrame, FrameDecoder, ProfileRecord } from '@tinyforge/serial-profiler';
import { ConsoleSplitter, encodeIoFrame, IoFrame } from './console-splitter';

const text = (s: string) => new TextEncoder().encode(s);

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Deterministic chunking (mulberry32) so every frame boundary lands mid-chunk somewhere. */
function chunks(bytes: Uint8Array, seed: number): Uint8Array[] {
  const rand = seededUniform(seed);
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; ) {
    const n = 1 + Math.floor(rand() * 40);
    out.push(bytes.subarray(at, at + n));
    at += n;
  }
  return out;
}

function split(stream: Uint8Array[]): { io: IoFrame[]; profile: DecodedFrame[]; lines: string[]; decoder: FrameDecoder } {
  const io: IoFrame[] = [];
  const profile: DecodedFrame[] = [];
  const lines: string[] = [];
  const decoder = new FrameDecoder({ frame: (f) => profile.push(f), text: (t) => t.length > 0 && lines.push(t) });
  const splitter = new ConsoleSplitter((f) => io.push(f), (b) => decoder.push(b));
  for (const c of stream) splitter.push(c);
  decoder.end();
  return { io, profile, lines, decoder };
}

describe('ConsoleSplitter', () => {
  const layer: ProfileRecord = { type: 'layer', run: 3, index: 1, opId: 2, count: 0x1234 };
  const inference: ProfileRecord = { type: 'inference', run: 3, total: 99999, layerCount: 2 };
  // Data with zeros and 0xF5 bytes inside, longer than one COBS block would be without zeros.
  const data = Uint8Array.from({ length: BOARD_IO.chunkBytes + 4 }, (_, i) => (i % 7 === 0 ? 0 : i % 11 === 0 ? 0xf5 : i & 0xff));
  const stream = concat([
    text('boot banner\n'),
    encodeFrame(layer, 0),
    encodeIoFrame(BOARD_IO.type.output, 7, data),
    text('printf between frames\n'),
    encodeFrame(inference, 1),
    encodeIoFrame(BOARD_IO.type.result, 8, new Uint8Array(12)),
  ]);

  test.each([1, 2, 3, 99])('routes I/O frames, profiler frames and text apart (chunking seed %i)', (seed) => {
    const r = split(chunks(stream, seed));
    expect(r.io.map((f) => [f.type, f.seq])).toEqual([
      [BOARD_IO.type.output, 7],
      [BOARD_IO.type.result, 8],
    ]);
    expect(Array.from(r.io[0].payload)).toEqual(Array.from(data));
    expect(r.profile.map((f) => f.record)).toEqual([layer, inference]);
    expect(r.lines).toEqual(['boot banner', 'printf between frames']);
    expect(r.decoder.stats).toMatchObject({ corruptFrames: 0, missingFrames: 0, unsupportedFrames: 0 });
  });

  test('a damaged I/O frame is not delivered; the profiler decoder counts it and recovers the next frame', () => {
    const damaged = encodeIoFrame(BOARD_IO.type.output, 1, Uint8Array.of(1, 2, 3, 4, 5));
    damaged[5] ^= 0x40;
    const r = split([concat([damaged, encodeFrame(layer, 0), text('after\n')])]);
    expect(r.io).toHaveLength(0);
    expect(r.decoder.stats.corruptFrames).toBe(1);
    expect(r.profile.map((f) => f.record)).toEqual([layer]);
    expect(r.lines).toEqual(['after']);
  });

  test('an endless segment after the magic byte is handed on instead of buffered', () => {
    const flood = concat([Uint8Array.of(0, BOARD_IO.magic), new Uint8Array(5000).fill(0x41), Uint8Array.of(0), encodeFrame(layer, 0)]);
    const r = split(chunks(flood, 5));
    expect(r.io).toHaveLength(0);
    expect(r.profile.map((f) => f.record)).toEqual([layer]);
  });
});
