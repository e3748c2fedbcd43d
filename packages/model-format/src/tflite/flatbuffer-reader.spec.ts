import { ModelFormatError } from '../errors';
import { FlatBufferReader } from './flatbuffer-reader';

/**
 * A handcrafted flatbuffer, built field by field so that each test can corrupt one thing: root uoffset → table at
 * 20 whose vtable is at 8. Field 0: int32 42; field 1: uoffset to the int32 vector [7, -8, 9] at 36; field 2:
 * uoffset to a string at 52 (see withString).
 */
function build(): { bytes: Uint8Array; dv: DataView } {
  const bytes = new Uint8Array(56);
  const dv = new DataView(bytes.buffer);
  dv.setUint32(0, 20, true); // root table at 20
  bytes.set([0x54, 0x46, 0x4c, 0x33], 4);
  // vtable at 8: size 10, table size 16, field 0 at +4, field 1 at +8, field 2 at +12
  dv.setUint16(8, 10, true);
  dv.setUint16(10, 16, true);
  dv.setUint16(12, 4, true);
  dv.setUint16(14, 8, true);
  dv.setUint16(16, 12, true);
  // table at 20: soffset to vtable (20 - 8 = 12)
  dv.setInt32(20, 12, true);
  dv.setInt32(24, 42, true); // field 0
  dv.setUint32(28, 36 - 28, true); // field 1 → vector at 36
  dv.setUint32(32, 52 - 32, true); // field 2 → string at 52
  dv.setUint32(36, 3, true); // vector length
  dv.setInt32(40, 7, true);
  dv.setInt32(44, -8, true);
  dv.setInt32(48, 9, true);
  return { bytes, dv };
}

function withString(text: number[]): { bytes: Uint8Array; dv: DataView } {
  const base = build().bytes;
  const bytes = new Uint8Array(base.length + 4 + text.length + 1);
  bytes.set(base);
  const dv = new DataView(bytes.buffer);
  dv.setUint32(52, text.length, true);
  bytes.set(text, 56);
  bytes[56 + text.length] = 0;
  return { bytes, dv };
}

function expectError(fn: () => unknown, code: string, offset: number): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ModelFormatError);
    expect((e as ModelFormatError).code).toBe(code);
    expect((e as ModelFormatError).location.offset).toBe(offset);
    expect((e as ModelFormatError).location.file).toBe('t.bin');
    return;
  }
  throw new Error(`expected ${code} at ${offset}, nothing was thrown`);
}

describe('FlatBufferReader', () => {
  it('reads scalars, vectors and strings of a well-formed table', () => {
    const { bytes } = withString([0x68, 0x69]);
    const root = new FlatBufferReader(bytes, 't.bin').root();
    expect(root.int32(0, -1)).toBe(42);
    expect(root.int32s(1, 'v')).toEqual([7, -8, 9]);
    expect(root.string(2, 's')).toBe('hi');
    expect(root.int32(5, -1)).toBe(-1); // beyond the vtable: default
  });

  it('does not assume alignment (a table at an odd offset reads the same)', () => {
    const { bytes } = withString([0x68, 0x69]);
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    const view = shifted.subarray(1);
    expect(view.byteOffset % 4).toBe(1);
    expect(new FlatBufferReader(view, 't.bin').root().int32s(1, 'v')).toEqual([7, -8, 9]);
  });

  it('rejects a file too short for a root offset', () => {
    expectError(() => new FlatBufferReader(new Uint8Array(5), 't.bin').root(), 'FORMAT_BOUNDS', 0);
  });

  it('rejects a root offset past the end', () => {
    const { bytes, dv } = build();
    dv.setUint32(0, 0xfffffff0, true);
    expectError(() => new FlatBufferReader(bytes, 't.bin').root(), 'FORMAT_BOUNDS', 0xfffffff0);
  });

  it('rejects a vtable outside the file (negative and positive soffsets)', () => {
    const { bytes, dv } = build();
    dv.setInt32(20, 1000, true); // vtable at 20 - 1000
    expectError(() => new FlatBufferReader(bytes, 't.bin').root(), 'FORMAT_BOUNDS', -980);
    dv.setInt32(20, -1000, true); // vtable at 1020
    expectError(() => new FlatBufferReader(bytes, 't.bin').root(), 'FORMAT_BOUNDS', 1020);
  });

  it('rejects an odd or too small vtable size, and a vtable running off the end', () => {
    const { bytes, dv } = build();
    dv.setUint16(8, 7, true);
    expectError(() => new FlatBufferReader(bytes, 't.bin').root(), 'FORMAT_MALFORMED', 8);
    dv.setUint16(8, 2, true);
    expectError(() => new FlatBufferReader(bytes, 't.bin').root(), 'FORMAT_MALFORMED', 8);
    dv.setUint16(8, 0xfffe, true);
    expectError(() => new FlatBufferReader(bytes, 't.bin').root(), 'FORMAT_BOUNDS', 8);
  });

  it('rejects a table size running past the end of the file', () => {
    const { bytes, dv } = build();
    dv.setUint16(10, 0x8000, true);
    expectError(() => new FlatBufferReader(bytes, 't.bin').root(), 'FORMAT_BOUNDS', 20);
  });

  it('rejects a field whose offset lies outside its table', () => {
    const { bytes, dv } = build();
    dv.setUint16(12, 14, true); // field 0 at +14: a 4-byte int would end at 18 > 16
    const root = new FlatBufferReader(bytes, 't.bin').root();
    expectError(() => root.int32(0, 0), 'FORMAT_MALFORMED', 12);
  });

  it('rejects a field offset pointing outside the file', () => {
    const { bytes, dv } = build();
    dv.setUint32(28, 0x7fffffff, true);
    const root = new FlatBufferReader(bytes, 't.bin').root();
    expectError(() => root.int32s(1, 'v'), 'FORMAT_BOUNDS', 28 + 0x7fffffff);
  });

  it('rejects a vector whose length × element size overruns the file', () => {
    const { bytes, dv } = build();
    dv.setUint32(36, 5, true); // 5 × 4 bytes from 40 = 60 > 56
    const root = new FlatBufferReader(bytes, 't.bin').root();
    expectError(() => root.int32s(1, 'v'), 'FORMAT_BOUNDS', 36);
    dv.setUint32(36, 0xffffffff, true);
    expectError(() => root.int32s(1, 'v'), 'FORMAT_BOUNDS', 36);
  });

  it('rejects a truncated string, a missing terminator and invalid UTF-8', () => {
    const truncated = withString([0x68, 0x69]).bytes.subarray(0, 57); // "h" present, "i" and NUL cut off
    expectError(() => new FlatBufferReader(truncated, 't.bin').root().string(2, 's'), 'FORMAT_BOUNDS', 52);
    const unterminated = withString([0x68, 0x69]);
    unterminated.bytes[58] = 0x21;
    expectError(() => new FlatBufferReader(unterminated.bytes, 't.bin').root().string(2, 's'), 'FORMAT_MALFORMED', 58);
    const badUtf8 = withString([0xc3, 0x28]);
    expectError(() => new FlatBufferReader(badUtf8.bytes, 't.bin').root().string(2, 's'), 'FORMAT_MALFORMED', 56);
  });

  it('rejects 64-bit values beyond 2^53 instead of rounding them', () => {
    const bytes = new Uint8Array(16);
    new DataView(bytes.buffer).setBigUint64(8, 1n << 60n, true);
    expectError(() => new FlatBufferReader(bytes, 't.bin').i64(8, false), 'FORMAT_MALFORMED', 8);
  });

  it('caps the total elements read, so shared vectors cannot multiply the work', () => {
    const { bytes } = withString([0x68, 0x69]);
    const root = new FlatBufferReader(bytes, 't.bin').root();
    const budget = 8 * bytes.length + 65536;
    expect(() => {
      for (let i = 0; i <= budget / 3; i++) root.int32s(1, 'v');
    }).toThrow(/refers to more data than it holds/);
  });
});
