import { QuantizerError } from '../errors';

/** A numeric array from a .npy file, converted to float32 (the calibration data type). */
export interface NdArray {
  shape: number[];
  data: Float32Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"
/** Largest array we convert (elements), checked before allocating. */
export const MAX_ARRAY_ELEMENTS = 1 << 28;

type Reader = (view: DataView, offset: number) => number;
const READERS: Record<string, { size: number; read: Reader }> = {
  f4: { size: 4, read: (v, o) => v.getFloat32(o, true) },
  f8: { size: 8, read: (v, o) => v.getFloat64(o, true) },
  f2: { size: 2, read: (v, o) => halfToFloat(v.getUint16(o, true)) },
  u1: { size: 1, read: (v, o) => v.getUint8(o) },
  i1: { size: 1, read: (v, o) => v.getInt8(o) },
  u2: { size: 2, read: (v, o) => v.getUint16(o, true) },
  i2: { size: 2, read: (v, o) => v.getInt16(o, true) },
  i4: { size: 4, read: (v, o) => v.getInt32(o, true) },
  u4: { size: 4, read: (v, o) => v.getUint32(o, true) },
  i8: { size: 8, read: (v, o) => Number(v.getBigInt64(o, true)) },
  b1: { size: 1, read: (v, o) => v.getUint8(o) },
};

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m === 0 ? s * Infinity : NaN;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** Parse a .npy file (format versions 1–3, little-endian or byte-sized dtypes, C order). */
export function parseNpy(bytes: Uint8Array, file?: string): NdArray {
  const fail = (message: string, offset?: number): QuantizerError => new QuantizerError('QUANT_CALIB_FORMAT', message, { file, offset });
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw fail('not a .npy file (no \\x93NUMPY magic)', 0);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  let headerLen: number;
  let headerStart: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw fail('truncated header', 8);
    headerLen = view.getUint32(8, true);
    headerStart = 12;
  } else throw fail(`unsupported .npy version ${major}`, 6);
  if (headerStart + headerLen > bytes.length) throw fail(`header of ${headerLen} bytes runs past the end of the file`, 8);
  const header = Buffer.from(bytes.subarray(headerStart, headerStart + headerLen)).toString('latin1');
  const descr = /'descr'\s*:\s*'([<>|=])([a-z])(\d+)'/.exec(header);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header);
  const shapeMatch = /'shape'\s*:\s*\(([^)]*)\)/.exec(header);
  if (descr === null || fortran === null || shapeMatch === null) throw fail(`header is not a numpy array description: ${header.trim().slice(0, 80)}`, headerStart);
  if (fortran[1] === 'True') throw fail('Fortran-order arrays are not supported (save with C order)', headerStart);
  const key = `${descr[2]}${descr[3]}`;
  const reader = READERS[key];
  if (reader === undefined) throw fail(`dtype '${descr[1]}${key}' is not supported (use float32, float64, float16 or an integer type)`, headerStart);
  if (descr[1] === '>' && reader.size > 1) throw fail('big-endian arrays are not supported', headerStart);
  const shape = shapeMatch[1]
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number);
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) throw fail(`bad shape (${shapeMatch[1]})`, headerStart);
  const count = shape.reduce((a, b) => a * b, 1);
  if (count > MAX_ARRAY_ELEMENTS) throw fail(`${count} elements is more than the ${MAX_ARRAY_ELEMENTS} calibration data may have`, headerStart);
  const dataStart = headerStart + headerLen;
  if (dataStart + count * reader.size > bytes.length) {
    throw fail(`shape (${shape.join(', ')}) needs ${count * reader.size} data bytes, the file has ${bytes.length - dataStart}`, dataStart);
  }
  const data = new Float32Array(count);
  for (let i = 0; i < count; i++) data[i] = reader.read(view, dataStart + i * reader.size);
  return { shape, data };
}

/** Write a float32 .npy (version 1): used by tests and by tools that export calibration sets. */
export function encodeNpy(shape: readonly number[], data: Float32Array): Uint8Array {
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${dims}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(Buffer.from(header, 'latin1'), 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}
