/**
 * Acceptance: a stream with seeded random garbage and bit flips between frames decodes with every intact frame
 * recovered (same records, same order, nothing invented) and the damaged ones counted.
 */
import { SeededRandom } from '@tinyforge/ir';
import { decodeStream, FrameDecoder } from './decoder';
import { encodeFrame } from './frame';
import { DecodedFrame, ProfileRecord } from './records';

function sessionRecords(runs: number, layers: number, rand: SeededRandom): ProfileRecord[] {
  const records: ProfileRecord[] = [
    { type: 'hello', counter: 'systick', clockHz: 25_000_000, layerCount: layers },
    { type: 'overhead', count: 14, samples: 16 },
  ];
  for (let run = 0; run < runs; run++) {
    let total = 0;
    for (let index = 0; index < layers; index++) {
      const count = rand.int(0, 5_000_000);
      total += count;
      records.push({ type: 'layer', run, index, opId: index % 7, count });
    }
    records.push({ type: 'inference', run, total, layerCount: layers });
  }
  return records;
}

interface DamagedStream {
  wire: Uint8Array;
  intact: DecodedFrame[];
  damaged: number;
}

function damage(records: ProfileRecord[], seed: number): DamagedStream {
  const rand = new SeededRandom(seed);
  const parts: Uint8Array[] = [];
  const intact: DecodedFrame[] = [];
  let damaged = 0;
  records.forEach((record, seq) => {
    if (rand.next() < 0.2) {
      // Garbage between frames: random bytes including 0x00 and the frame marker.
      parts.push(Uint8Array.from({ length: rand.int(1, 300) }, () => (rand.next() < 0.05 ? 0 : rand.next() < 0.05 ? 0xf5 : rand.int(0, 255))));
    }
    const original = encodeFrame(record, seq);
    const frame = Uint8Array.from(original);
    // Sequence gaps reveal a loss only between two received frames: keep the first and the last intact.
    if (seq > 0 && seq < records.length - 1 && rand.next() < 0.15) {
      const flips = rand.int(1, 3);
      for (let f = 0; f < flips; f++) frame[rand.int(0, frame.length - 1)] ^= 1 << rand.int(0, 7);
    }
    // Two flips of the same bit cancel out: such a frame is intact.
    if (Buffer.compare(frame, original) === 0) intact.push({ seq, record });
    else damaged++;
    parts.push(frame);
  });
  return { wire: Buffer.concat(parts), intact, damaged };
}

describe('corrupted stream', () => {
  test.each([1, 2, 3, 4, 5])('seed %i: every intact frame recovered, damaged frames counted', (seed) => {
    const records = sessionRecords(60, 12, new SeededRandom(100 + seed));
    const { wire, intact, damaged } = damage(records, seed);
    const { frames, stats } = decodeStream(wire);
    expect(damaged).toBeGreaterThan(50);
    expect(frames).toEqual(intact);
    expect(stats.missingFrames).toBe(damaged);
    expect(stats.corruptFrames).toBeGreaterThan(0);
    expect(stats.frames).toBe(intact.length);
  });

  test('same result when the damaged stream arrives in random-sized chunks', () => {
    const { wire, intact, damaged } = damage(sessionRecords(30, 8, new SeededRandom(7)), 9);
    const rand = new SeededRandom(11);
    const frames: DecodedFrame[] = [];
    const decoder = new FrameDecoder({ frame: (f) => frames.push(f) });
    for (let at = 0; at < wire.length; ) {
      const n = rand.int(1, 64);
      decoder.push(wire.subarray(at, at + n));
      at += n;
    }
    decoder.end();
    expect(frames).toEqual(intact);
    expect(decoder.stats.missingFrames).toBe(damaged);
  });

  test('pure random noise yields no frames and does not throw', () => {
    const rand = new SeededRandom(42);
    const noise = Uint8Array.from({ length: 200_000 }, () => rand.int(0, 255));
    const { frames, stats } = decodeStream(noise);
    expect(frames).toEqual([]);
    expect(stats.bytes).toBe(200_000);
  });
});
