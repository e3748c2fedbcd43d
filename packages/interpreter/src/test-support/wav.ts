import * as fs from 'fs';

/** The int16 samples of a 16-bit PCM mono .wav file (RIFF chunks walked to 'data'); throws on anything else. */
export function readWavSamples(file: string): Int16Array {
  const b = fs.readFileSync(file);
  if (b.toString('ascii', 0, 4) !== 'RIFF' || b.toString('ascii', 8, 12) !== 'WAVE') throw new Error(`${file}: not a RIFF/WAVE file`);
  let format: { channels: number; bits: number } | undefined;
  for (let p = 12; p + 8 <= b.length; ) {
    const id = b.toString('ascii', p, p + 4);
    const size = b.readUInt32LE(p + 4);
    if (p + 8 + size > b.length) throw new Error(`${file}: chunk '${id}' at byte ${p} runs past the end`);
    if (id === 'fmt ') format = { channels: b.readUInt16LE(p + 10), bits: b.readUInt16LE(p + 22) };
    if (id === 'data') {
      if (format === undefined || format.channels !== 1 || format.bits !== 16) throw new Error(`${file}: not 16-bit mono PCM`);
      return Int16Array.from({ length: size >> 1 }, (_, i) => b.readInt16LE(p + 8 + 2 * i));
    }
    p += 8 + size + (size & 1);
  }
  throw new Error(`${file}: no data chunk`);
}
