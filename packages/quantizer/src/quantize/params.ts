import { Quantization } from '@tinyforge/ir';
import { quantizeMultiplier } from '@tinyforge/interpreter';
import { Range } from '../calibration/observers';

/** Narrowest range an activation gets, so a constant-zero tensor still has a usable (non-zero) scale. */
const MIN_RANGE = 1e-6;

/**
 * Asymmetric int8 parameters for a float range (TFLite's scheme): scale = (max − min) / 255, zero point chosen so
 * that min maps to −128, rounded and clamped, so 0.0 is exactly representable. Scales are float32 values, as the
 * flatbuffer stores them, so the graph in memory and the graph read back from a file compute the same.
 */
export function activationQuant(range: Range): Quantization {
  let min = Math.min(range.min, 0);
  let max = Math.max(range.max, 0);
  if (max - min < MIN_RANGE) {
    max = min + MIN_RANGE;
    if (min < 0) min = Math.min(min, -MIN_RANGE / 2);
  }
  const scale = Math.fround((max - min) / 255);
  const zeroPoint = Math.max(-128, Math.min(127, Math.round(-128 - min / scale)));
  return { scale: [scale], zeroPoint: [zeroPoint], axis: 0 };
}

/**
 * Symmetric int16 parameters for a float range (TFLite's 16x8 scheme): scale = max |range| / 32767, zero point 0.
 */
export function int16ActivationQuant(range: Range): Quantization {
  const maxAbs = Math.max(Math.abs(range.min), Math.abs(range.max), MIN_RANGE);
  return { scale: [Math.fround(maxAbs / 32767)], zeroPoint: [0], axis: 0 };
}

/**
 * A power-of-two int16 scale covering ±maxAbs (TFLite's LSTM cell state: 16 bits, symmetric, extended to a power of
 * two so that the integer LSTM's tanh can take it as a shift): 2^ceil(log2 maxAbs) / 2^15.
 */
export function powerOfTwoInt16Quant(maxAbs: number): Quantization {
  const power = Math.ceil(Math.log2(Math.max(maxAbs, MIN_RANGE)));
  return { scale: [2 ** (power - 15)], zeroPoint: [0], axis: 0 };
}

/** The float range a quantization covers on int8 (default) or int16. */
export function quantRange(q: Quantization, int16 = false): Range {
  const [lo, hi] = int16 ? [-32768, 32767] : [-128, 127];
  return { min: q.scale[0] * (lo - q.zeroPoint[0]), max: q.scale[0] * (hi - q.zeroPoint[0]) };
}

/**
 * Largest |quantized bias| allowed (up to 5e-4 more once agreeingWeightScale has moved the weight scale). A channel whose weights are tiny next to its bias (a dead filter) would otherwise
 * get a bias beyond int32 — saturated, so the bias is lost — or beyond 2^24, which runtimes that requantize in float32
 * (onnxruntime) cannot hold exactly. Such channels get a larger weight scale instead (as TFLite's converter does).
 */
export const MAX_QUANTIZED_BIAS = 2 ** 23;

/** Per channel, the smallest weight scale that keeps the quantized bias within ±MAX_QUANTIZED_BIAS. */
export function minWeightScales(bias: Float32Array, inputScale: number, perChannel: boolean): number[] {
  const mins = Array.from(bias, (b) => Math.abs(b) / (inputScale * MAX_QUANTIZED_BIAS));
  return perChannel ? mins : [Math.max(0, ...mins)];
}

/**
 * Symmetric int8 weights in [−127, 127], zero point 0: one scale per slice along `axis` (per channel), or one for
 * the whole tensor when `axis` is undefined; a scale is raised to `minScales` (per slice) where that is larger, then
 * passed through `adjust` (e.g. agreeingWeightScale).
 */
export function quantizeWeights(
  values: Float32Array,
  shape: readonly number[],
  axis: number | undefined,
  minScales?: readonly number[],
  adjust: (scale: number) => number = (x) => x,
): { data: Int8Array; quant: Quantization } {
  const channels = axis === undefined ? 1 : shape[axis];
  const inner = axis === undefined ? values.length : shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const channelOf = (i: number): number => (axis === undefined ? 0 : Math.floor(i / inner) % channels);
  const absMax = new Float64Array(channels);
  for (let i = 0; i < values.length; i++) absMax[channelOf(i)] = Math.max(absMax[channelOf(i)], Math.abs(values[i]));
  const scale = Array.from(absMax, (m, c) => Math.fround(adjust(Math.fround(Math.max(m > 0 ? m / 127 : 1, minScales?.[c] ?? 0)))));
  const data = new Int8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const q = Math.round(values[i] / scale[channelOf(i)]);
    data[i] = Math.max(-127, Math.min(127, q));
  }
  return { data, quant: { scale, zeroPoint: scale.map(() => 0), axis: axis ?? 0 } };
}

/** int32 bias at scale input × weight[c], zero point 0 (the accumulator's scale). */
export function quantizeBias(values: Float32Array, inputScale: number, weightScales: readonly number[]): { data: Int32Array; quant: Quantization } {
  const { scale, quant } = biasScales(values.length, inputScale, weightScales);
  const data = new Int32Array(values.length);
  for (let c = 0; c < values.length; c++) data[c] = Math.max(-2147483647, Math.min(2147483647, Math.round(values[c] / scale[c])));
  return { data, quant };
}

/** int64 bias at scale input × weight[c] (TFLite's 16x8 layers, whose accumulator is 64 bits). */
export function quantizeBias64(values: Float32Array, inputScale: number, weightScales: readonly number[]): { data: BigInt64Array; quant: Quantization } {
  const { scale, quant } = biasScales(values.length, inputScale, weightScales);
  const data = BigInt64Array.from(values, (v, c) => BigInt(Math.round(v / scale[c])));
  return { data, quant };
}

function biasScales(n: number, inputScale: number, weightScales: readonly number[]): { scale: number[]; quant: Quantization } {
  const scale = Array.from({ length: n }, (_, c) => Math.fround(inputScale * weightScales[weightScales.length > 1 ? c : 0]));
  const perAxis = weightScales.length > 1;
  return { scale, quant: { scale: perAxis ? scale : [scale[0]], zeroPoint: perAxis ? scale.map(() => 0) : [0], axis: 0 } };
}

/** Per-tensor int8 (asymmetric) or int16 (symmetric) for a constant operand (e.g. the second input of an Add). */
export function quantizeConstant(values: Float32Array, quant?: Quantization, int16 = false): { data: Int8Array | Int16Array; quant: Quantization } {
  let min = 0;
  let max = 0;
  for (const v of values) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const q = quant ?? (int16 ? int16ActivationQuant({ min, max }) : activationQuant({ min, max }));
  const [lo, hi] = int16 ? [-32768, 32767] : [-128, 127];
  const data = int16 ? new Int16Array(values.length) : new Int8Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = Math.max(lo, Math.min(hi, Math.round(values[i] / q.scale[0]) + q.zeroPoint[0]));
  return { data, quant: q };
}

/** How far (in float32 steps either way) agreeingWeightScale searches; a step is ~1.2e-7 relative. */
const MULTIPLIER_SEARCH_STEPS = 4096;

const floatBits = new Float32Array(1);
const intBits = new Int32Array(floatBits.buffer);

/** The float32 `steps` ulps away from positive float32 `x` (negative steps go down). */
function ulpsAway(x: number, steps: number): number {
  floatBits[0] = x;
  intBits[0] += steps;
  return floatBits[0];
}

/**
 * A float32 weight scale within a few thousand float32 steps of `scale` whose requantization multiplier
 * s_in·s_w/s_out is the same number in TFLite (double, rounded to its 31-bit fixed-point multiplier) and in
 * onnxruntime (float32: (s_in·s_w)/s_out). With one multiplier, the two runtimes can only differ in how they round;
 * otherwise a value a hair above a half can land exactly on it in float32 (seen on vww: 78.500004 → 78.5, then to
 * even). The scale moves by ~4e-6 relative (median; < 5e-4), so max |w| still quantizes to 127. Returns `scale` when no
 * such value is found nearby.
 */
export function agreeingWeightScale(inputScale: number, scale: number, outputScale: number): number {
  const sIn = Math.fround(inputScale);
  const sOut = Math.fround(outputScale);
  const start = Math.fround(scale);
  for (let k = 0; k <= 2 * MULTIPLIER_SEARCH_STEPS; k++) {
    const steps = k % 2 === 0 ? k / 2 : -(k + 1) / 2; // 0, −1, +1, −2, +2, …
    const sw = ulpsAway(start, steps);
    const exact = (sIn * sw) / sOut;
    const float32Multiplier = Math.fround(Math.fround(sIn * sw) / sOut);
    // Cheap necessary condition first (within half a 31-bit step), then TFLite's own conversion decides.
    if (Math.abs(exact - float32Multiplier) > float32Multiplier * 2 ** -31) continue;
    const { multiplier, shift } = quantizeMultiplier(exact);
    if (multiplier * Math.pow(2, shift - 31) === float32Multiplier) return sw;
  }
  return start;
}
