/**
 * Packs a convolution's filter for tfg_convolve_packed_s8 (layout in include/tfg_nn.h), at generation time:
 * weights doubled and widened to int16 pairs in the order the kernel's inner loop reads them, with each channel's
 * requantization folded into (e, M, K). The packing is exact only under conditions checked here; when one fails
 * the layer keeps its int8 filter and tfg_convolve_wrapper_s8, and `declined` says why.
 */
import { multiplyByQuantizedMultiplier } from '@tinyforge/interpreter';
import { ConvCall, packedDepth, packedFilterWords, packedPairWords, prefersFirstLayerPath } from './families/conv';

export type PackedConvFilter = { words: Int32Array } | { declined: string };

const INT32_LIMIT = 2 ** 31;

const int16Pair = (lo: number, hi: number): number => ((lo & 0xffff) | (hi << 16)) | 0;

export function packConvFilter(call: ConvCall): PackedConvFilter {
  const channels = call.filter.n;
  const depth = call.filter.h * call.filter.w * call.filter.c;
  const depth8 = packedDepth(call);
  if (call.weights.length !== channels * depth) return { declined: `filter holds ${call.weights.length} values, not ${channels} x ${depth}` };
  const words = new Int32Array(packedFilterWords(call));
  const pairWords = packedPairWords(call);
  const zeroPoint = call.outputOffset;
  for (let c = 0; c < channels; c++) {
    const base = Math.floor(c / 2) * pairWords;
    const side = c % 2;
    const tail = base + 4 + depth8;
    const m = call.multipliers[c];
    const shift = call.shifts[c];
    const bias = call.bias?.[c] ?? 0;
    let sumAbs = 0;
    for (let k = 0; k < depth; k++) sumAbs += Math.abs(call.weights[c * depth + k]);
    if (sumAbs === 0) {
      // A dead channel (all-zero weights; calibration leaves many, often with a saturated bias): its output is the
      // constant TFLite computes from the bias, stored as K = 2 * value with e = 1, M = 0 and nothing to add.
      const value = Math.max(-128, Math.min(127, multiplyByQuantizedMultiplier(bias, m, shift) + zeroPoint));
      words[tail + side] = 1;
      words[tail + 4 + side] = 2 * value;
      continue;
    }
    if (m < 0) return { declined: `channel ${c}: negative multiplier ${m} (a negative scale)` };
    if (m !== 0 && (shift > -1 || shift < -31)) return { declined: `channel ${c}: shift ${shift} (the packed kernel needs -31..-1)` };
    const e = m === 0 ? 1 : -shift;
    // |input + input_offset| <= 255: the accumulator's bound, doubled in the kernel.
    const accBound = Math.abs(bias) + 255 * sumAbs;
    const k = 2 ** (e - 1) + zeroPoint * 2 ** e;
    if (2 * accBound >= INT32_LIMIT) return { declined: `channel ${c}: the doubled accumulator can leave int32 (bound ${accBound})` };
    if (Math.abs(k) + accBound + 2 >= INT32_LIMIT) return { declined: `channel ${c}: the folded output offset leaves int32` };

    words[base + side] = 2 * bias;
    words[base + 2 + side] = 2 * bias;
    const w = (j: number): number => (j < depth ? 2 * call.weights[c * depth + j] : 0);
    for (let s = 0; s < depth8 / 4; s++) {
      const at = base + 4 + 4 * s + 2 * side;
      words[at] = int16Pair(w(4 * s), w(4 * s + 2));
      words[at + 1] = int16Pair(w(4 * s + 1), w(4 * s + 3));
    }
    words[tail + side] = e;
    words[tail + 2 + side] = m;
    words[tail + 4 + side] = k;
  }
  // An odd last channel's partner: zero weights and bias, multiplier 0, e = 1 (its results are never stored).
  if (channels % 2 === 1) words[Math.floor(channels / 2) * pairWords + 4 + depth8 + 1] = 1;
  return { words };
}

/**
 * The kernel's requantization of one (undoubled) accumulator with a packed channel's constants, in exact integer
 * arithmetic: ((K - [acc < 0]) * 2^32 + 2 * acc * M + 2^31) >> 32 >> e, saturated. For tests against TFLite's.
 */
export function requantizeFolded(acc: number, e: number, m: number, k: number): number {
  const t = (BigInt(k - (acc < 0 ? 1 : 0)) << 32n) + BigInt(2 * acc) * BigInt(m) + (1n << 31n);
  const v = Number(BigInt.asIntN(32, t >> 32n)) >> e;
  return Math.max(-128, Math.min(127, v));
}

/**
 * The call turned into a tfg_convolve_packed_s8 call with its packed filter, where that kernel takes the layer and
 * the DSP first-layer path is not the better choice; every other call unchanged. For targets where
 * packedConvPreferred holds.
 */
export function withPackedFilter<C extends { kernel: string }>(call: C): C {
  if (call.kernel !== 'tfg_convolve_wrapper_s8') return call;
  const conv = call as unknown as ConvCall;
  if (prefersFirstLayerPath(conv)) return call;
  const packed = packConvFilter(conv);
  return 'words' in packed ? { ...call, kernel: 'tfg_convolve_packed_s8', packedFilter: packed.words } : call;
}

/**
 * Instructions a packed filter saves over the int8 filter on a DSP core (Cortex-M4, whole layer): the MACs times
 * 0.35 + 10 / depth per MAC, plus 0.4 per MAC where the input channels are not a multiple of 4 (the int8 path then
 * gathers its im2col rows byte by byte). Fitted to `npm run bench -- kernels` on qemu-m4 with and without
 * --int8-filters: the MLPerf layers' measured savings per MAC are 0.42-0.51 (1x1, depth 64-256) .. 1.52 (depth 8),
 * 0.35-0.42 (3x3, depth 144-576), 1.02 (kws' 10x4 first layer); the fit is within 0.08 per MAC of each.
 */
export function packedFilterGain(call: ConvCall): number {
  const depth = call.filter.h * call.filter.w * call.filter.c;
  const macs = call.outputDims.n * call.outputDims.h * call.outputDims.w * call.outputDims.c * depth;
  return Math.round(macs * (0.35 + 10 / depth + (call.input.c % 4 !== 0 ? 0.4 : 0)));
}

/** Bytes of a call's filter constants: the int8 filter with bias and requantization, or the packed filter. */
export function filterConstantBytes(call: ConvCall): number {
  if (call.packedFilter !== undefined) return call.packedFilter.length * 4;
  return call.weights.length + 4 * ((call.bias?.length ?? 0) + call.multipliers.length + call.shifts.length);
}

/** Why a layer has its packed filter or keeps the int8 one (the code generator's plan reports it). */
export interface PackingChoice {
  packed: boolean;
  reason: string;
  /** Estimated instructions the packed filter saves (packedFilterGain), where the layer could take one. */
  gain?: number;
  /** Flash the packed filter adds over the int8 constants. */
  extraBytes?: number;
}

/**
 * The default floor of a packed filter's gain: a KiB of extra flash must save at least this share of the model's
 * MACs in instructions per inference (1.2 %: about 1 % of what the int8 build runs). On the MLPerf Tiny models it packs
 * the layers whose filters are small for their work (kws: all five convolutions; vww: the 1x1 layers up to 64
 * channels; ic: the three 16-channel 3x3 layers) and keeps the int8 filter where a packed one would cost tens of KiB
 * for a few percent (vww's 128-256 channel layers), so the default build stays near the int8 flash.
 */
export const PACKING_GAIN_SHARE_PER_KIB = 0.012;

/** Instructions per extra byte a packed filter must save by default, for a model of `macs` MACs. */
export const packingGainFloor = (macs: number): number => (PACKING_GAIN_SHARE_PER_KIB * macs) / 1024;

/**
 * Packed filters chosen layer by layer under a flash budget (bytes for the model's constants; `int8Bytes` is what
 * they take with every filter int8): candidates by estimated instructions saved per extra byte, best first, while
 * the total stays within the budget and each saves at least `minGainPerByte` per byte (the default build's floor,
 * packingGainFloor; 0 under an explicit budget). Returns the calls to generate and each one's choice (undefined for
 * layers that are not convolutions).
 */
export function choosePackedFilters<C extends { kernel: string }>(calls: C[], int8Bytes: number, budget: number, minGainPerByte = 0): { calls: C[]; choices: (PackingChoice | undefined)[] } {
  const choices: (PackingChoice | undefined)[] = calls.map(() => undefined);
  const candidates: { index: number; packed: C; gain: number; extraBytes: number }[] = [];
  calls.forEach((call, index) => {
    if (call.kernel !== 'tfg_convolve_wrapper_s8') return;
    const conv = call as unknown as ConvCall;
    if (prefersFirstLayerPath(conv)) {
      choices[index] = { packed: false, reason: 'int8: the DSP first-layer convolution is faster for this layer' };
      return;
    }
    const packed = packConvFilter(conv);
    if ('declined' in packed) {
      choices[index] = { packed: false, reason: `int8: the packed kernel does not take it (${packed.declined})` };
      return;
    }
    const withPacked = { ...call, kernel: 'tfg_convolve_packed_s8', packedFilter: packed.words } as C;
    const gain = packedFilterGain(conv);
    const extraBytes = filterConstantBytes(withPacked as unknown as ConvCall) - filterConstantBytes(conv);
    candidates.push({ index, packed: withPacked, gain, extraBytes });
  });
  candidates.sort((a, b) => b.gain / Math.max(b.extraBytes, 1) - a.gain / Math.max(a.extraBytes, 1) || a.index - b.index);
  const chosen = [...calls];
  let total = int8Bytes;
  for (const c of candidates) {
    const perByte = c.gain / Math.max(c.extraBytes, 1);
    const figures = { gain: c.gain, extraBytes: c.extraBytes };
    const saves = `saves ~${c.gain} instructions for ${c.extraBytes} more bytes (${perByte.toFixed(1)}/byte)`;
    if (perByte < minGainPerByte) {
      choices[c.index] = { packed: false, reason: `int8: a packed filter ${saves}, under the default floor of ${minGainPerByte.toFixed(1)}/byte`, ...figures };
    } else if (total + c.extraBytes <= budget) {
      total += c.extraBytes;
      chosen[c.index] = c.packed;
      choices[c.index] = { packed: true, reason: `packed: ${saves}`, ...figures };
    } else {
      choices[c.index] = { packed: false, reason: `int8: ${c.extraBytes} more bytes (${perByte.toFixed(1)} instructions/byte) would pass the flash budget of ${budget} bytes`, ...figures };
    }
  }
  return { calls: chosen, choices };
}

/**
 * The one decision whether a target's convolutions use packed filters: cores with the DSP extension and without
 * Helium (M4, M7, M33), where tfg_convolve_packed_s8 is the fastest convolution. The code generator emits the
 * chosen variant only; tfg_nn.h stops a build of packed filters for any other core (TFG_NN_PACKED_FILTERS).
 */
export const packedConvPreferred = (core: { dsp: boolean; mve: boolean }): boolean => core.dsp && !core.mve;

/** Whether a call uses a packed filter (withPackedFilter took it). */
export const hasPackedFilter = (call: { kernel: string }): call is ConvCall & { packedFilter: Int32Array } =>
  call.kernel === 'tfg_convolve_packed_s8' && (call as ConvCall).packedFilter !== undefined;
