import { Quantization } from '@tinyforge/ir';
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

/** The float range an int8 quantization covers. */
export function quantRange(q: Quantization): Range {
  return { min: q.scale[0] * (-128 - q.zeroPoint[0]), max: q.scale[0] * (127 - q.zeroPoint[0]) };
}

/**
 * Largest |quantized bias| allowed. A channel whose weights are tiny next to its bias (a dead filter) would otherwise
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
 * the whole tensor when `axis` is undefined; a scale is raised to `minScales` (per slice) where that is larger.
 */
export function quantizeWeights(values: Float32Array, shape: readonly number[], axis: number | undefined, minScales?: readonly number[]): { data: Int8Array; quant: Quantization } {
  const channels = axis === undefined ? 1 : shape[axis];
  const inner = axis === undefined ? values.length : shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const channelOf = (i: number): number => (axis === undefined ? 0 : Math.floor(i / inner) % channels);
  const absMax = new Float64Array(channels);
  for (let i = 0; i < values.length; i++) absMax[channelOf(i)] = Math.max(absMax[channelOf(i)], Math.abs(values[i]));
  const scale = Array.from(absMax, (m, c) => Math.fround(Math.max(m > 0 ? m / 127 : 1, minScales?.[c] ?? 0)));
  const data = new Int8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const q = Math.round(values[i] / scale[channelOf(i)]);
    data[i] = Math.max(-127, Math.min(127, q));
  }
  return { data, quant: { scale, zeroPoint: scale.map(() => 0), axis: axis ?? 0 } };
}

/** int32 bias at scale input × weight[c], zero point 0 (the accumulator's scale). */
export function quantizeBias(values: Float32Array, inputScale: number, weightScales: readonly number[]): { data: Int32Array; quant: Quantization } {
  const scale = Array.from(values, (_, c) => Math.fround(inputScale * weightScales[weightScales.length > 1 ? c : 0]));
  const data = new Int32Array(values.length);
  for (let c = 0; c < values.length; c++) data[c] = Math.max(-2147483647, Math.min(2147483647, Math.round(values[c] / scale[c])));
  const perAxis = weightScales.length > 1;
  return { data, quant: { scale: perAxis ? scale : [scale[0]], zeroPoint: perAxis ? scale.map(() => 0) : [0], axis: 0 } };
}

/** Asymmetric per-tensor int8 for a constant operand (e.g. the second input of an Add). */
export function quantizeConstant(values: Float32Array, quant?: Quantization): { data: Int8Array; quant: Quantization } {
  let min = 0;
  let max = 0;
  for (const v of values) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const q = quant ?? activationQuant({ min, max });
  const data = new Int8Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = Math.max(-128, Math.min(127, Math.round(values[i] / q.scale[0]) + q.zeroPoint[0]));
  return { data, quant: q };
}
