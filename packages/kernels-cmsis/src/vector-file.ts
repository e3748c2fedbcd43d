/**
 * Serializes a kernel call plus its activation inputs into the vector format the C test driver
 * (test/host/tfg_vector_driver.c) reads: "TFGV", int32 op, int32 count + parameters, int32 blob count, then each
 * blob as int32 length + bytes padded to 4. The parameter order here and in the driver must match.
 */
import { Dims4, KernelCall } from './kernel-call';

const OP_CODES: Record<KernelCall['kernel'], number> = {
  tfg_convolve_wrapper_s8: 1,
  tfg_depthwise_conv_s8: 2,
  tfg_fully_connected_s8: 3,
  tfg_fully_connected_per_channel_s8: 3,
  tfg_avgpool_s8: 4,
  tfg_maxpool_s8: 5,
  tfg_elementwise_add_s8: 6,
  tfg_elementwise_mul_s8: 7,
  tfg_softmax_s8: 8,
  tfg_reshape_s8: 9,
  tfg_lut_s8: 10,
  tfg_quantize_f32_s8: 11,
  tfg_dequantize_s8_f32: 12,
  tfg_pad_s8: 13,
  tfg_transpose_s8: 14,
  tfg_concatenation_s8: 15,
  tfg_mean_s8: 16,
};

/** A float32's bit pattern as an int32 parameter (the C side reads it back with memcpy). */
const floatBits = (f: number): number => new Int32Array(Float32Array.of(f).buffer)[0];

const dims = (d: Dims4): number[] => [d.n, d.h, d.w, d.c];
const bytes = (a: Int8Array | Int32Array | undefined): Uint8Array =>
  a === undefined ? new Uint8Array(0) : new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

function parametersAndBlobs(call: KernelCall, inputs: Int8Array[]): { ints: number[]; blobs: Uint8Array[] } {
  switch (call.kernel) {
    case 'tfg_convolve_wrapper_s8':
    case 'tfg_depthwise_conv_s8': {
      const ints = [
        ...dims(call.input),
        ...dims(call.filter),
        ...dims(call.outputDims),
        call.inputOffset,
        call.outputOffset,
        call.stride.h,
        call.stride.w,
        call.padding.h,
        call.padding.w,
        call.dilation.h,
        call.dilation.w,
        call.activation.min,
        call.activation.max,
      ];
      const blobs = [bytes(inputs[0]), bytes(call.weights), bytes(call.bias), bytes(call.multipliers), bytes(call.shifts)];
      if (call.kernel === 'tfg_depthwise_conv_s8') ints.push(call.channelMultiplier);
      // A sixth blob, when present and not empty, makes the driver call tfg_convolve_packed_s8 with it.
      else if (call.packedFilter !== undefined) blobs.push(bytes(call.packedFilter));
      return { ints, blobs };
    }
    case 'tfg_fully_connected_s8':
    case 'tfg_fully_connected_per_channel_s8':
      return {
        ints: [
          call.batches,
          call.depth,
          call.channels,
          call.inputOffset,
          call.filterOffset,
          call.outputOffset,
          call.activation.min,
          call.activation.max,
          call.kernel === 'tfg_fully_connected_per_channel_s8' ? 1 : 0,
        ],
        blobs: [bytes(inputs[0]), bytes(call.weights), bytes(call.bias), bytes(call.multipliers), bytes(call.shifts)],
      };
    case 'tfg_avgpool_s8':
    case 'tfg_maxpool_s8':
      return {
        ints: [
          ...dims(call.input),
          call.filter.h,
          call.filter.w,
          ...dims(call.outputDims),
          call.stride.h,
          call.stride.w,
          call.padding.h,
          call.padding.w,
          call.activation.min,
          call.activation.max,
        ],
        blobs: [bytes(inputs[0])],
      };
    case 'tfg_elementwise_add_s8':
      return {
        ints: [
          ...dims(call.input1),
          ...dims(call.input2),
          ...dims(call.outputDims),
          call.input1Offset,
          call.input1Multiplier,
          call.input1Shift,
          call.input2Offset,
          call.input2Multiplier,
          call.input2Shift,
          call.leftShift,
          call.outputOffset,
          call.outputMultiplier,
          call.outputShift,
          call.activation.min,
          call.activation.max,
        ],
        blobs: [bytes(inputs[0]), bytes(inputs[1])],
      };
    case 'tfg_elementwise_mul_s8':
      return {
        ints: [
          ...dims(call.input1),
          ...dims(call.input2),
          ...dims(call.outputDims),
          call.input1Offset,
          call.input2Offset,
          call.outputOffset,
          call.outputMultiplier,
          call.outputShift,
          call.activation.min,
          call.activation.max,
        ],
        blobs: [bytes(inputs[0]), bytes(inputs[1])],
      };
    case 'tfg_softmax_s8':
      return { ints: [call.rows, call.rowSize, call.inputMultiplier, call.inputLeftShift, call.diffMin], blobs: [bytes(inputs[0])] };
    case 'tfg_reshape_s8':
      return { ints: [call.size], blobs: [bytes(inputs[0])] };
    case 'tfg_lut_s8':
      return { ints: [call.size], blobs: [bytes(inputs[0]), bytes(call.table)] };
    case 'tfg_quantize_f32_s8':
    case 'tfg_dequantize_s8_f32':
      return { ints: [call.size, floatBits(call.scale), call.zeroPoint], blobs: [bytes(inputs[0])] };
    case 'tfg_pad_s8':
      return { ints: [...dims(call.input), ...dims(call.padBefore), ...dims(call.outputDims), call.fill], blobs: [bytes(inputs[0])] };
    case 'tfg_transpose_s8':
      return { ints: [...dims(call.input), ...call.perm], blobs: [bytes(inputs[0])] };
    case 'tfg_concatenation_s8':
      return {
        ints: [
          call.parts.length,
          call.outer,
          call.outputOffset,
          ...call.parts.flatMap((p) => [p.row, p.requantize ? 1 : 0, floatBits(p.scale), floatBits(p.bias)]),
        ],
        blobs: inputs.map(bytes),
      };
    case 'tfg_mean_s8':
      return {
        ints: [...dims(call.input), call.axesMask, call.inputOffset, call.outputOffset, call.multiplier, call.shift],
        blobs: [bytes(inputs[0])],
      };
  }
}

export function encodeVectorFile(call: KernelCall, inputs: Int8Array[]): Uint8Array {
  const { ints, blobs } = parametersAndBlobs(call, inputs);
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
  put(OP_CODES[call.kernel]);
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
