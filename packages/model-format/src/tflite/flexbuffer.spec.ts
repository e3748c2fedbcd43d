import { encode } from 'flatbuffers/js/flexbuffers';
import { ModelFormatError } from '../errors';
import { readFlexbufferMap } from './flexbuffer';

// Fixtures from the flatbuffers package's own FlexBuffers encoder: an independent writer of the format.
const read = (bytes: Uint8Array) => readFlexbufferMap(bytes, { file: 'm.tflite', offset: 40, what: 'operator 3 custom options' });

describe('readFlexbufferMap (TFLite custom operator options)', () => {
  it('reads integers of every width, booleans, floats and int vectors by key', () => {
    const options = { shift: 12, fft_length: 512, big: 70000, neg: -5, clamping: false, on: true, f: 1.5, pair: [3, -4], v: [1, 2, 300], w: [1, 2, 3, 4, 5] };
    expect(read(new Uint8Array(encode(options)))).toEqual(options);
    expect(read(new Uint8Array(encode({ huge: 2 ** 40, small: -1 })))).toEqual({ huge: 2 ** 40, small: -1 });
  });

  it('reads an empty map', () => {
    expect(read(new Uint8Array(encode({})))).toEqual({});
  });

  it('every truncation and a flipped root type is a typed FORMAT_MALFORMED error naming the operator', () => {
    const bytes = new Uint8Array(encode({ alternate_smoothing: 983, clamping: false, num_channels: 40, smoothing_bits: 10, v: [1, 2, 3] }));
    for (let cut = 0; cut < bytes.length; cut++) {
      const part = bytes.slice(0, cut);
      try {
        read(part);
      } catch (e) {
        expect(e).toBeInstanceOf(ModelFormatError);
        expect((e as ModelFormatError).code).toBe('FORMAT_MALFORMED');
        expect((e as Error).message).toMatch(/^m\.tflite, byte 40: operator 3 custom options: /);
      }
    }
    const flipped = bytes.slice();
    flipped[flipped.length - 2] = 1 << 2; // an INT root, not a map
    expect(() => read(flipped)).toThrow(/not a map/);
  });
});
