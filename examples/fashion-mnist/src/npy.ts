import { FashionMnist, imageAsFloat, IMAGE_HEIGHT, IMAGE_PIXELS, IMAGE_WIDTH } from './dataset';

/**
 * Minimal .npy (format 1.0) writer for the two arrays the quantizer's CLI reads: float32 images and uint8 labels.
 * Header: magic, version, little-endian header length, a Python dict literal padded with spaces to a multiple of 64
 * bytes (the format's alignment rule) and ending in a newline.
 */
export function encodeNpy(descr: '<f4' | '|u1', shape: readonly number[], data: Float32Array | Uint8Array): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new RangeError(`shape [${shape.join(', ')}] holds ${count} elements, the data has ${data.length}`);
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${dims}), }`;
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, ...Buffer.from('NUMPY'), 1, 0, header.length & 0xff, header.length >> 8]);
  out.set(Buffer.from(header, 'latin1'), 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}

/**
 * Samples [first, first + count) of a split as model inputs and labels: images float32 [count, 28, 28, 1] in
 * [0, 1] (the model's NHWC input), labels uint8 [count].
 */
export function splitToNpy(data: FashionMnist, first: number, count: number): { images: Uint8Array; labels: Uint8Array } {
  if (!Number.isInteger(first) || !Number.isInteger(count) || first < 0 || count < 1 || first + count > data.count) {
    throw new RangeError(`samples ${first}..${first + count - 1} are outside 0..${data.count - 1}`);
  }
  const pixels = new Float32Array(count * IMAGE_PIXELS);
  for (let i = 0; i < count; i++) imageAsFloat(data, first + i, pixels.subarray(i * IMAGE_PIXELS, (i + 1) * IMAGE_PIXELS));
  return {
    images: encodeNpy('<f4', [count, IMAGE_HEIGHT, IMAGE_WIDTH, 1], pixels),
    labels: encodeNpy('|u1', [count], data.labels.slice(first, first + count)),
  };
}
