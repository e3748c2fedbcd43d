import * as fs from 'fs';
import * as path from 'path';
import { buildVectorFile, fromVectorRecord, VectorFile } from '../testing/vectors';
import { SeededRandom } from '@tinyforge/ir';
import { cobsDecode, cobsEncode } from './cobs';
import { crc16Ccitt } from './crc16';
import { decodeStream, FrameDecoder } from './decoder';
import { decodeStuffedBody, encodeBody, encodeFrame } from './frame';
import { IO_CHUNK_BYTES, isIoRecord, LinkRecord, MAX_NAME_BYTES, ProfileRecord } from './records';

const VECTOR_FILE = path.join(__dirname, '../../test-vectors/frames.json');
const bytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, 'hex'));

/** What arrives after a trip through the encoder: names cut to MAX_NAME_BYTES bytes. */
function afterTransit(r: LinkRecord): LinkRecord {
  if (r.type !== 'layerInfo') return r;
  const cut = (s: string): string => new TextDecoder().decode(Buffer.from(s, 'utf8').subarray(0, MAX_NAME_BYTES));
  return { ...r, name: cut(r.name), op: cut(r.op) };
}

describe('CRC-16/CCITT-FALSE', () => {
  test('check value of "123456789" is 0x29B1', () => {
    expect(crc16Ccitt(new TextEncoder().encode('123456789'))).toBe(0x29b1);
  });
  test('empty input gives the initial value', () => {
    expect(crc16Ccitt(new Uint8Array())).toBe(0xffff);
  });
});

describe('COBS', () => {
  test('known encodings (zeros, 254-byte runs)', () => {
    expect(Array.from(cobsEncode(Uint8Array.of(0)))).toEqual([1, 1]);
    expect(Array.from(cobsEncode(Uint8Array.of(0x11, 0x22, 0x00, 0x33)))).toEqual([3, 0x11, 0x22, 2, 0x33]);
    expect(Array.from(cobsEncode(Uint8Array.of(0x11, 0x00, 0x00, 0x00)))).toEqual([2, 0x11, 1, 1, 1]);
    const run = Uint8Array.from({ length: 254 }, (_, i) => i + 1);
    const enc = cobsEncode(run);
    expect(enc[0]).toBe(0xff);
    expect(enc.length).toBe(256);
  });

  test('seeded random round trips never contain 0x00', () => {
    const rand = new SeededRandom(1);
    for (let n = 0; n < 200; n++) {
      const data = Uint8Array.from({ length: rand.int(0, 600) }, () => (rand.next() < 0.3 ? 0 : rand.int(0, 255)));
      const enc = cobsEncode(data);
      expect(enc.includes(0)).toBe(false);
      expect(Buffer.from(cobsDecode(enc) ?? []).equals(Buffer.from(data))).toBe(true);
    }
  });

  test('invalid input is refused, not misread', () => {
    expect(cobsDecode(Uint8Array.of(5, 1, 2))).toBeUndefined(); // block runs past the end
    expect(cobsDecode(Uint8Array.of(3, 0, 2))).toBeUndefined(); // zero inside
  });
});

describe('frame vectors shared with C', () => {
  const generated = buildVectorFile();

  test('test-vectors/frames.json is what the generator produces (UPDATE_VECTORS=1 rewrites it)', () => {
    const text = `${JSON.stringify(generated, null, 2)}\n`;
    if (process.env.UPDATE_VECTORS === '1') fs.writeFileSync(VECTOR_FILE, text);
    expect(fs.readFileSync(VECTOR_FILE, 'utf8')).toBe(text);
  });

  test('every vector decodes to its record (names cut to 64 bytes)', () => {
    const file = JSON.parse(fs.readFileSync(VECTOR_FILE, 'utf8')) as VectorFile;
    expect(file.vectors.length).toBeGreaterThanOrEqual(24);
    for (const v of file.vectors) {
      const { frames, io, stats } = decodeStream(bytes(v.wire));
      const record = fromVectorRecord(v.record);
      expect(stats.corruptFrames).toBe(0);
      if (isIoRecord(record)) expect([frames, io]).toEqual([[], [{ seq: v.seq, record }]]);
      else expect([frames, io]).toEqual([[{ seq: v.seq, record: afterTransit(record) }], []]);
    }
    expect(new Set(file.vectors.map((v) => v.record.type))).toEqual(new Set(['hello', 'overhead', 'layerInfo', 'layer', 'inference', 'ready', 'input', 'ack', 'output', 'result']));
    const cut = file.vectors.find((v) => v.record.type === 'layerInfo' && (v.record.name as string).length === 80);
    expect(cut && decodeStream(bytes(cut.wire)).frames[0].record).toMatchObject({ name: 'x'.repeat(64) });
  });

  test('body layout: version, type, little-endian seq, payload, little-endian CRC', () => {
    const body = encodeBody({ type: 'layer', run: 0x04030201, index: 0x0605, opId: 0x0807, count: 0x0c0b0a09 }, 0x1234);
    const crc = crc16Ccitt(body, 0, body.length - 2);
    expect(Array.from(body)).toEqual([1, 4, 0x34, 0x12, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, crc & 0xff, crc >> 8]);
  });

  test('I/O payload layout: offset then bytes; ready and result as little-endian fields', () => {
    const out = encodeBody({ type: 'output', offset: 0x01020304, data: Uint8Array.of(9, 0, 8) }, 2);
    expect(Array.from(out.subarray(0, out.length - 2))).toEqual([1, 0x43, 2, 0, 4, 3, 2, 1, 9, 0, 8]);
    const ready = encodeBody({ type: 'ready', inputBytes: 490, outputBytes: 12, layerCount: 13, arenaBytes: 0x10000 }, 0);
    expect(Array.from(ready.subarray(4, ready.length - 2))).toEqual([0xea, 1, 0, 0, 12, 0, 0, 0, 13, 0, 0, 0, 1, 0]);
    const result = encodeBody({ type: 'result', status: 1, run: 2, ticks: 3, stackHighWater: 0x0508, stackSize: 0x4000 }, 0);
    expect(Array.from(result.subarray(1, 2))).toEqual([0x44]);
    expect(Array.from(result.subarray(4, result.length - 2))).toEqual([1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 8, 5, 0, 0, 0, 0x40, 0, 0]);
  });

  /** A CRC-valid body of `type` with this payload, COBS-stuffed. */
  const stuffedBody = (type: number, payload: number[]): Uint8Array => {
    const body = Uint8Array.from([1, type, 0, 0, ...payload, 0, 0]);
    const crc = crc16Ccitt(body, 0, body.length - 2);
    body[body.length - 2] = crc & 0xff;
    body[body.length - 1] = crc >> 8;
    return cobsEncode(body);
  };

  test('a result without the stack figures (a board application from before them) decodes with zeros; a cut one is malformed', () => {
    const legacy = [0, 0, 0, 0, 4, 0, 0, 0, 0x10, 0x27, 0, 0];
    expect(decodeStuffedBody(stuffedBody(0x44, legacy))).toEqual({ ok: true, seq: 0, record: { type: 'result', status: 0, run: 4, ticks: 10_000, stackHighWater: 0, stackSize: 0 } });
    expect(decodeStuffedBody(stuffedBody(0x44, [...legacy, 1, 2, 3, 4, 5, 6]))).toEqual({ ok: false, problem: 'malformed' });
  });

  test('an I/O chunk larger than a payload, and a malformed I/O payload, are refused', () => {
    expect(() => encodeFrame({ type: 'input', offset: 0, data: new Uint8Array(237) }, 0)).toThrow(expect.objectContaining({ code: 'PROFILE_BAD_RECORD' }));
    expect(encodeFrame({ type: 'input', offset: 0, data: new Uint8Array(IO_CHUNK_BYTES) }, 0).length).toBeGreaterThan(IO_CHUNK_BYTES);
    // A result frame two bytes short: CRC-valid, but not a result, so it is damage rather than a record.
    const body = Uint8Array.from(encodeBody({ type: 'result', status: 0, run: 0, ticks: 0, stackHighWater: 0, stackSize: 0 }, 0).subarray(0, 4 + 10));
    const framed = new Uint8Array(body.length + 2);
    framed.set(body);
    const crc = crc16Ccitt(framed, 0, body.length);
    framed[body.length] = crc & 0xff;
    framed[body.length + 1] = crc >> 8;
    expect(decodeStuffedBody(cobsEncode(framed))).toEqual({ ok: false, problem: 'malformed' });
  });

  test('out-of-range fields are a typed error', () => {
    expect(() => encodeFrame({ type: 'layer', run: -1, index: 0, opId: 0, count: 0 }, 0)).toThrow(expect.objectContaining({ code: 'PROFILE_BAD_RECORD' }));
    expect(() => encodeFrame({ type: 'layer', run: 0, index: 70000, opId: 0, count: 0 }, 0)).toThrow(/index/);
    expect(() => encodeFrame({ type: 'overhead', count: 1.5, samples: 0 }, 0)).toThrow(/count/);
    expect(() => encodeFrame({ type: 'hello', counter: 'dwt', clockHz: 1, layerCount: 1 }, 65536)).toThrow(/seq/);
  });
});

describe('stream decoder', () => {
  const records: ProfileRecord[] = [
    { type: 'hello', counter: 'systick', clockHz: 25_000_000, layerCount: 2 },
    { type: 'overhead', count: 12, samples: 16 },
    { type: 'layer', run: 0, index: 0, opId: 3, count: 1000 },
    { type: 'layer', run: 0, index: 1, opId: 4, count: 0 },
    { type: 'inference', run: 0, total: 1050, layerCount: 2 },
  ];

  test('printf text interleaved with frames passes through as lines', () => {
    const parts: Uint8Array[] = [new TextEncoder().encode('boot ok\r\npartial ')];
    records.forEach((r, i) => {
      parts.push(encodeFrame(r, i));
      if (i === 2) parts.push(new TextEncoder().encode('layer 0 done\n'));
    });
    const { frames, text, stats } = decodeStream(Buffer.concat(parts));
    expect(frames.map((f) => f.record)).toEqual(records);
    expect(text).toEqual(['boot ok', 'partial ', 'layer 0 done']);
    expect(stats).toMatchObject({ frames: 5, corruptFrames: 0, missingFrames: 0 });
  });

  test('I/O frames between profile frames reach the I/O handler and leave the profile sequence check alone', () => {
    const parts: Uint8Array[] = [encodeFrame({ type: 'ready', inputBytes: 4, outputBytes: 2, layerCount: 2, arenaBytes: 64 }, 0)];
    records.forEach((r, i) => {
      parts.push(encodeFrame(r, i));
      if (i === 1) parts.push(encodeFrame({ type: 'ack', expected: 4 }, 1));
    });
    parts.push(encodeFrame({ type: 'output', offset: 0, data: Uint8Array.of(0, 0xf5) }, 2), encodeFrame({ type: 'result', status: 0, run: 0, ticks: 1050, stackHighWater: 640, stackSize: 4096 }, 3));
    const { frames, io, stats } = decodeStream(Buffer.concat(parts));
    expect(frames.map((f) => f.record)).toEqual(records);
    expect(io.map((f) => [f.seq, f.record.type])).toEqual([[0, 'ready'], [1, 'ack'], [2, 'output'], [3, 'result']]);
    expect(io[2].record).toEqual({ type: 'output', offset: 0, data: Uint8Array.of(0, 0xf5) });
    expect(stats).toMatchObject({ frames: 5, ioFrames: 4, corruptFrames: 0, missingFrames: 0, otherFrames: 0 });
  });

  describe('a console mixing I/O frames, profile frames and printf text', () => {
    const layer: ProfileRecord = { type: 'layer', run: 3, index: 1, opId: 2, count: 0x1234 };
    const inference: ProfileRecord = { type: 'inference', run: 3, total: 99999, layerCount: 2 };
    // Data with zeros and 0xF5 bytes inside, as long as an I/O chunk.
    const data = Uint8Array.from({ length: IO_CHUNK_BYTES }, (_, i) => (i % 7 === 0 ? 0 : i % 11 === 0 ? 0xf5 : i & 0xff));
    const text = (t: string) => new TextEncoder().encode(t);
    const stream = Buffer.concat([
      text('boot banner\n'),
      encodeFrame(layer, 0),
      encodeFrame({ type: 'output', offset: 224, data }, 7),
      text('printf between frames\n'),
      encodeFrame(inference, 1),
      encodeFrame({ type: 'result', status: 0, run: 3, ticks: 99999, stackHighWater: 640, stackSize: 4096 }, 8),
    ]);
    const decodeChunked = (bytes: Uint8Array, seed: number) => {
      const rand = new SeededRandom(seed);
      const profile: ProfileRecord[] = [];
      const io: unknown[] = [];
      const lines: string[] = [];
      const d = new FrameDecoder({ frame: (f) => profile.push(f.record), io: (f) => io.push([f.seq, f.record]), text: (t) => t.length > 0 && lines.push(t) });
      for (let at = 0; at < bytes.length; ) {
        const n = 1 + Math.floor(rand.next() * 40);
        d.push(bytes.subarray(at, at + n));
        at += n;
      }
      d.end();
      return { profile, io, lines, stats: d.stats };
    };

    test.each([1, 2, 3, 99])('routes each to its handler whatever the chunking (seed %i)', (seed) => {
      const r = decodeChunked(stream, seed);
      expect(r.io).toEqual([[7, { type: 'output', offset: 224, data }], [8, { type: 'result', status: 0, run: 3, ticks: 99999, stackHighWater: 640, stackSize: 4096 }]]);
      expect(r.profile).toEqual([layer, inference]);
      expect(r.lines).toEqual(['boot banner', 'printf between frames']);
      expect(r.stats).toMatchObject({ corruptFrames: 0, missingFrames: 0, unsupportedFrames: 0, ioFrames: 2 });
    });

    test('a damaged I/O frame is counted, not delivered, and the next frame is recovered', () => {
      const damaged = encodeFrame({ type: 'output', offset: 0, data: Uint8Array.of(1, 2, 3, 4, 5) }, 1);
      damaged[5] ^= 0x40;
      const r = decodeChunked(Buffer.concat([damaged, encodeFrame(layer, 0), text('after\n')]), 4);
      expect(r.io).toHaveLength(0);
      expect(r.stats.corruptFrames).toBe(1);
      expect(r.profile).toEqual([layer]);
      expect(r.lines).toEqual(['after']);
    });
  });

  test('byte-at-a-time feeding gives the same result as one chunk', () => {
    const wire = Buffer.concat(records.map((r, i) => encodeFrame(r, i)));
    const got: ProfileRecord[] = [];
    const d = new FrameDecoder({ frame: (f) => got.push(f.record) });
    for (const b of wire) d.push(Uint8Array.of(b));
    expect(got).toEqual(records);
  });

  test('other versions and foreign record types are counted apart from corruption; foreign frames are handed on', () => {
    const body = encodeBody(records[1], 0);
    const other = Uint8Array.from(body);
    other[0] = 2;
    const crc = crc16Ccitt(other, 0, other.length - 2);
    other[other.length - 2] = crc & 0xff;
    other[other.length - 1] = crc >> 8;
    expect(decodeStuffedBody(cobsEncode(other))).toEqual({ ok: false, problem: 'version' });
    expect(decodeStream(Uint8Array.from([0, 0xf5, ...cobsEncode(other), 0])).stats).toMatchObject({ unsupportedFrames: 1, otherFrames: 0 });
    other[0] = 1;
    other[1] = 99;
    const crc2 = crc16Ccitt(other, 0, other.length - 2);
    other[other.length - 2] = crc2 & 0xff;
    other[other.length - 1] = crc2 >> 8;
    const wire = Uint8Array.from([0, 0xf5, ...cobsEncode(other), 0]);
    const foreign: unknown[] = [];
    const decoder = new FrameDecoder({ other: (f) => foreign.push(f) });
    decoder.push(wire);
    expect(decoder.stats).toMatchObject({ otherFrames: 1, unsupportedFrames: 0, corruptFrames: 0, frames: 0 });
    expect(foreign).toEqual([{ type: 99, seq: 0, payload: Uint8Array.from(other.subarray(4, other.length - 2)) }]);
  });

  test('an endless frame-like segment is skipped with bounded memory and counted once', () => {
    const junk = new Uint8Array(100_000).fill(0x41);
    const d = decodeStream(Buffer.concat([Uint8Array.of(0, 0xf5), junk, encodeFrame(records[0], 0)]));
    expect(d.stats.corruptFrames).toBe(1);
    expect(d.frames.map((f) => f.record)).toEqual([records[0]]);
  });

  test('sequence gaps count missing frames, across the 16-bit wrap; a hello with seq 0 restarts', () => {
    const wire = Buffer.concat([
      encodeFrame(records[2], 65533),
      encodeFrame(records[2], 1), // 65534, 65535, 0 missing
      encodeFrame(records[0], 0), // board restarted
      encodeFrame(records[2], 1),
    ]);
    expect(decodeStream(wire).stats.missingFrames).toBe(3);
  });
});
