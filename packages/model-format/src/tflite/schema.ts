/**
 * Facts of the TFLite flatbuffer format (schema version 3): field ids of the tables we read and write, and the
 * enum values we use. Field ids are positions in the table's vtable (slot = 4 + 2 × id); a union takes two ids
 * (its type byte, then its value).
 */
import type { DType } from '@tinyforge/ir';

export const TFLITE_IDENTIFIER = 'TFL3';
export const TFLITE_SCHEMA_VERSION = 3;

export const MODEL = {
  version: 0,
  operatorCodes: 1,
  subgraphs: 2,
  description: 3,
  buffers: 4,
  metadataBuffer: 5,
  metadata: 6,
  signatureDefs: 7,
} as const;

export const OPERATOR_CODE = { deprecatedBuiltinCode: 0, customCode: 1, version: 2, builtinCode: 3 } as const;

export const SUBGRAPH = { tensors: 0, inputs: 1, outputs: 2, operators: 3, name: 4 } as const;

export const TENSOR = {
  shape: 0,
  type: 1,
  buffer: 2,
  name: 3,
  quantization: 4,
  isVariable: 5,
  sparsity: 6,
  shapeSignature: 7,
} as const;

export const QUANTIZATION = {
  min: 0,
  max: 1,
  scale: 2,
  zeroPoint: 3,
  detailsType: 4,
  details: 5,
  quantizedDimension: 6,
} as const;

export const OPERATOR = {
  opcodeIndex: 0,
  inputs: 1,
  outputs: 2,
  builtinOptionsType: 3,
  builtinOptions: 4,
  customOptions: 5,
  customOptionsFormat: 6,
  mutatingVariableInputs: 7,
  intermediates: 8,
  largeCustomOptionsOffset: 9,
  largeCustomOptionsSize: 10,
  builtinOptions2Type: 11,
  builtinOptions2: 12,
} as const;

/** `data` is inline; models over 2 GB keep data after the flatbuffer at `offset` (from file start), `size` bytes. */
export const BUFFER = { data: 0, offset: 1, size: 2 } as const;

export const METADATA = { name: 0, buffer: 1 } as const;

/** Options tables' field ids. */
export const CONV_2D_OPTIONS = { padding: 0, strideW: 1, strideH: 2, activation: 3, dilationW: 4, dilationH: 5 } as const;
export const DEPTHWISE_OPTIONS = {
  padding: 0,
  strideW: 1,
  strideH: 2,
  depthMultiplier: 3,
  activation: 4,
  dilationW: 5,
  dilationH: 6,
} as const;
export const POOL_2D_OPTIONS = { padding: 0, strideW: 1, strideH: 2, filterW: 3, filterH: 4, activation: 5 } as const;
export const FULLY_CONNECTED_OPTIONS = { activation: 0, weightsFormat: 1, keepNumDims: 2, asymmetricQuantizeInputs: 3 } as const;
export const SOFTMAX_OPTIONS = { beta: 0 } as const;
export const CONCATENATION_OPTIONS = { axis: 0, activation: 1 } as const;
/** AddOptions, SubOptions and MulOptions all start with the fused activation. */
export const ELEMENTWISE_OPTIONS = { activation: 0 } as const;
export const RESHAPE_OPTIONS = { newShape: 0 } as const;
export const SQUEEZE_OPTIONS = { squeezeDims: 0 } as const;
export const REDUCER_OPTIONS = { keepDims: 0 } as const;
export const LEAKY_RELU_OPTIONS = { alpha: 0 } as const;
export const STRIDED_SLICE_OPTIONS = {
  beginMask: 0,
  endMask: 1,
  ellipsisMask: 2,
  newAxisMask: 3,
  shrinkAxisMask: 4,
  offset: 5,
} as const;

/** BuiltinOperator values of the operators tinyforge maps (the enum has many more). */
export const BUILTIN = {
  ADD: 0,
  AVERAGE_POOL_2D: 1,
  CONCATENATION: 2,
  CONV_2D: 3,
  DEPTHWISE_CONV_2D: 4,
  DEQUANTIZE: 6,
  FULLY_CONNECTED: 9,
  LOGISTIC: 14,
  MAX_POOL_2D: 17,
  MUL: 18,
  RELU: 19,
  RELU_N1_TO_1: 20,
  RELU6: 21,
  RESHAPE: 22,
  SOFTMAX: 25,
  TANH: 28,
  CUSTOM: 32,
  PAD: 34,
  TRANSPOSE: 39,
  MEAN: 40,
  SUB: 41,
  SQUEEZE: 43,
  STRIDED_SLICE: 45,
  PADV2: 60,
  LEAKY_RELU: 98,
  QUANTIZE: 114,
  HARD_SWISH: 117,
  /** deprecated_builtin_code is a byte: codes above this are written as this placeholder there. */
  PLACEHOLDER_FOR_GREATER_OP_CODES: 127,
} as const;

/** BuiltinOptions union member types (0 = NONE). */
export const OPTIONS_TYPE = {
  NONE: 0,
  Conv2DOptions: 1,
  DepthwiseConv2DOptions: 2,
  Pool2DOptions: 5,
  FullyConnectedOptions: 8,
  SoftmaxOptions: 9,
  ConcatenationOptions: 10,
  AddOptions: 11,
  ReshapeOptions: 17,
  MulOptions: 21,
  PadOptions: 22,
  TransposeOptions: 26,
  ReducerOptions: 27,
  SubOptions: 28,
  SqueezeOptions: 30,
  StridedSliceOptions: 32,
  DequantizeOptions: 38,
  PadV2Options: 43,
  LeakyReluOptions: 75,
  QuantizeOptions: 89,
  HardSwishOptions: 91,
} as const;

export const TENSOR_TYPE = {
  FLOAT32: 0,
  FLOAT16: 1,
  INT32: 2,
  UINT8: 3,
  INT64: 4,
  STRING: 5,
  BOOL: 6,
  INT16: 7,
  COMPLEX64: 8,
  INT8: 9,
} as const;

/** The TensorType code of each IR dtype; the reader uses the inverse, so the two directions cannot drift. */
export const TENSOR_TYPE_OF: Record<DType, number> = {
  float32: TENSOR_TYPE.FLOAT32,
  int8: TENSOR_TYPE.INT8,
  uint8: TENSOR_TYPE.UINT8,
  int16: TENSOR_TYPE.INT16,
  int32: TENSOR_TYPE.INT32,
  int64: TENSOR_TYPE.INT64,
  bool: TENSOR_TYPE.BOOL,
};

export const PADDING = { SAME: 0, VALID: 1 } as const;

export const ACTIVATION = { NONE: 0, RELU: 1, RELU_N1_TO_1: 2, RELU6: 3, TANH: 4, SIGN_BIT: 5 } as const;

export const FC_WEIGHTS_FORMAT_DEFAULT = 0;
