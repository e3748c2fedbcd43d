import { ProfilerError } from '../errors';
import { cobsDecode, cobsEncode } from './cobs';
import { crc16Ccitt } from './crc16';
import {
  BODY_CRC_BYTES,
  BODY_HEADER_BYTES,
  COUNTER_KIND,
  CounterKind,
  FRAME_DELIMITER,
  FRAME_MAGIC,
  FRAME_TYPE,
  IO_RECORD_TYPE,
  LinkRecord,
  MAX_NAME_BYTES,
  MAX_PAYLOAD_BYTES,
  MAX_RANK,
  PROTOCOL_VERSION,
  RECORD_TYPE,
} from './records';

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: false });

/** Names are cut to MAX_NAME_BYTES bytes, as the C encoder does (a split UTF-8 sequence decodes as U+FFFD). */
function nameBytes(s: string): Uint8Array {
  return utf8.encode(s).subarray(0, MAX_NAME_BYTES);
}

function checkUint(value: number, bits: 8 | 16 | 32 | 64, what: string): void {
  const max = bits === 64 ? Number.MAX_SAFE_INTEGER : 2 ** bits - 1;
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new ProfilerError('PROFILE_BAD_RECORD', `${what} must be an integer in 0..${max}, got ${value}`);
  }
}

class PayloadWriter {
  private readonly bytes: number[] = [];
  u8(v: number, what: string): this {
    checkUint(v, 8, what);
    this.bytes.push(v);
    return this;
  }
  u16(v: number, what: string): this {
    checkUint(v, 16, what);
    this.bytes.push(v & 0xff, v >>> 8);
    return this;
  }
  u32(v: number, what: string): this {
    checkUint(v, 32, what);
    this.bytes.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24);
    return this;
  }
  u64(v: number, what: string): this {
    checkUint(v, 64, what);
    return this.u32(v % 2 ** 32, what).u32(Math.floor(v / 2 ** 32), what);
  }
  text(s: string): this {
    const b = nameBytes(s);
    this.bytes.push(b.length, ...b);
    return this;
  }
  data(d: Uint8Array, what: string): this {
    if (this.bytes.length + d.length > MAX_PAYLOAD_BYTES) {
      throw new ProfilerError('PROFILE_BAD_RECORD', `${what}: ${d.length} bytes do not fit a ${MAX_PAYLOAD_BYTES}-byte payload after ${this.bytes.length} bytes`);
    }
    this.bytes.push(...d);
    return this;
  }
  done(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

function encodePayload(r: LinkRecord): Uint8Array {
  const w = new PayloadWriter();
  switch (r.type) {
    case 'hello':
      return w.u8(COUNTER_KIND[r.counter], 'counter').u32(r.clockHz, 'clockHz').u16(r.layerCount, 'layerCount').done();
    case 'layerInfo': {
      if (r.outputShape.length > MAX_RANK) throw new ProfilerError('PROFILE_BAD_RECORD', `layer ${r.index}: rank ${r.outputShape.length} exceeds ${MAX_RANK}`);
      w.u16(r.index, 'index').u16(r.opId, 'opId').u64(r.macs, 'macs').u8(r.outputShape.length, 'rank');
      for (const d of r.outputShape) w.u32(d, 'dimension');
      return w.text(r.name).text(r.op).done();
    }
    case 'overhead':
      return w.u32(r.count, 'count').u16(r.samples, 'samples').done();
    case 'layer':
      return w.u32(r.run, 'run').u16(r.index, 'index').u16(r.opId, 'opId').u32(r.count, 'count').done();
    case 'inference':
      return w.u32(r.run, 'run').u32(r.total, 'total').u16(r.layerCount, 'layerCount').done();
    case 'ready':
      return w.u32(r.inputBytes, 'inputBytes').u32(r.outputBytes, 'outputBytes').u16(r.layerCount, 'layerCount').u32(r.arenaBytes, 'arenaBytes').done();
    case 'input':
    case 'output':
      return w.u32(r.offset, 'offset').data(r.data, `${r.type} data`).done();
    case 'ack':
      return w.u32(r.expected, 'expected').done();
    case 'result':
      return w.u32(r.status, 'status').u32(r.run, 'run').u32(r.ticks, 'ticks').u32(r.stackHighWater, 'stackHighWater').u32(r.stackSize, 'stackSize').done();
  }
}

/** The frame body (version, type, seq, payload, CRC) before COBS. */
export function encodeBody(record: LinkRecord, seq: number): Uint8Array {
  checkUint(seq, 16, 'seq');
  const payload = encodePayload(record);
  const body = new Uint8Array(BODY_HEADER_BYTES + payload.length + BODY_CRC_BYTES);
  body[0] = PROTOCOL_VERSION;
  body[1] = FRAME_TYPE[record.type];
  body[2] = seq & 0xff;
  body[3] = seq >>> 8;
  body.set(payload, BODY_HEADER_BYTES);
  const crc = crc16Ccitt(body, 0, body.length - BODY_CRC_BYTES);
  body[body.length - 2] = crc & 0xff;
  body[body.length - 1] = crc >>> 8;
  return body;
}

/** The bytes an end puts on the wire for one record: 0x00, MAGIC, COBS(body), 0x00. */
export function encodeFrame(record: LinkRecord, seq: number): Uint8Array {
  const stuffed = cobsEncode(encodeBody(record, seq));
  const wire = new Uint8Array(stuffed.length + 3);
  wire[0] = FRAME_DELIMITER;
  wire[1] = FRAME_MAGIC;
  wire.set(stuffed, 2);
  wire[wire.length - 1] = FRAME_DELIMITER;
  return wire;
}

/** Longest COBS-stuffed body a valid frame can have; the decoder gives up on longer segments. */
export const MAX_STUFFED_BYTES = BODY_HEADER_BYTES + MAX_PAYLOAD_BYTES + BODY_CRC_BYTES + 2;

export type BodyProblem = 'cobs' | 'crc' | 'version' | 'type' | 'malformed';
/** A CRC-valid frame of this version whose record type the link does not define (another protocol on the console). */
export interface RawFrame {
  type: number;
  seq: number;
  payload: Uint8Array;
}
export type BodyResult = { ok: true; seq: number; record: LinkRecord } | { ok: false; problem: BodyProblem; raw?: RawFrame };

class PayloadReader {
  private at = 0;
  constructor(private readonly b: Uint8Array) {}
  private need(n: number): void {
    if (this.at + n > this.b.length) throw new RangeError('payload too short');
  }
  u8(): number {
    this.need(1);
    return this.b[this.at++];
  }
  u16(): number {
    this.need(2);
    const v = this.b[this.at] | (this.b[this.at + 1] << 8);
    this.at += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = (this.b[this.at] | (this.b[this.at + 1] << 8) | (this.b[this.at + 2] << 16)) + this.b[this.at + 3] * 2 ** 24;
    this.at += 4;
    return v;
  }
  u64(): number {
    const lo = this.u32();
    return lo + this.u32() * 2 ** 32;
  }
  text(): string {
    const n = this.u8();
    if (n > MAX_NAME_BYTES) throw new RangeError('name too long');
    this.need(n);
    const s = utf8Decoder.decode(this.b.subarray(this.at, this.at + n));
    this.at += n;
    return s;
  }
  rest(): Uint8Array {
    const d = this.b.slice(this.at);
    this.at = this.b.length;
    return d;
  }
  end(): void {
    if (this.at !== this.b.length) throw new RangeError('trailing payload bytes');
  }
}

const COUNTER_BY_CODE: CounterKind[] = ['dwt', 'systick', 'other'];

function decodePayload(type: number, payload: Uint8Array): LinkRecord | 'type' {
  const r = new PayloadReader(payload);
  let record: LinkRecord;
  switch (type) {
    case RECORD_TYPE.hello: {
      const counter = COUNTER_BY_CODE[r.u8()];
      if (counter === undefined) throw new RangeError('unknown counter kind');
      record = { type: 'hello', counter, clockHz: r.u32(), layerCount: r.u16() };
      break;
    }
    case RECORD_TYPE.layerInfo: {
      const index = r.u16();
      const opId = r.u16();
      const macs = r.u64();
      const rank = r.u8();
      if (rank > MAX_RANK) throw new RangeError('rank too large');
      const outputShape = Array.from({ length: rank }, () => r.u32());
      record = { type: 'layerInfo', index, opId, macs, outputShape, name: r.text(), op: r.text() };
      break;
    }
    case RECORD_TYPE.overhead:
      record = { type: 'overhead', count: r.u32(), samples: r.u16() };
      break;
    case RECORD_TYPE.layer:
      record = { type: 'layer', run: r.u32(), index: r.u16(), opId: r.u16(), count: r.u32() };
      break;
    case RECORD_TYPE.inference:
      record = { type: 'inference', run: r.u32(), total: r.u32(), layerCount: r.u16() };
      break;
    case IO_RECORD_TYPE.ready:
      record = { type: 'ready', inputBytes: r.u32(), outputBytes: r.u32(), layerCount: r.u16(), arenaBytes: r.u32() };
      break;
    case IO_RECORD_TYPE.input:
      record = { type: 'input', offset: r.u32(), data: r.rest() };
      break;
    case IO_RECORD_TYPE.ack:
      record = { type: 'ack', expected: r.u32() };
      break;
    case IO_RECORD_TYPE.output:
      record = { type: 'output', offset: r.u32(), data: r.rest() };
      break;
    case IO_RECORD_TYPE.result:
      record = { type: 'result', status: r.u32(), run: r.u32(), ticks: r.u32(), ...(payload.length === 12 ? { stackHighWater: 0, stackSize: 0 } : { stackHighWater: r.u32(), stackSize: r.u32() }) };
      break;
    default:
      return 'type';
  }
  r.end();
  return record;
}

/** Check and parse one COBS-stuffed body (the bytes between MAGIC and the closing delimiter). */
export function decodeStuffedBody(stuffed: Uint8Array): BodyResult {
  const body = cobsDecode(stuffed);
  if (body === undefined) return { ok: false, problem: 'cobs' };
  if (body.length < BODY_HEADER_BYTES + BODY_CRC_BYTES) return { ok: false, problem: 'crc' };
  const crc = body[body.length - 2] | (body[body.length - 1] << 8);
  if (crc !== crc16Ccitt(body, 0, body.length - BODY_CRC_BYTES)) return { ok: false, problem: 'crc' };
  if (body[0] !== PROTOCOL_VERSION) return { ok: false, problem: 'version' };
  const seq = body[2] | (body[3] << 8);
  try {
    const payload = body.subarray(BODY_HEADER_BYTES, body.length - BODY_CRC_BYTES);
    const record = decodePayload(body[1], payload);
    if (record === 'type') return { ok: false, problem: 'type', raw: { type: body[1], seq, payload: Uint8Array.from(payload) } };
    return { ok: true, seq, record };
  } catch (e) {
    if (e instanceof RangeError) return { ok: false, problem: 'malformed' };
    throw e;
  }
}
