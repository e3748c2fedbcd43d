/**
 * Seeded mutations of model bytes for fuzzing readers. The same (bytes, seed) always gives the same mutant, so a
 * failure found by a long run (`npm run fuzz`) can be replayed from its seed alone.
 */
import { seededUniform } from '@tinyforge/ir';

export type MutationKind = 'bitflip' | 'byteset' | 'truncate' | 'word' | 'length' | 'splice';

export interface Mutant {
  bytes: Uint8Array;
  /** What was done, e.g. "word@1234=0x7fffffff; bitflip@17.3", for replay reports. */
  description: string;
}

const INTERESTING_WORDS = [0x7fffffff, 0xffffffff, 0x80000000, 0xfffffffc, 0x00010000, 0x0000ffff, 0, 1, 4];

/**
 * Apply 1–4 seeded mutations. Positions favour the start and the end of the file, where flatbuffer writers put
 * the root table, vtables and vectors of offsets (the middle is mostly weight data, where flips only change
 * values).
 */
export function mutateBytes(input: Uint8Array, seed: number): Mutant {
  const rnd = seededUniform(seed);
  const int = (n: number): number => Math.floor(rnd() * n);
  let bytes = input.slice();
  const done: string[] = [];
  const position = (len: number): number => {
    if (len <= 0) return 0;
    const r = rnd();
    if (r < 0.35) return int(Math.min(len, 2048));
    if (r < 0.7) return len - 1 - int(Math.min(len, 16384));
    return int(len);
  };
  const writeWord = (at: number, v: number): void => {
    if (at < 0 || at + 4 > bytes.length) return;
    new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setUint32(at, v >>> 0, true);
  };

  const count = 1 + int(4);
  for (let m = 0; m < count && bytes.length > 0; m++) {
    const kinds: MutationKind[] = ['bitflip', 'byteset', 'truncate', 'word', 'length', 'splice'];
    const kind = kinds[int(kinds.length)];
    switch (kind) {
      case 'bitflip': {
        const at = position(bytes.length);
        const bit = int(8);
        bytes[at] ^= 1 << bit;
        done.push(`bitflip@${at}.${bit}`);
        break;
      }
      case 'byteset': {
        const at = position(bytes.length);
        const v = [0, 0xff, 0x7f, 0x80][int(5)] ?? int(256);
        bytes[at] = v;
        done.push(`byteset@${at}=${v}`);
        break;
      }
      case 'truncate': {
        const len = rnd() < 0.5 ? int(bytes.length) : bytes.length - 1 - int(Math.min(bytes.length, 64));
        bytes = bytes.slice(0, Math.max(len, 0));
        done.push(`truncate@${len}`);
        break;
      }
      case 'word': {
        // Offset corruption: an aligned word (offsets, lengths, indices) set to a large, negative or small value.
        const at = position(bytes.length) & ~3;
        const v = rnd() < 0.7 ? INTERESTING_WORDS[int(INTERESTING_WORDS.length)] : int(2 ** 32);
        writeWord(at, v);
        done.push(`word@${at}=0x${(v >>> 0).toString(16)}`);
        break;
      }
      case 'length': {
        // A vector length (or offset) grown just past the end of the file, or slightly off.
        const at = position(bytes.length) & ~3;
        const v = rnd() < 0.5 ? bytes.length + int(64) : int(64) - 8;
        writeWord(at, v);
        done.push(`length@${at}=${v}`);
        break;
      }
      case 'splice': {
        // Copy a run of bytes over another place: plausible-looking but misplaced structure.
        const len = 1 + int(32);
        const from = position(bytes.length);
        const to = position(bytes.length);
        bytes.copyWithin(to, from, Math.min(from + len, bytes.length));
        done.push(`splice@${from}->${to}+${len}`);
        break;
      }
    }
  }
  return { bytes, description: done.join('; ') };
}
