import * as zlib from 'zlib';
import { QuantizerError } from '../errors';

export interface ZipEntry {
  name: string;
  data: Uint8Array;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
/** Largest member we inflate (bytes), so a zip bomb fails cleanly. */
export const MAX_ZIP_MEMBER = 1 << 30;

/**
 * Read the members of a zip archive (what numpy's .npz is): stored (method 0) and deflated (method 8) members,
 * located through the central directory. Zip64 and encryption are refused with a typed error.
 */
export function readZip(bytes: Uint8Array, file?: string): ZipEntry[] {
  const fail = (message: string, offset?: number): QuantizerError => new QuantizerError('QUANT_CALIB_FORMAT', message, { file, offset });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let p = bytes.length - 22; p >= Math.max(0, bytes.length - 22 - 65535); p--) {
    if (view.getUint32(p, true) === EOCD) {
      eocd = p;
      break;
    }
  }
  if (eocd < 0) throw fail('not a zip archive (no end-of-central-directory record)');
  const count = view.getUint16(eocd + 10, true);
  const dirOffset = view.getUint32(eocd + 16, true);
  if (dirOffset === 0xffffffff || count === 0xffff) throw fail('zip64 archives are not supported', eocd);
  const entries: ZipEntry[] = [];
  let p = dirOffset;
  for (let k = 0; k < count; k++) {
    if (p + 46 > bytes.length || view.getUint32(p, true) !== CENTRAL) throw fail(`central directory entry ${k} is malformed`, p);
    const flags = view.getUint16(p + 8, true);
    const method = view.getUint16(p + 10, true);
    const compressed = view.getUint32(p + 20, true);
    const size = view.getUint32(p + 24, true);
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    const local = view.getUint32(p + 42, true);
    if (p + 46 + nameLen > bytes.length) throw fail('entry name runs past the end', p);
    const name = Buffer.from(bytes.subarray(p + 46, p + 46 + nameLen)).toString('utf8');
    if (flags & 1) throw fail(`member '${name}' is encrypted`, p);
    if (compressed === 0xffffffff || size === 0xffffffff) throw fail(`member '${name}' needs zip64`, p);
    if (size > MAX_ZIP_MEMBER) throw fail(`member '${name}' is ${size} bytes, more than ${MAX_ZIP_MEMBER}`, p);
    if (local + 30 > bytes.length || view.getUint32(local, true) !== LOCAL) throw fail(`local header of '${name}' is malformed`, local);
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    if (start + compressed > bytes.length) throw fail(`member '${name}' runs past the end of the archive`, start);
    const raw = bytes.subarray(start, start + compressed);
    let data: Uint8Array;
    if (method === 0) data = raw;
    else if (method === 8) {
      try {
        data = zlib.inflateRawSync(raw, { maxOutputLength: Math.max(size, 1) });
      } catch (e) {
        throw fail(`member '${name}' does not inflate: ${(e as Error).message}`, start);
      }
    } else throw fail(`member '${name}' uses compression method ${method} (only stored and deflate are supported)`, p);
    if (data.length !== size) throw fail(`member '${name}' is ${data.length} bytes, the directory says ${size}`, start);
    entries.push({ name, data });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}
