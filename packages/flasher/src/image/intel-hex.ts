import { ImageError } from '../errors';
import { FlashImage, normalizeSegments, Segment } from './image';

const enum RecordType {
  Data = 0,
  EndOfFile = 1,
  ExtendedSegmentAddress = 2,
  StartSegmentAddress = 3,
  ExtendedLinearAddress = 4,
  StartLinearAddress = 5,
}

function hexByte(line: string, at: number): number {
  const v = parseInt(line.substr(at, 2), 16);
  return /^[0-9A-Fa-f]{2}$/.test(line.substr(at, 2)) ? v : NaN;
}

/**
 * Intel HEX with all six record types. Every record's checksum is verified; errors name the line. Consecutive
 * data records that continue each other become one run, so a typical file yields a handful of segments.
 */
export function parseIntelHex(text: string, file?: string): FlashImage {
  const lines = text.split(/\r?\n/);
  const segments: Segment[] = [];
  let run: { address: number; parts: Uint8Array[]; length: number } | undefined;
  const flush = (): void => {
    if (!run) return;
    const data = new Uint8Array(run.length);
    let at = 0;
    for (const p of run.parts) {
      data.set(p, at);
      at += p.length;
    }
    segments.push({ address: run.address, data });
    run = undefined;
  };

  let base = 0;
  let segmentMode = false;
  let entry: number | undefined;
  let sawEnd = false;
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i].trim();
    if (line === '') continue;
    const fail = (message: string, code: 'IMAGE_RECORD' | 'IMAGE_CHECKSUM' = 'IMAGE_RECORD'): never => {
      throw new ImageError(code, message, { file, line: lineNo });
    };
    if (sawEnd) fail('data after the end-of-file record');
    if (line[0] !== ':') fail(`record does not start with ':'`);
    if (line.length < 11 || (line.length - 1) % 2 !== 0) fail(`record is ${line.length} characters, too short or odd`);
    const bytes = new Uint8Array((line.length - 1) / 2);
    for (let b = 0; b < bytes.length; b++) {
      const v = hexByte(line, 1 + 2 * b);
      if (Number.isNaN(v)) fail(`'${line.substr(1 + 2 * b, 2)}' at column ${2 + 2 * b} is not a hex byte`);
      bytes[b] = v;
    }
    const count = bytes[0];
    if (bytes.length !== count + 5) fail(`byte count ${count} does not match the record length (${bytes.length - 5} data bytes)`);
    const sum = bytes.reduce((s, v) => (s + v) & 0xff, 0);
    if (sum !== 0) fail(`checksum mismatch (expected 0x${((0x100 - ((sum - bytes[bytes.length - 1]) & 0xff)) & 0xff).toString(16).padStart(2, '0')}, found 0x${bytes[bytes.length - 1].toString(16).padStart(2, '0')})`, 'IMAGE_CHECKSUM');
    const offset = (bytes[1] << 8) | bytes[2];
    const type = bytes[3];
    const data = bytes.subarray(4, 4 + count);
    const word = (): number => (count === 2 ? (data[0] << 8) | data[1] : fail(`record type ${type} needs 2 data bytes, has ${count}`));
    switch (type) {
      case RecordType.Data: {
        if (count === 0) break;
        if (segmentMode && offset + count > 0x10000) fail('data record wraps around its 64 KiB segment');
        const address = base + offset;
        if (run && run.address + run.length === address) {
          run.parts.push(data.slice());
          run.length += count;
        } else {
          flush();
          run = { address, parts: [data.slice()], length: count };
        }
        break;
      }
      case RecordType.EndOfFile:
        if (count !== 0) fail('end-of-file record carries data');
        sawEnd = true;
        break;
      case RecordType.ExtendedSegmentAddress:
        base = word() * 16;
        segmentMode = true;
        break;
      case RecordType.ExtendedLinearAddress:
        base = word() * 0x10000;
        segmentMode = false;
        break;
      case RecordType.StartSegmentAddress:
        if (count !== 4) fail(`start segment address record needs 4 data bytes, has ${count}`);
        entry = ((data[0] << 8) | data[1]) * 16 + ((data[2] << 8) | data[3]);
        break;
      case RecordType.StartLinearAddress:
        if (count !== 4) fail(`start linear address record needs 4 data bytes, has ${count}`);
        entry = ((data[0] << 24) | (data[1] << 16) | (data[2] << 8) | data[3]) >>> 0;
        break;
      default:
        fail(`unknown record type ${type}`);
    }
  }
  if (!sawEnd) throw new ImageError('IMAGE_TRUNCATED', 'no end-of-file record (:00000001FF): the file is cut short', { file, line: lines.length });
  flush();
  return { format: 'hex', segments: normalizeSegments(segments, file), entry, file };
}

/** Render segments as Intel HEX (type 04 + 16-byte data records + EOF); used by tests and `flash` round trips. */
export function formatIntelHex(segments: Segment[], entry?: number): string {
  const lines: string[] = [];
  const record = (type: number, offset: number, data: ArrayLike<number>): void => {
    const bytes = [data.length, (offset >> 8) & 0xff, offset & 0xff, type, ...Array.from(data)];
    const sum = bytes.reduce((s, v) => (s + v) & 0xff, 0);
    bytes.push((0x100 - sum) & 0xff);
    lines.push(':' + bytes.map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(''));
  };
  let upper = -1;
  for (const s of segments) {
    for (let i = 0; i < s.data.length; ) {
      const address = s.address + i;
      if (address >>> 16 !== upper) {
        upper = address >>> 16;
        record(RecordType.ExtendedLinearAddress, 0, [(upper >> 8) & 0xff, upper & 0xff]);
      }
      const n = Math.min(16, s.data.length - i, 0x10000 - (address & 0xffff));
      record(RecordType.Data, address & 0xffff, s.data.subarray(i, i + n));
      i += n;
    }
  }
  if (entry !== undefined) record(RecordType.StartLinearAddress, 0, [(entry >>> 24) & 0xff, (entry >>> 16) & 0xff, (entry >>> 8) & 0xff, entry & 0xff]);
  record(RecordType.EndOfFile, 0, []);
  return lines.join('\n') + '\n';
}
