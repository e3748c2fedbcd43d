import * as zlib from 'zlib';
import { QuantizerError } from '../errors';
import { MAX_ARRAY_ELEMENTS, NdArray } from './npy';

/**
 * IDX files (MNIST, Fashion-MNIST: `t10k-images-idx3-ubyte[.gz]`): magic 0x00 0x00 TYPE DIMS, then DIMS big-endian
 * u32 sizes, then the values big-endian. Gzip-compressed files are inflated first (bounded by the element limit).
 */
const TYPES: Record<number, { size: number; read: (v: DataView, o: number) => number }> = {
  0x08: { size: 1, read: (v, o) => v.getUint8(o) },
  0x09: { size: 1, read: (v, o) => v.getInt8(o) },
  0x0b: { size: 2, read: (v, o) => v.getInt16(o, false) },
  0x0c: { size: 4, read: (v, o) => v.getInt32(o, false) },
  0x0d: { size: 4, read: (v, o) => v.getFloat32(o, false) },
  0x0e: { size: 8, read: (v, o) => v.getFloat64(o, false) },
};

/** A file name IDX data goes by (`…-idx3-ubyte`, `.idx`, optionally `.gz`). */
export function isIdxName(file: string): boolean {
  return /(-idx\d-ubyte|\.idx\d?)(\.gz)?$/i.test(file);
}

export interface IdxArray extends NdArray {
  /** The element type was unsigned bytes (images: pixel values 0–255). */
  unsignedBytes: boolean;
}

export function parseIdx(raw: Uint8Array, file: string): IdxArray {
  let bytes = raw;
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      bytes = zlib.gunzipSync(raw, { maxOutputLength: MAX_ARRAY_ELEMENTS * 8 + 1024 });
    } catch (e) {
      throw new QuantizerError('QUANT_CALIB_FORMAT', `gzip data cannot be inflated: ${(e as Error).message}`, { file });
    }
  }
  const fail = (offset: number, what: string): never => {
    throw new QuantizerError('QUANT_CALIB_FORMAT', `IDX: ${what} at byte ${offset}`, { file });
  };
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) fail(0, 'not an IDX file (the magic number starts 00 00)');
  const type = TYPES[bytes[2]] ?? fail(2, `unknown element type 0x${bytes[2].toString(16)}`);
  const dims = bytes[3];
  if (dims === 0 || dims > 8) fail(3, `${dims} dimensions`);
  if (bytes.length < 4 + 4 * dims) fail(bytes.length, 'the dimension sizes are cut short');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape = Array.from({ length: dims }, (_, i) => view.getUint32(4 + 4 * i, false));
  const count = shape.reduce((a, b) => a * b, 1);
  if (count > MAX_ARRAY_ELEMENTS) fail(4, `${count} elements exceed the limit of ${MAX_ARRAY_ELEMENTS}`);
  const start = 4 + 4 * dims;
  if (bytes.length !== start + count * type.size) fail(bytes.length, `${bytes.length - start} data bytes; shape [${shape.join(', ')}] needs ${count * type.size}`);
  const data = new Float32Array(count);
  for (let i = 0; i < count; i++) data[i] = type.read(view, start + i * type.size);
  return { shape, data, unsignedBytes: bytes[2] === 0x08 };
}
