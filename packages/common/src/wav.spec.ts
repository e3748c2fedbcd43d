import { FileError } from './system-errors';
import { parseWavPcm16 } from './wav';

/** A .wav file from parts: a fmt chunk (format, channels, rate, bits), optional extra chunks, then data. */
function wav(samples: number[], fmt = { format: 1, channels: 1, rate: 16000, bits: 16 }, extra: Uint8Array = new Uint8Array(0)): Uint8Array {
  const data = new Uint8Array(new Int16Array(samples).buffer);
  const out = new Uint8Array(12 + 24 + extra.length + 8 + data.length);
  const v = new DataView(out.buffer);
  const put = (at: number, s: string) => s.split('').forEach((c, i) => (out[at + i] = c.charCodeAt(0)));
  put(0, 'RIFF');
  v.setUint32(4, out.length - 8, true);
  put(8, 'WAVE');
  put(12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, fmt.format, true);
  v.setUint16(22, fmt.channels, true);
  v.setUint32(24, fmt.rate, true);
  v.setUint16(34, fmt.bits, true);
  out.set(extra, 36);
  put(36 + extra.length, 'data');
  v.setUint32(40 + extra.length, data.length, true);
  out.set(data, 44 + extra.length);
  return out;
}

describe('parseWavPcm16', () => {
  it('reads the samples and rate, skipping unknown chunks (odd sizes padded)', () => {
    expect(parseWavPcm16(wav([1, -2, 32767, -32768]), 'a.wav')).toEqual({ sampleRate: 16000, samples: Int16Array.from([1, -2, 32767, -32768]) });
    const list = new Uint8Array([0x4c, 0x49, 0x53, 0x54, 3, 0, 0, 0, 7, 7, 7, 0]);
    expect(Array.from(parseWavPcm16(wav([5, 6], undefined, list), 'b.wav').samples)).toEqual([5, 6]);
  });

  it('refuses stereo, 8-bit, float, truncated and non-RIFF files with a FILE_READ error naming the file', () => {
    const bad = [
      wav([1, 2], { format: 1, channels: 2, rate: 16000, bits: 16 }),
      wav([1, 2], { format: 1, channels: 1, rate: 16000, bits: 8 }),
      wav([1, 2], { format: 3, channels: 1, rate: 16000, bits: 16 }),
      wav([1, 2, 3]).slice(0, 46),
      new Uint8Array(40),
    ];
    for (const bytes of bad) {
      expect(() => parseWavPcm16(bytes, 'x.wav')).toThrow(FileError);
      expect(() => parseWavPcm16(bytes, 'x.wav')).toThrow(/^x\.wav is not a 16-bit PCM mono \.wav file: /);
    }
  });
});
