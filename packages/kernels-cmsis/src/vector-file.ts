/**
 * Serializes a kernel call plus its activation inputs into the vector format the C test driver
 * (test/host/tfg_vector_driver.c, test/common/tfg_vector.c) reads: "TFGV", int32 op, int32 count + parameters,
 * int32 blob count, then each blob as int32 length + bytes padded to 4. Each family gives its op code and the
 * parameter order, which the C runner must match.
 */
import { KernelCall, familyForCall } from './families/registry';

export function encodeVectorFile(call: KernelCall, inputs: Int8Array[]): Uint8Array {
  const family = familyForCall(call);
  const { ints, blobs } = family.vector(call, inputs);
  const op = (family.kernels as Record<string, number>)[call.kernel];
  const padded = (n: number): number => (n + 3) & ~3;
  const size = 16 + 4 * ints.length + blobs.reduce((s, b) => s + 4 + padded(b.byteLength), 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out.set([0x54, 0x46, 0x47, 0x56], 0); // "TFGV"
  let pos = 4;
  const put = (v: number): void => {
    view.setInt32(pos, v, true);
    pos += 4;
  };
  put(op);
  put(ints.length);
  ints.forEach(put);
  put(blobs.length);
  for (const b of blobs) {
    put(b.byteLength);
    out.set(b, pos);
    pos += padded(b.byteLength);
  }
  return out;
}
