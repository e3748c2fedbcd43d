import * as fs from 'fs';
import * as zlib from 'zlib';
import { DatasetError } from './dataset-error';

/** An IDX array of unsigned bytes (the only element type MNIST-style datasets use). */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** Largest IDX payload we decode (bytes); Fashion-MNIST's training images are 47 MB. */
export const IDX_MAX_BYTES = 256 * 1024 * 1024;

const UBYTE_TYPE = 0x08;
const MAX_RANK = 4;

/**
 * Parse an IDX file (http://yann.lecun.com/exdb/mnist/ layout): two zero bytes, a type byte, a rank byte, then
 * one big-endian uint32 per dimension, then the elements in row-major order. Only ubyte (0x08) is accepted.
 */
export function parseIdx(bytes: Uint8Array, file?: string, maxBytes = IDX_MAX_BYTES): IdxArray {
  const fail = (message: string, offset: number): never => {
    throw new DatasetError('DATASET_MALFORMED', message, { file, offset });
  };
  if (bytes.byteLength < 4) fail(`an IDX header needs 4 bytes, the file has ${bytes.byteLength}`, 0);
  if (bytes[0] !== 0 || bytes[1] !== 0) fail('not an IDX file (the magic number must start with two zero bytes)', 0);
  if (bytes[2] !== UBYTE_TYPE) fail(`element type 0x${bytes[2].toString(16)} is not supported (only unsigned bytes, 0x08)`, 2);
  const rank = bytes[3];
  if (rank < 1 || rank > MAX_RANK) fail(`rank ${rank} is outside 1..${MAX_RANK}`, 3);
  const headerBytes = 4 + 4 * rank;
  if (bytes.byteLength < headerBytes) fail(`the header declares rank ${rank} (${headerBytes} bytes) but the file has ${bytes.byteLength} bytes`, 4);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let count = 1;
  for (let i = 0; i < rank; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    dims.push(d);
    count *= d;
  }
  if (count > maxBytes) {
    throw new DatasetError('DATASET_LIMIT', `dimensions [${dims.join(', ')}] need ${count} bytes, more than the ${maxBytes} we read`, { file, offset: 4 });
  }
  const available = bytes.byteLength - headerBytes;
  if (available !== count) fail(`dimensions [${dims.join(', ')}] need ${count} data bytes, the file has ${available}`, headerBytes);
  return { dims, data: bytes.subarray(headerBytes) };
}

/** Read an IDX file, gzip-compressed (detected by its magic bytes) or not. */
export function readIdxFile(file: string, maxBytes = IDX_MAX_BYTES): IdxArray {
  let raw: Uint8Array;
  try {
    raw = fs.readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'DATASET_NOT_FOUND' : 'DATASET_IO';
    throw new DatasetError(code, `cannot read: ${(e as Error).message}`, { file });
  }
  return parseIdx(isGzip(raw) ? gunzip(raw, file, maxBytes) : raw, file, maxBytes);
}

function isGzip(bytes: Uint8Array): boolean {
  return bytes.byteLength >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function gunzip(bytes: Uint8Array, file: string, maxBytes: number): Uint8Array {
  try {
    // The bound keeps a gzip bomb from exhausting memory; header + payload must fit in it.
    return zlib.gunzipSync(bytes, { maxOutputLength: maxBytes + 4 + 4 * MAX_RANK });
  } catch (e) {
    const tooLarge = (e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
    throw new DatasetError(tooLarge ? 'DATASET_LIMIT' : 'DATASET_MALFORMED', `gzip data cannot be decoded: ${(e as Error).message}`, { file });
  }
}
