import { DType, FusedActivation } from '@tinyforge/ir';
import { quantizeMultiplier, QuantizedMultiplier, roundHalfAway } from './fixed-point';

export interface Range {
  min: number;
  max: number;
}

export function dtypeRange(dtype: DType): Range {
  switch (dtype) {
    case 'int8':
      return { min: -128, max: 127 };
    case 'uint8':
      return { min: 0, max: 255 };
    case 'int16':
      return { min: -32768, max: 32767 };
    default:
      return { min: -2147483648, max: 2147483647 };
  }
}

/** Float clamp bounds of a fused activation, or undefined when it is not a clamp (tanh, sign_bit). */
export function floatActivationRange(activation: FusedActivation): Range | undefined {
  switch (activation) {
    case 'none':
      return { min: -Infinity, max: Infinity };
    case 'relu':
      return { min: 0, max: Infinity };
    case 'relu6':
      return { min: 0, max: 6 };
    case 'relu_n1_to_1':
      return { min: -1, max: 1 };
    default:
      return undefined;
  }
}

/** TFLite CalculateActivationRangeQuantized: the clamp in output units (float32 division, as in C++). */
export function quantizedActivationRange(
  activation: FusedActivation,
  dtype: DType,
  scale: number,
  zeroPoint: number,
): Range | undefined {
  const full = dtypeRange(dtype);
  const quantize = (f: number): number => zeroPoint + roundHalfAway(Math.fround(f / Math.fround(scale)));
  switch (activation) {
    case 'none':
      return full;
    case 'relu':
      return { min: Math.max(full.min, quantize(0)), max: full.max };
    case 'relu6':
      return { min: Math.max(full.min, quantize(0)), max: Math.min(full.max, quantize(6)) };
    case 'relu_n1_to_1':
      return { min: Math.max(full.min, quantize(-1)), max: Math.min(full.max, quantize(1)) };
    default:
      return undefined;
  }
}

/** Per-output-channel multipliers of a conv/depthwise/FC: input · filter[c] / output, in double (TFLM). */
export function perChannelMultipliers(
  inputScale: number,
  filterScales: readonly number[],
  outputScale: number,
  channels: number,
): { multipliers: Int32Array; shifts: Int32Array } {
  const multipliers = new Int32Array(channels);
  const shifts = new Int32Array(channels);
  for (let c = 0; c < channels; c++) {
    const filterScale = Math.fround(filterScales.length > 1 ? filterScales[c] : filterScales[0]);
    const q: QuantizedMultiplier = quantizeMultiplier((Math.fround(inputScale) * filterScale) / Math.fround(outputScale));
    multipliers[c] = q.multiplier;
    shifts[c] = q.shift;
  }
  return { multipliers, shifts };
}

/**
 * The requantization multipliers of a conv / depthwise / fully-connected layer, per output channel, exactly as its
 * int8 kernel computes them: in double per channel (perChannelMultipliers), except a fully connected layer with one
 * filter scale, whose multiplier TFLite's GetQuantizedConvolutionMultipler forms from the two scales multiplied in
 * float first.
 */
export function layerMultipliers(
  op: 'Conv2D' | 'DepthwiseConv2D' | 'FullyConnected' | 'TransposeConv2D',
  inputScale: number,
  filterScales: readonly number[],
  outputScale: number,
  channels: number,
): { multipliers: Int32Array; shifts: Int32Array } {
  if (op !== 'FullyConnected' || filterScales.length > 1) return perChannelMultipliers(inputScale, filterScales, outputScale, channels);
  const q = quantizeMultiplier(Math.fround(Math.fround(inputScale) * Math.fround(filterScales[0])) / Math.fround(outputScale));
  return { multipliers: new Int32Array(channels).fill(q.multiplier), shifts: new Int32Array(channels).fill(q.shift) };
}
