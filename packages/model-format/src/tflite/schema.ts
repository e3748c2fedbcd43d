/**
 * Facts of the TFLite flatbuffer format (schema version 3): field ids of the tables we read and write, and the
 * enum values we use. Field ids are positions in the table's vtable (slot = 4 + 2 × id); a union takes two ids
 * (its type byte, then its value).
 */
import type { DType } from '@tinyforge/ir';
import { BUILTIN_OPERATOR_NAMES, BUILTIN_OPTIONS_NAMES, TEMP_STREAMING_CONV_2D, TENSOR_TYPE_NAMES } from './builtin-names';

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

export type BuiltinName = (typeof BUILTIN_OPERATOR_NAMES)[number];
type OptionsTypeName = (typeof BUILTIN_OPTIONS_NAMES)[number];

/** BuiltinOperator values by name. */
export const BUILTIN = Object.fromEntries(BUILTIN_OPERATOR_NAMES.map((n, i) => [n, i])) as { readonly [N in BuiltinName]: number };

/** BuiltinOptions union member types by name (NONE = 0). */
export const OPTIONS_TYPE = Object.fromEntries(BUILTIN_OPTIONS_NAMES.map((n, i) => [n, i])) as { readonly [N in OptionsTypeName]: number };

/** The name of a BuiltinOperator code, for messages. */
export function builtinName(code: number): string {
  const name = code === TEMP_STREAMING_CONV_2D ? 'TEMP_STREAMING_CONV_2D' : BUILTIN_OPERATOR_NAMES[code];
  return name ?? `unknown builtin operator ${code}`;
}

/** The name of a BuiltinOptions union member type, for messages. */
export function optionsTypeName(type: number): string {
  return BUILTIN_OPTIONS_NAMES[type] ?? `unknown options type ${type}`;
}

/**
 * Options tables: the union member type and each field's id, kind and schema default (a field equal to its default
 * is left out when writing, and read as it when absent). The reader and the writer both use these.
 */
export type FieldKind = 'i8' | 'i32' | 'f32' | 'bool' | 'i32s';
export type FieldValue<Kd extends FieldKind> = Kd extends 'bool' ? boolean : Kd extends 'i32s' ? number[] : number;
export interface OptionField<Kd extends FieldKind = FieldKind> {
  id: number;
  kind: Kd;
  dflt: FieldValue<Kd>;
}
export interface OptionsTable<F extends Record<string, OptionField> = Record<string, OptionField>> {
  type: number;
  fields: F;
}
/** The values of an options table's fields, by field name. */
export type OptionValues<T extends OptionsTable> = { [P in keyof T['fields']]: FieldValue<T['fields'][P]['kind']> };

const i8 = (id: number, dflt = 0): OptionField<'i8'> => ({ id, kind: 'i8', dflt });
const i32 = (id: number, dflt = 0): OptionField<'i32'> => ({ id, kind: 'i32', dflt });
const f32 = (id: number, dflt = 0): OptionField<'f32'> => ({ id, kind: 'f32', dflt });
const bool = (id: number, dflt = false): OptionField<'bool'> => ({ id, kind: 'bool', dflt });
const i32s = (id: number): OptionField<'i32s'> => ({ id, kind: 'i32s', dflt: [] });
const options = <F extends Record<string, OptionField>>(type: OptionsTypeName, fields: F): OptionsTable<F> => ({ type: OPTIONS_TYPE[type], fields });

export const CONV_2D_OPTIONS = options('Conv2DOptions', {
  padding: i8(0),
  strideW: i32(1),
  strideH: i32(2),
  activation: i8(3),
  dilationW: i32(4, 1),
  dilationH: i32(5, 1),
});
export const DEPTHWISE_OPTIONS = options('DepthwiseConv2DOptions', {
  padding: i8(0),
  strideW: i32(1),
  strideH: i32(2),
  depthMultiplier: i32(3),
  activation: i8(4),
  dilationW: i32(5, 1),
  dilationH: i32(6, 1),
});
export const POOL_2D_OPTIONS = options('Pool2DOptions', { padding: i8(0), strideW: i32(1), strideH: i32(2), filterW: i32(3), filterH: i32(4), activation: i8(5) });
/** asymmetric_quantize_inputs (3) and quantized_bias_type (4) are neither read nor written. */
export const FULLY_CONNECTED_OPTIONS = options('FullyConnectedOptions', { activation: i8(0), weightsFormat: i8(1), keepNumDims: bool(2) });
export const SOFTMAX_OPTIONS = options('SoftmaxOptions', { beta: f32(0) });
export const CONCATENATION_OPTIONS = options('ConcatenationOptions', { axis: i32(0), activation: i8(1) });
/**
 * AddOptions, SubOptions and MulOptions start with the fused activation. pot_scale_int16 (default true) selects
 * TFLite's power-of-two-scale int16 path; TFLite Micro ignores it (it always takes the general-scale path, as
 * tinyforge does), and the writer sets it false so that TFLite takes that path too.
 */
export const ADD_OPTIONS = options('AddOptions', { activation: i8(0), potScaleInt16: bool(1, true) });
export const SUB_OPTIONS = options('SubOptions', { activation: i8(0), potScaleInt16: bool(1, true) });
export const MUL_OPTIONS = options('MulOptions', { activation: i8(0) });
export const DIV_OPTIONS = options('DivOptions', { activation: i8(0) });
export const CAST_OPTIONS = options('CastOptions', { inDataType: i8(0), outDataType: i8(1) });
export const MAXIMUM_MINIMUM_OPTIONS = options('MaximumMinimumOptions', {});
export const SQUEEZE_OPTIONS = options('SqueezeOptions', { squeezeDims: i32s(0) });
export const REDUCER_OPTIONS = options('ReducerOptions', { keepDims: bool(0) });
export const LEAKY_RELU_OPTIONS = options('LeakyReluOptions', { alpha: f32(0) });
export const STRIDED_SLICE_OPTIONS = options('StridedSliceOptions', {
  beginMask: i32(0),
  endMask: i32(1),
  ellipsisMask: i32(2),
  newAxisMask: i32(3),
  shrinkAxisMask: i32(4),
  offset: bool(5),
});
export const UNIDIRECTIONAL_SEQUENCE_LSTM_OPTIONS = options('UnidirectionalSequenceLSTMOptions', {
  activation: i8(0),
  cellClip: f32(1),
  projClip: f32(2),
  timeMajor: bool(3),
  asymmetricQuantizeInputs: bool(4),
  diagonalRecurrentTensors: bool(5),
});
export const SVDF_OPTIONS = options('SVDFOptions', { rank: i32(0), activation: i8(1), asymmetricQuantizeInputs: bool(2) });
/** new_shape is optional (the output tensor's shape is authoritative): never read, and left out when writing. */
export const RESHAPE_OPTIONS = options('ReshapeOptions', {});
export const PAD_OPTIONS = options('PadOptions', {});
export const PADV2_OPTIONS = options('PadV2Options', {});
export const QUANTIZE_OPTIONS = options('QuantizeOptions', {});
export const DEQUANTIZE_OPTIONS = options('DequantizeOptions', {});
export const HARD_SWISH_OPTIONS = options('HardSwishOptions', {});
export const TRANSPOSE_OPTIONS = options('TransposeOptions', {});
/** quantized_bias_type (field 4) is left to its default: the bias tensor's own type says it. */
export const TRANSPOSE_CONV_OPTIONS = options('TransposeConvOptions', { padding: i8(0), strideW: i32(1), strideH: i32(2), activation: i8(3) });
export const TILE_OPTIONS = options('TileOptions', {});
/** Operators without an options table. */
export const NO_OPTIONS = options('NONE', {});

/** TensorType codes by name (from TENSOR_TYPE_NAMES, so a code and its name cannot disagree). */
export const TENSOR_TYPE = Object.fromEntries(TENSOR_TYPE_NAMES.map((name, code) => [name, code])) as { readonly [N in (typeof TENSOR_TYPE_NAMES)[number]]: number };

/** The name of a TensorType code ("UINT32"), or "TensorType <code>" outside the schema. */
export function tensorTypeName(code: number): string {
  return TENSOR_TYPE_NAMES[code] ?? `TensorType ${code}`;
}

/** The TensorType code of each IR dtype; the reader uses the inverse, so the two directions cannot drift. */
export const TENSOR_TYPE_OF: Record<DType, number> = {
  float32: TENSOR_TYPE.FLOAT32,
  int8: TENSOR_TYPE.INT8,
  uint8: TENSOR_TYPE.UINT8,
  int16: TENSOR_TYPE.INT16,
  int32: TENSOR_TYPE.INT32,
  int64: TENSOR_TYPE.INT64,
  bool: TENSOR_TYPE.BOOL,
  uint32: TENSOR_TYPE.UINT32,
  uint64: TENSOR_TYPE.UINT64,
};

export const PADDING = { SAME: 0, VALID: 1 } as const;

export const ACTIVATION = { NONE: 0, RELU: 1, RELU_N1_TO_1: 2, RELU6: 3, TANH: 4, SIGN_BIT: 5 } as const;

export const FC_WEIGHTS_FORMAT_DEFAULT = 0;
