/**
 * Fully connected filters with interleaved rows (tfg_fc_params.interleaved, layout in include/tfg_nn.h), at generation
 * time: the same bytes, reordered so that the DSP path loads 4 weights of each of 4 rows with one LDM, and the bias
 * folded with the input offset so that the kernel may read the int8 input as it is (deep layers, no scratch). Taken
 * where the kernel's assembly runs the layer: per-tensor requantization with a right shift of 2..31, symmetric
 * weights, a depth that is a multiple of 4, at least 4 rows and a bias (folding within int32).
 */
import type { FullyConnectedCall } from './families/fully-connected';
import { withBiasFolded } from './families/conv';
import { HEADER_CONSTANTS } from './families/header-constants';

const { fcGroupRows } = HEADER_CONSTANTS;

/** The [channels, depth] weights in the interleaved layout: groups of fcGroupRows rows per 4 depth values, then the rest. */
export function interleaveRows(weights: Int8Array, channels: number, depth: number): Int8Array {
  const out = Int8Array.from(weights);
  const grouped = Math.floor(channels / fcGroupRows) * fcGroupRows;
  for (let c = 0; c < grouped; c++) {
    for (let k = 0; k < depth; k++) {
      const at = Math.floor(c / fcGroupRows) * fcGroupRows * depth + Math.floor(k / 4) * 4 * fcGroupRows + (c % fcGroupRows) * 4 + (k % 4);
      out[at] = weights[c * depth + k];
    }
  }
  return out;
}

/** Why the interleaved layout does not take a call, or undefined when it does. */
export function interleaveDeclined(call: FullyConnectedCall): string | undefined {
  if (call.kernel !== 'tfg_fully_connected_s8') return 'per-channel requantization';
  if (call.filterOffset !== 0) return 'a weight zero point';
  if (call.depth % 4 !== 0) return `depth ${call.depth} is not a multiple of 4`;
  if (call.channels < fcGroupRows) return `fewer than ${fcGroupRows} rows`;
  if (call.shifts[0] > -2 || call.shifts[0] < -31) return `shift ${call.shifts[0]} (the assembly needs -31..-2)`;
  // The input offset goes into the bias; a layer without one keeps its flash (and its row-major filter).
  if (call.bias === undefined) return 'no bias to fold the input offset into';
  return undefined;
}

/** The call with interleaved rows and a folded bias where the DSP assembly takes it; every other call unchanged. */
export function withInterleavedRows<C extends { kernel: string }>(call: C): C {
  if (call.kernel !== 'tfg_fully_connected_s8') return call;
  const fc = call as unknown as FullyConnectedCall;
  if (fc.interleaved || interleaveDeclined(fc) !== undefined) return call;
  const folded = withBiasFolded(fc, fc.channels, fc.depth, 1, fc.depth);
  if (folded === undefined) return call;
  return { ...folded, weights: interleaveRows(fc.weights, fc.channels, fc.depth), interleaved: true } as unknown as C;
}

/** Whether a call has interleaved rows. */
export const hasInterleavedRows = (call: { kernel: string }): boolean => (call as { interleaved?: boolean }).interleaved === true;
