/**
 * Consistent Overhead Byte Stuffing: removes every 0x00 from a frame so that 0x00 can delimit frames on the wire.
 * Each block is a code byte n (1..255) followed by n-1 data bytes; n < 255 means a zero followed the block.
 */
export function cobsEncode(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length + Math.ceil(data.length / 254) + 1);
  let codeAt = 0;
  let o = 1;
  let code = 1;
  for (const byte of data) {
    if (byte === 0) {
      out[codeAt] = code;
      codeAt = o++;
      code = 1;
      continue;
    }
    out[o++] = byte;
    code++;
    if (code === 0xff) {
      out[codeAt] = code;
      codeAt = o++;
      code = 1;
    }
  }
  out[codeAt] = code;
  return out.subarray(0, o);
}

/** The original bytes, or undefined when `data` is not valid COBS (a zero inside, or a block running past the end). */
export function cobsDecode(data: Uint8Array): Uint8Array | undefined {
  const out = new Uint8Array(data.length);
  let o = 0;
  let i = 0;
  while (i < data.length) {
    const code = data[i++];
    if (code === 0) return undefined;
    const blockEnd = i + code - 1;
    if (blockEnd > data.length) return undefined;
    for (; i < blockEnd; i++) {
      if (data[i] === 0) return undefined;
      out[o++] = data[i];
    }
    // A short block stands for a zero, except at the very end where it only terminates.
    if (code < 0xff && i < data.length) out[o++] = 0;
  }
  return out.subarray(0, o);
}
