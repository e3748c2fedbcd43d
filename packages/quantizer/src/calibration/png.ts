import * as zlib from 'zlib';
import { QuantizerError } from '../errors';

/** Decoded 8-bit image: height × width × channels bytes, row-major, channels 1 (gray), 2 (gray+alpha), 3 or 4. */
export interface Image {
  width: number;
  height: number;
  channels: number;
  pixels: Uint8Array;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Largest image decoded (pixels), checked before inflating. */
export const MAX_IMAGE_PIXELS = 1 << 26;
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/**
 * Decode a PNG: bit depth 8 (and 1/2/4 for gray and palette), all colour types, no interlacing. Palette images are
 * expanded to RGB. 16-bit and Adam7-interlaced files are refused with a typed error.
 */
export function decodePng(bytes: Uint8Array, file?: string): Image {
  const fail = (message: string, offset?: number): QuantizerError => new QuantizerError('QUANT_CALIB_FORMAT', message, { file, offset });
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) throw fail('not a PNG file (bad signature)', 0);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let p = 8;
  let header: { width: number; height: number; depth: number; colour: number } | undefined;
  let palette: Uint8Array | undefined;
  const idat: Uint8Array[] = [];
  while (p + 8 <= bytes.length) {
    const len = view.getUint32(p);
    const type = String.fromCharCode(bytes[p + 4], bytes[p + 5], bytes[p + 6], bytes[p + 7]);
    if (p + 12 + len > bytes.length) throw fail(`chunk ${type} runs past the end of the file`, p);
    const body = bytes.subarray(p + 8, p + 8 + len);
    if (type === 'IHDR') {
      if (len < 13) throw fail('IHDR is too short', p);
      const bv = new DataView(body.buffer, body.byteOffset, body.byteLength);
      header = { width: bv.getUint32(0), height: bv.getUint32(4), depth: body[8], colour: body[9] };
      if (body[12] !== 0) throw fail('interlaced PNGs are not supported', p);
    } else if (type === 'PLTE') palette = body;
    else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') break;
    p += 12 + len;
  }
  if (header === undefined) throw fail('no IHDR chunk', 8);
  const { width, height, depth, colour } = header;
  const samples = CHANNELS[colour];
  if (samples === undefined) throw fail(`colour type ${colour} is not a PNG colour type`);
  if (depth !== 8 && !(depth < 8 && (colour === 0 || colour === 3) && [1, 2, 4].includes(depth))) throw fail(`bit depth ${depth} with colour type ${colour} is not supported`);
  if (width === 0 || height === 0 || width * height > MAX_IMAGE_PIXELS) throw fail(`image size ${width}×${height} is out of range`);
  if (colour === 3 && palette === undefined) throw fail('palette image without a PLTE chunk');
  const stride = Math.ceil((width * samples * depth) / 8);
  let raw: Uint8Array;
  try {
    raw = zlib.inflateSync(Buffer.concat(idat), { maxOutputLength: (stride + 1) * height });
  } catch (e) {
    throw fail(`image data does not inflate: ${(e as Error).message}`);
  }
  if (raw.length < (stride + 1) * height) throw fail(`image data holds ${raw.length} bytes, ${(stride + 1) * height} needed`);
  const rows = unfilter(raw, stride, height, Math.max(1, (samples * depth) / 8), fail);
  return expand(rows, width, height, depth, colour, samples, stride, palette);
}

function unfilter(raw: Uint8Array, stride: number, height: number, bpp: number, fail: (m: string) => QuantizerError): Uint8Array {
  const out = new Uint8Array(stride * height);
  const step = Math.ceil(bpp);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    const prev = row - stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= step ? out[row + x - step] : 0;
      const b = y > 0 ? out[prev + x] : 0;
      const c = y > 0 && x >= step ? out[prev + x - step] : 0;
      const v = raw[src + x];
      switch (filter) {
        case 0:
          out[row + x] = v;
          break;
        case 1:
          out[row + x] = v + a;
          break;
        case 2:
          out[row + x] = v + b;
          break;
        case 3:
          out[row + x] = v + ((a + b) >> 1);
          break;
        case 4: {
          const pa = Math.abs(b - c);
          const pb = Math.abs(a - c);
          const pc = Math.abs(a + b - 2 * c);
          out[row + x] = v + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
          break;
        }
        default:
          throw fail(`row ${y} has filter type ${filter}`);
      }
    }
  }
  return out;
}

function expand(rows: Uint8Array, width: number, height: number, depth: number, colour: number, samples: number, stride: number, palette?: Uint8Array): Image {
  if (depth === 8 && colour !== 3) return { width, height, channels: samples, pixels: rows };
  const channels = colour === 3 ? 3 : 1;
  const pixels = new Uint8Array(width * height * channels);
  const maxValue = (1 << depth) - 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let v: number;
      if (depth === 8) v = rows[y * stride + x];
      else {
        const bit = x * depth;
        v = (rows[y * stride + (bit >> 3)] >> (8 - depth - (bit & 7))) & maxValue;
      }
      const o = (y * width + x) * channels;
      if (colour === 3) {
        for (let c = 0; c < 3; c++) pixels[o + c] = palette![v * 3 + c] ?? 0;
      } else pixels[o] = Math.round((v * 255) / maxValue);
    }
  }
  return { width, height, channels, pixels };
}

/** Encode 8-bit gray/RGB/RGBA as PNG (filter 0): for tests and tools that write calibration images. */
export function encodePng(image: Image): Uint8Array {
  const colour = { 1: 0, 2: 4, 3: 2, 4: 6 }[image.channels as 1 | 2 | 3 | 4];
  const stride = image.width * image.channels;
  const raw = Buffer.alloc((stride + 1) * image.height);
  for (let y = 0; y < image.height; y++) raw.set(image.pixels.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(image.width, 0);
  ihdr.writeUInt32BE(image.height, 4);
  ihdr[8] = 8;
  ihdr[9] = colour;
  const chunk = (type: string, body: Uint8Array): Buffer => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(body.length, 0);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(Buffer.concat([head.subarray(4), body])) >>> 0, 0);
    return Buffer.concat([head, body, crc]);
  };
  return new Uint8Array(Buffer.concat([Buffer.from(SIGNATURE), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', new Uint8Array(0))]));
}
