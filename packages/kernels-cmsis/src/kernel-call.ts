/**
 * A node lowered to one C kernel call: the kernel's name and every integer parameter it takes, computed on the
 * host exactly as TFLite Micro computes them in its prepare step. The code generator emits these as C
 * initializers; the tests serialize them into vector files for the host driver.
 */

export interface Dims4 {
  n: number;
  h: number;
  w: number;
  c: number;
}

export interface HW {
  h: number;
  w: number;
}

export interface Clamp {
  min: number;
  max: number;
}

interface CallBase {
  /** IR node name, for diagnostics and generated comments. */
  node: string;
  /** Activation tensors read, in kernel order. */
  inputs: number[];
  output: number;
}

export interface ConvCall extends CallBase {
  kernel: 'tfg_convolve_wrapper_s8';
  input: Dims4;
  filter: Dims4;
  outputDims: Dims4;
  inputOffset: number;
  outputOffset: number;
  stride: HW;
  padding: HW;
  dilation: HW;
  activation: Clamp;
  weights: Int8Array;
  bias?: Int32Array;
  multipliers: Int32Array;
  shifts: Int32Array;
  /** The filter packed for tfg_convolve_packed_s8 (withPackedFilter), used where that kernel is preferred. */
  packedFilter?: Int32Array;
}

export interface DepthwiseCall extends Omit<ConvCall, 'kernel' | 'packedFilter'> {
  kernel: 'tfg_depthwise_conv_s8';
  channelMultiplier: number;
}

export interface FullyConnectedCall extends CallBase {
  kernel: 'tfg_fully_connected_s8' | 'tfg_fully_connected_per_channel_s8';
  batches: number;
  depth: number;
  channels: number;
  inputOffset: number;
  filterOffset: number;
  outputOffset: number;
  activation: Clamp;
  weights: Int8Array;
  bias?: Int32Array;
  /** One entry for per-tensor, one per output channel otherwise. */
  multipliers: Int32Array;
  shifts: Int32Array;
}

export interface PoolCall extends CallBase {
  kernel: 'tfg_avgpool_s8' | 'tfg_maxpool_s8';
  input: Dims4;
  filter: HW;
  outputDims: Dims4;
  stride: HW;
  padding: HW;
  activation: Clamp;
}

export interface AddCall extends CallBase {
  kernel: 'tfg_elementwise_add_s8';
  input1: Dims4;
  input2: Dims4;
  outputDims: Dims4;
  input1Offset: number;
  input1Multiplier: number;
  input1Shift: number;
  input2Offset: number;
  input2Multiplier: number;
  input2Shift: number;
  leftShift: number;
  outputOffset: number;
  outputMultiplier: number;
  outputShift: number;
  activation: Clamp;
}

export interface MulCall extends CallBase {
  kernel: 'tfg_elementwise_mul_s8';
  input1: Dims4;
  input2: Dims4;
  outputDims: Dims4;
  input1Offset: number;
  input2Offset: number;
  outputOffset: number;
  outputMultiplier: number;
  outputShift: number;
  activation: Clamp;
}

export interface SoftmaxCall extends CallBase {
  kernel: 'tfg_softmax_s8';
  rows: number;
  rowSize: number;
  inputMultiplier: number;
  inputLeftShift: number;
  diffMin: number;
}

export interface ReshapeCall extends CallBase {
  kernel: 'tfg_reshape_s8';
  size: number;
}

/** Any int8 → int8 function of one value (logistic, tanh, hard-swish, ReLUs, clip, requantize) as a table. */
export interface LutCall extends CallBase {
  kernel: 'tfg_lut_s8';
  size: number;
  /** table[q + 128] is the output for input q. */
  table: Int8Array;
}

export interface QuantizeCall extends CallBase {
  kernel: 'tfg_quantize_f32_s8' | 'tfg_dequantize_s8_f32';
  size: number;
  /** The int8 side's float32 scale and zero point. */
  scale: number;
  zeroPoint: number;
}

export interface PadCall extends CallBase {
  kernel: 'tfg_pad_s8';
  input: Dims4;
  padBefore: Dims4;
  outputDims: Dims4;
  fill: number;
}

export interface TransposeCall extends CallBase {
  kernel: 'tfg_transpose_s8';
  input: Dims4;
  /** Output axis i is input axis perm[i], over the right-aligned 4-D shape. */
  perm: [number, number, number, number];
}

export interface ConcatPart {
  /** Bytes this input contributes per outer step. */
  row: number;
  requantize: boolean;
  /** float32 scale and bias of TFLite's ConcatenationWithScaling (used when requantize). */
  scale: number;
  bias: number;
}

export interface ConcatCall extends CallBase {
  kernel: 'tfg_concatenation_s8';
  outer: number;
  outputOffset: number;
  /** One per input, in `inputs` order. */
  parts: ConcatPart[];
}

export interface MeanCall extends CallBase {
  kernel: 'tfg_mean_s8';
  input: Dims4;
  /** Bit 3 = n, 2 = h, 1 = w, 0 = c (right-aligned 4-D axes averaged over). */
  axesMask: number;
  inputOffset: number;
  outputOffset: number;
  multiplier: number;
  shift: number;
}

export type KernelCall =
  | ConvCall
  | DepthwiseCall
  | FullyConnectedCall
  | PoolCall
  | AddCall
  | MulCall
  | SoftmaxCall
  | ReshapeCall
  | LutCall
  | QuantizeCall
  | PadCall
  | TransposeCall
  | ConcatCall
  | MeanCall;
