import { ModelFormatError } from '../errors';

/**
 * A bounds-checked reader of flatbuffer tables over a DataView. The flatbuffers JS runtime trusts every offset in
 * the file; this reader checks each one (root, vtable, field, vector, string) before following it, so any bytes
 * give either values or a ModelFormatError with the offending byte offset. DataView reads do not need alignment.
 */
export class FlatBufferReader {
  readonly view: DataView;
  readonly size: number;
  /**
   * Elements left to read. Vectors may be shared by many tables (e.g. every operator pointing at one huge inputs
   * vector), so the total work is capped in proportion to the file size instead of trusting the structure.
   */
  private budget: number;

  constructor(
    readonly bytes: Uint8Array,
    readonly file?: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.size = bytes.byteLength;
    this.budget = 8 * this.size + 65536;
  }

  fail(code: 'FORMAT_BOUNDS' | 'FORMAT_MALFORMED', message: string, offset: number): never {
    throw new ModelFormatError(code, message, { file: this.file, offset });
  }

  /** Check that `length` bytes at `offset` lie inside the file. */
  need(offset: number, length: number, what: string): void {
    if (!(offset >= 0 && length >= 0 && offset + length <= this.size)) {
      this.fail('FORMAT_BOUNDS', outsideFile(what, offset, length, this.size), offset);
    }
  }

  /** Account for `n` elements about to be read. */
  charge(n: number, offset: number): void {
    this.budget -= n;
    if (this.budget < 0) {
      this.fail('FORMAT_MALFORMED', 'the file refers to more data than it holds (shared or overlapping vectors)', offset);
    }
  }

  u8(o: number): number {
    this.need(o, 1, 'byte');
    return this.view.getUint8(o);
  }
  i8(o: number): number {
    this.need(o, 1, 'byte');
    return this.view.getInt8(o);
  }
  u16(o: number): number {
    this.need(o, 2, 'uint16');
    return this.view.getUint16(o, true);
  }
  i32(o: number): number {
    this.need(o, 4, 'int32');
    return this.view.getInt32(o, true);
  }
  u32(o: number): number {
    this.need(o, 4, 'uint32');
    return this.view.getUint32(o, true);
  }
  f32(o: number): number {
    this.need(o, 4, 'float32');
    return this.view.getFloat32(o, true);
  }
  /** A 64-bit integer as a JS number; values beyond ±2^53 are rejected rather than rounded. */
  i64(o: number, signed: boolean): number {
    this.need(o, 8, 'int64');
    const v = signed ? this.view.getBigInt64(o, true) : this.view.getBigUint64(o, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
      this.fail('FORMAT_MALFORMED', `64-bit value ${v} is too large`, o);
    }
    return Number(v);
  }

  /** The file's root table (uoffset at byte 0). */
  root(): Table {
    if (this.size < 8) this.fail('FORMAT_BOUNDS', `file is ${this.size} bytes, too short for a flatbuffer`, 0);
    return this.tableAt(this.u32(0), 'root table');
  }

  tableAt(pos: number, what: string): Table {
    this.need(pos, 4, what);
    const vtable = pos - this.i32(pos);
    this.need(vtable, 4, `${what} vtable`);
    const vtableSize = this.u16(vtable);
    const tableSize = this.u16(vtable + 2);
    if (vtableSize < 4 || vtableSize % 2 !== 0) {
      this.fail('FORMAT_MALFORMED', `${what}: vtable size ${vtableSize} is invalid`, vtable);
    }
    this.need(vtable, vtableSize, `${what} vtable`);
    if (tableSize < 4) this.fail('FORMAT_MALFORMED', `${what}: table size ${tableSize} is invalid`, vtable);
    this.need(pos, tableSize, what);
    return new Table(this, pos, vtable, vtableSize, tableSize, what);
  }
}

export interface VectorSpan {
  /** Byte offset of the first element. */
  start: number;
  length: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** One table: fields looked up through its vtable, every access bounds-checked. */
export class Table {
  constructor(
    readonly r: FlatBufferReader,
    readonly pos: number,
    private readonly vtable: number,
    private readonly vtableSize: number,
    private readonly tableSize: number,
    readonly what: string,
  ) {}

  /** Absolute offset of field `id` of `size` bytes, or 0 when absent. */
  field(id: number, size: number): number {
    const slot = 4 + 2 * id;
    if (slot + 2 > this.vtableSize) return 0;
    const rel = this.r.u16(this.vtable + slot);
    if (rel === 0) return 0;
    if (rel < 4 || rel + size > this.tableSize) {
      this.r.fail('FORMAT_MALFORMED', `${this.what}: field ${id} at ${rel} lies outside its ${this.tableSize}-byte table`, this.vtable + slot);
    }
    return this.pos + rel;
  }

  has(id: number): boolean {
    return this.field(id, 1) !== 0;
  }

  int8(id: number, dflt: number): number {
    const o = this.field(id, 1);
    return o === 0 ? dflt : this.r.i8(o);
  }
  uint8(id: number, dflt: number): number {
    const o = this.field(id, 1);
    return o === 0 ? dflt : this.r.u8(o);
  }
  bool(id: number, dflt: boolean): boolean {
    const o = this.field(id, 1);
    return o === 0 ? dflt : this.r.u8(o) !== 0;
  }
  int32(id: number, dflt: number): number {
    const o = this.field(id, 4);
    return o === 0 ? dflt : this.r.i32(o);
  }
  uint32(id: number, dflt: number): number {
    const o = this.field(id, 4);
    return o === 0 ? dflt : this.r.u32(o);
  }
  float32(id: number, dflt: number): number {
    const o = this.field(id, 4);
    return o === 0 ? dflt : this.r.f32(o);
  }
  uint64(id: number, dflt: number): number {
    const o = this.field(id, 8);
    return o === 0 ? dflt : this.r.i64(o, false);
  }

  /** Follow the uoffset stored in field `id` (offsets are relative to where they are stored). */
  private ref(id: number): number {
    const o = this.field(id, 4);
    if (o === 0) return 0;
    const target = o + this.r.u32(o);
    this.r.need(target, 4, `${this.what}: field ${id} target`);
    return target;
  }

  table(id: number, what: string): Table | undefined {
    const t = this.ref(id);
    return t === 0 ? undefined : this.r.tableAt(t, what);
  }

  vector(id: number, elementSize: number, what: string): VectorSpan | undefined {
    const v = this.ref(id);
    if (v === 0) return undefined;
    const length = this.r.u32(v);
    if (length * elementSize > this.r.size - (v + 4)) {
      this.r.fail('FORMAT_BOUNDS', `${what}: vector of ${length} × ${elementSize} bytes overruns the file`, v);
    }
    this.r.charge(length, v);
    return { start: v + 4, length };
  }

  string(id: number, what: string): string | undefined {
    const s = this.vector(id, 1, what);
    if (s === undefined) return undefined;
    this.r.need(s.start, s.length + 1, what);
    if (this.r.view.getUint8(s.start + s.length) !== 0) {
      this.r.fail('FORMAT_MALFORMED', `${what}: string is not zero-terminated`, s.start + s.length);
    }
    try {
      return utf8.decode(this.r.bytes.subarray(s.start, s.start + s.length));
    } catch {
      return this.r.fail('FORMAT_MALFORMED', `${what}: string is not valid UTF-8`, s.start);
    }
  }

  /** A [ubyte] vector as a view into the file (no copy). */
  bytes(id: number, what: string): Uint8Array | undefined {
    const v = this.vector(id, 1, what);
    return v === undefined ? undefined : this.r.bytes.subarray(v.start, v.start + v.length);
  }

  int32s(id: number, what: string): number[] | undefined {
    const v = this.vector(id, 4, what);
    if (v === undefined) return undefined;
    const out = new Array<number>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = this.r.view.getInt32(v.start + 4 * i, true);
    return out;
  }

  float32s(id: number, what: string): number[] | undefined {
    const v = this.vector(id, 4, what);
    if (v === undefined) return undefined;
    const out = new Array<number>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = this.r.view.getFloat32(v.start + 4 * i, true);
    return out;
  }

  int64s(id: number, what: string): number[] | undefined {
    const v = this.vector(id, 8, what);
    if (v === undefined) return undefined;
    const out = new Array<number>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = this.r.i64(v.start + 8 * i, true);
    return out;
  }

  /** A vector of tables; each element is a uoffset relative to its own slot. */
  tables(id: number, what: string): Table[] | undefined {
    const v = this.vector(id, 4, what);
    if (v === undefined) return undefined;
    const out: Table[] = [];
    for (let i = 0; i < v.length; i++) {
      const slot = v.start + 4 * i;
      out.push(this.r.tableAt(slot + this.r.view.getUint32(slot, true), `${what}[${i}]`));
    }
    return out;
  }
}

/** Why `length` bytes at `offset` cannot be read from a `size`-byte file, as a truncated file reads. */
export function outsideFile(what: string, offset: number, length: number, size: number): string {
  if (offset >= 0 && length >= 0) return `${what}: truncated (file ends at byte ${size}, the model needs ${offset + length})`;
  return `${what}: ${length} bytes at ${offset} lie outside the ${size}-byte file (corrupt)`;
}
