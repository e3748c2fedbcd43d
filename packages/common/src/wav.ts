import { FileError } from './system-errors';

/** A 16-bit PCM mono .wav file's sample rate and samples. */
export interface WavPcm16 {
  sampleRate: number;
  samples: Int16Array;
}

/**
 * Parse a RIFF/WAVE file of 16-bit PCM mono samples (the audio front end's input): chunks are walked to 'fmt ' and
 * 'data', any other chunk skipped. Anything else is a FILE_READ error naming the file and what it holds instead.
 */
export function parseWavPcm16(bytes: Uint8Array, path: string): WavPcm16 {
  const fail = (why: string): never => {
    throw new FileError('FILE_READ', path, `${path} is not a 16-bit PCM mono .wav file: ${why}`);
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number): string => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (bytes.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') fail('no RIFF/WAVE header');
  let format: { audioFormat: number; channels: number; sampleRate: number; bits: number } | undefined;
  for (let at = 12; at + 8 <= bytes.length; ) {
    const id = tag(at);
    const size = view.getUint32(at + 4, true);
    if (size > bytes.length - at - 8) fail(`chunk '${id}' at byte ${at} claims ${size} bytes, past the end`);
    if (id === 'fmt ') {
      if (size < 16) fail(`a 'fmt ' chunk of ${size} bytes`);
      format = { audioFormat: view.getUint16(at + 8, true), channels: view.getUint16(at + 10, true), sampleRate: view.getUint32(at + 12, true), bits: view.getUint16(at + 22, true) };
    } else if (id === 'data') {
      if (format === undefined) fail("'data' before 'fmt '");
      const f = format!;
      if (f.audioFormat !== 1 || f.channels !== 1 || f.bits !== 16) fail(`format ${f.audioFormat}, ${f.channels} channel(s), ${f.bits}-bit`);
      const samples = new Int16Array(size >> 1);
      for (let i = 0; i < samples.length; i++) samples[i] = view.getInt16(at + 8 + 2 * i, true);
      return { sampleRate: f.sampleRate, samples };
    }
    at += 8 + size + (size & 1);
  }
  return fail('no data chunk');
}
