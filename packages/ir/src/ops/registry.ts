import { CLIP, HARD_SWISH, LEAKY_RELU, LOGISTIC, RELU, RELU6, SOFTMAX, TANH } from './activation';
import { BATCH_NORM } from './batch-norm';
import { CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, TRANSPOSE_CONV_2D } from './conv';
import { ABS, ADD, CAST, DIV, MAXIMUM, MINIMUM, MUL, ROUND, SIGN, SUB } from './elementwise';
import { AttrsBrand, OpDef } from './op-def';
import { AVERAGE_POOL_2D, MAX_POOL_2D } from './pool';
import { DEQUANTIZE, QUANTIZE } from './quantization';
import { MEAN } from './reduce';
import { SVDF, UNIDIRECTIONAL_SEQUENCE_GRU, UNIDIRECTIONAL_SEQUENCE_LSTM } from './recurrent';
import { CONCATENATION, IDENTITY, PAD, RESHAPE, SQUEEZE, TILE, TRANSPOSE } from './shape';
import {
  FEATURE_WINDOW,
  SIGNAL_ENERGY,
  SIGNAL_FFT_AUTO_SCALE,
  SIGNAL_FFT_SCALE_BITS,
  SIGNAL_FILTER_BANK,
  SIGNAL_FILTER_BANK_LOG,
  SIGNAL_FILTER_BANK_SQUARE_ROOT,
  SIGNAL_NOISE_ESTIMATE,
  SIGNAL_PCAN,
  SIGNAL_RFFT,
  SIGNAL_SPECTRAL_SUBTRACTION,
  SIGNAL_WINDOW,
} from './signal';
import { STRIDED_SLICE } from './slice';

/**
 * The operator set of the IR: one entry per op type, and the op types are this table's keys. Semantics and tensor
 * layouts follow TFLite (NHWC activations, OHWI conv weights, [1, H, W, C*M] depthwise weights, [out, in]
 * fully-connected weights); operands that TFLite passes as tensors (RESHAPE's shape, MEAN's axes, PAD's paddings,
 * TRANSPOSE's permutation, STRIDED_SLICE's begin/end/strides) are constant input tensors here too. Adding an op is
 * one entry here (its definition in the family file beside it) plus one entry in each stage's own table.
 */
export const OP_DEFS = {
  Conv2D: CONV_2D,
  DepthwiseConv2D: DEPTHWISE_CONV_2D,
  FullyConnected: FULLY_CONNECTED,
  TransposeConv2D: TRANSPOSE_CONV_2D,
  AveragePool2D: AVERAGE_POOL_2D,
  MaxPool2D: MAX_POOL_2D,
  Reshape: RESHAPE,
  Squeeze: SQUEEZE,
  Softmax: SOFTMAX,
  Add: ADD,
  Sub: SUB,
  Mul: MUL,
  Mean: MEAN,
  Pad: PAD,
  Concatenation: CONCATENATION,
  Quantize: QUANTIZE,
  Dequantize: DEQUANTIZE,
  Logistic: LOGISTIC,
  Tanh: TANH,
  Relu: RELU,
  Relu6: RELU6,
  LeakyRelu: LEAKY_RELU,
  HardSwish: HARD_SWISH,
  Transpose: TRANSPOSE,
  Tile: TILE,
  StridedSlice: STRIDED_SLICE,
  BatchNorm: BATCH_NORM,
  Clip: CLIP,
  Identity: IDENTITY,
  Div: DIV,
  Round: ROUND,
  Abs: ABS,
  Sign: SIGN,
  Cast: CAST,
  UnidirectionalSequenceLstm: UNIDIRECTIONAL_SEQUENCE_LSTM,
  UnidirectionalSequenceGru: UNIDIRECTIONAL_SEQUENCE_GRU,
  Svdf: SVDF,
  Minimum: MINIMUM,
  Maximum: MAXIMUM,
  SignalWindow: SIGNAL_WINDOW,
  SignalFftScaleBits: SIGNAL_FFT_SCALE_BITS,
  SignalFftAutoScale: SIGNAL_FFT_AUTO_SCALE,
  SignalRfft: SIGNAL_RFFT,
  SignalEnergy: SIGNAL_ENERGY,
  SignalFilterBank: SIGNAL_FILTER_BANK,
  SignalFilterBankSquareRoot: SIGNAL_FILTER_BANK_SQUARE_ROOT,
  SignalNoiseEstimate: SIGNAL_NOISE_ESTIMATE,
  SignalSpectralSubtraction: SIGNAL_SPECTRAL_SUBTRACTION,
  SignalPcan: SIGNAL_PCAN,
  SignalFilterBankLog: SIGNAL_FILTER_BANK_LOG,
  FeatureWindow: FEATURE_WINDOW,
};

type Defs = typeof OP_DEFS;

export type OpType = keyof Defs;

/** The attribute record of an op, from its definition's attribute specs. */
type AttrsOf<D> = D extends AttrsBrand<infer A> ? A : never;

/** Every op's attribute record, keyed by op type. */
export type OpAttrMap = { [K in OpType]: AttrsOf<Defs[K]> };

/** The attributes of op K that have an IR default (and may be left out where defaults are filled in). */
export type DefaultedAttrs<K extends OpType> = {
  [P in keyof Defs[K]['attrs']]: Defs[K]['attrs'][P] extends { default: unknown } ? P : never;
}[keyof Defs[K]['attrs']];

/** The weighted layers' op types (conv, depthwise, fully connected): the ops whose definition has `weights`. */
export type WeightedOpType = { [K in OpType]: Defs[K] extends { weights: object } ? K : never }[OpType];

/** An op's definition, typed by its attributes. */
export function opDef<K extends OpType>(op: K): OpDef<OpAttrMap[K]> {
  return OP_DEFS[op] as unknown as OpDef<OpAttrMap[K]>;
}
