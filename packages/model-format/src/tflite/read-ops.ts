import { ConvAttrs, FusedActivation, Node, OpAttrMap, OpType, Padding } from '@tinyforge/ir';
import { ModelFormatError } from '../errors';
import { BUILTIN_OPERATOR_NAMES } from './builtin-names';
import { Table } from './flatbuffer-reader';
import { readOptions } from './options';
import {
  ACTIVATION,
  ADD_OPTIONS,
  CAST_OPTIONS,
  CONCATENATION_OPTIONS,
  CONV_2D_OPTIONS,
  DEPTHWISE_OPTIONS,
  DEQUANTIZE_OPTIONS,
  DIV_OPTIONS,
  FC_WEIGHTS_FORMAT_DEFAULT,
  FULLY_CONNECTED_OPTIONS,
  HARD_SWISH_OPTIONS,
  LEAKY_RELU_OPTIONS,
  MAXIMUM_MINIMUM_OPTIONS,
  MUL_OPTIONS,
  NO_OPTIONS,
  OptionsTable,
  OptionValues,
  PAD_OPTIONS,
  PADDING,
  PADV2_OPTIONS,
  POOL_2D_OPTIONS,
  QUANTIZE_OPTIONS,
  REDUCER_OPTIONS,
  RESHAPE_OPTIONS,
  SOFTMAX_OPTIONS,
  SQUEEZE_OPTIONS,
  STRIDED_SLICE_OPTIONS,
  SUB_OPTIONS,
  SVDF_OPTIONS,
  TILE_OPTIONS,
  TRANSPOSE_CONV_OPTIONS,
  TRANSPOSE_OPTIONS,
  UNIDIRECTIONAL_SEQUENCE_LSTM_OPTIONS,
} from './schema';

/** What the operator reader knows about one operator while converting its options. */
export interface OperatorContext {
  /** e.g. "operator 3 (CONV_2D, output 'conv1')", for messages. */
  label: string;
  file?: string;
  offset: number;
  /** Shape of input `i`, or undefined when absent. */
  inputShape(i: number): number[] | undefined;
  /** Integer values of input `i` when it is a constant, else undefined. */
  constantInts(i: number): number[] | undefined;
  /** The operator's input tensor indices as the file lists them (-1 for an omitted optional input). */
  readonly inputs: readonly number[];
  /** Static shape of output 0. */
  outputShape(): number[] | undefined;
}

/** The IR op and attributes; `inputs` when the IR orders the operands differently from the file (TRANSPOSE_CONV). */
type Converted = { [K in OpType]: { op: K; attrs: OpAttrMap[K]; inputs?: number[] } }[OpType];

export interface OpReader {
  /** The BuiltinOptions table this op carries (its type is checked against the file's). */
  options: OptionsTable;
  convert(o: Table | undefined, ctx: OperatorContext): Converted;
}

const unsupported = (ctx: OperatorContext, msg: string): never => {
  throw new ModelFormatError('FORMAT_UNSUPPORTED', `${ctx.label}: ${msg}`, { file: ctx.file, offset: ctx.offset });
};
const malformed = (ctx: OperatorContext, msg: string): never => {
  throw new ModelFormatError('FORMAT_MALFORMED', `${ctx.label}: ${msg}`, { file: ctx.file, offset: ctx.offset });
};

const ACTIVATIONS: Record<number, FusedActivation> = {
  [ACTIVATION.NONE]: 'none',
  [ACTIVATION.RELU]: 'relu',
  [ACTIVATION.RELU_N1_TO_1]: 'relu_n1_to_1',
  [ACTIVATION.RELU6]: 'relu6',
  [ACTIVATION.TANH]: 'tanh',
  [ACTIVATION.SIGN_BIT]: 'sign_bit',
};

function activation(v: number, ctx: OperatorContext): FusedActivation {
  return ACTIVATIONS[v] ?? malformed(ctx, `fused activation ${v} is not a known ActivationFunctionType`);
}

function padding(v: number, ctx: OperatorContext): Padding {
  if (v === PADDING.SAME) return 'same';
  if (v === PADDING.VALID) return 'valid';
  return malformed(ctx, `padding ${v} is neither SAME nor VALID`);
}

/** A reader of one builtin: its options table's values (schema defaults filled in) → IR op and attributes. */
function reader<T extends OptionsTable>(options: T, convert: (v: OptionValues<T>, ctx: OperatorContext) => Converted): OpReader {
  return { options, convert: (o, ctx) => convert(readOptions(options, o, `${ctx.label} options`), ctx) };
}

const plain = (op: 'Reshape' | 'Pad' | 'Quantize' | 'Dequantize' | 'Logistic' | 'Tanh' | 'Relu' | 'Relu6' | 'HardSwish' | 'Transpose' | 'Tile', options: OptionsTable): OpReader =>
  reader(options, () => ({ op, attrs: {} }) as Converted);

const elementwise = (op: 'Add' | 'Sub' | 'Mul', options: OptionsTable<{ activation: (typeof ADD_OPTIONS)['fields']['activation'] }>): OpReader => reader(options, (v, ctx) => ({ op, attrs: { activation: activation(v.activation, ctx) } }));

/** Conv2DOptions and DepthwiseConv2DOptions share these fields. */
const convAttrs = (v: OptionValues<typeof CONV_2D_OPTIONS>, ctx: OperatorContext): ConvAttrs => ({
  strideH: v.strideH,
  strideW: v.strideW,
  dilationH: v.dilationH,
  dilationW: v.dilationW,
  padding: padding(v.padding, ctx),
  activation: activation(v.activation, ctx),
});

const pool = (op: 'AveragePool2D' | 'MaxPool2D'): OpReader =>
  reader(POOL_2D_OPTIONS, (v, ctx) => ({
    op,
    attrs: { filterH: v.filterH, filterW: v.filterW, strideH: v.strideH, strideW: v.strideW, padding: padding(v.padding, ctx), activation: activation(v.activation, ctx) },
  }));

/** Every TFLite builtin tinyforge reads, by BuiltinOperator name. */
export const OP_READERS: { readonly [N in (typeof BUILTIN_OPERATOR_NAMES)[number]]?: OpReader } = {
  CONV_2D: reader(CONV_2D_OPTIONS, (v, ctx) => ({ op: 'Conv2D', attrs: convAttrs(v, ctx) })),
  DEPTHWISE_CONV_2D: reader(DEPTHWISE_OPTIONS, (v, ctx) => ({
    op: 'DepthwiseConv2D',
    attrs: { ...convAttrs(v, ctx), depthMultiplier: depthMultiplier(v.depthMultiplier, ctx) },
  })),
  FULLY_CONNECTED: reader(FULLY_CONNECTED_OPTIONS, (v, ctx) => {
    if (v.weightsFormat !== FC_WEIGHTS_FORMAT_DEFAULT) unsupported(ctx, `weights_format ${v.weightsFormat} (shuffled weights) is not supported`);
    return { op: 'FullyConnected', attrs: { activation: activation(v.activation, ctx), keepNumDims: v.keepNumDims } };
  }),
  AVERAGE_POOL_2D: pool('AveragePool2D'),
  MAX_POOL_2D: pool('MaxPool2D'),
  RESHAPE: plain('Reshape', RESHAPE_OPTIONS),
  SQUEEZE: reader(SQUEEZE_OPTIONS, (v) => ({ op: 'Squeeze', attrs: { axes: v.squeezeDims } })),
  SOFTMAX: reader(SOFTMAX_OPTIONS, (v) => ({ op: 'Softmax', attrs: { beta: v.beta } })),
  ADD: elementwise('Add', ADD_OPTIONS),
  SUB: elementwise('Sub', SUB_OPTIONS),
  MUL: elementwise('Mul', MUL_OPTIONS),
  MEAN: reader(REDUCER_OPTIONS, (v) => ({ op: 'Mean', attrs: { keepDims: v.keepDims } })),
  PAD: plain('Pad', PAD_OPTIONS),
  PADV2: plain('Pad', PADV2_OPTIONS),
  CONCATENATION: reader(CONCATENATION_OPTIONS, (v, ctx) => ({ op: 'Concatenation', attrs: { axis: v.axis, activation: activation(v.activation, ctx) } })),
  QUANTIZE: plain('Quantize', QUANTIZE_OPTIONS),
  DEQUANTIZE: plain('Dequantize', DEQUANTIZE_OPTIONS),
  LOGISTIC: plain('Logistic', NO_OPTIONS),
  TANH: plain('Tanh', NO_OPTIONS),
  RELU: plain('Relu', NO_OPTIONS),
  RELU6: plain('Relu6', NO_OPTIONS),
  RELU_N1_TO_1: reader(NO_OPTIONS, () => ({ op: 'Clip', attrs: { min: -1, max: 1 } })),
  LEAKY_RELU: reader(LEAKY_RELU_OPTIONS, (v) => ({ op: 'LeakyRelu', attrs: { alpha: v.alpha } })),
  HARD_SWISH: plain('HardSwish', HARD_SWISH_OPTIONS),
  TRANSPOSE: plain('Transpose', TRANSPOSE_OPTIONS),
  STRIDED_SLICE: reader(STRIDED_SLICE_OPTIONS, (v) => ({ op: 'StridedSlice', attrs: { ...v } })),
  UNIDIRECTIONAL_SEQUENCE_LSTM: reader(UNIDIRECTIONAL_SEQUENCE_LSTM_OPTIONS, (v, ctx) => {
    if (v.diagonalRecurrentTensors) unsupported(ctx, 'diagonal recurrent tensors are not supported');
    if (v.asymmetricQuantizeInputs) unsupported(ctx, 'asymmetric_quantize_inputs (hybrid LSTM) is not supported');
    return {
      op: 'UnidirectionalSequenceLstm',
      attrs: { activation: activation(v.activation, ctx), cellClip: v.cellClip, projClip: v.projClip, timeMajor: v.timeMajor },
    };
  }),
  SVDF: reader(SVDF_OPTIONS, (v, ctx) => {
    if (v.asymmetricQuantizeInputs) unsupported(ctx, 'asymmetric_quantize_inputs (hybrid SVDF) is not supported');
    return { op: 'Svdf', attrs: { rank: v.rank, activation: activation(v.activation, ctx) } };
  }),
  TRANSPOSE_CONV: reader(TRANSPOSE_CONV_OPTIONS, (v, ctx) => transposeConv(v, ctx)),
  TILE: plain('Tile', TILE_OPTIONS),
  // The output tensor's type is the target (CastOptions only repeats the two types).
  CAST: reader(CAST_OPTIONS, () => ({ op: 'Cast', attrs: {} })),
  DIV: reader(DIV_OPTIONS, (v, ctx) => ({ op: 'Div', attrs: { activation: activation(v.activation, ctx) } })),
  MINIMUM: reader(MAXIMUM_MINIMUM_OPTIONS, () => ({ op: 'Minimum', attrs: { activation: 'none' } })),
  MAXIMUM: reader(MAXIMUM_MINIMUM_OPTIONS, () => ({ op: 'Maximum', attrs: { activation: 'none' } })),
};

/**
 * TRANSPOSE_CONV takes (output_shape, weights, input, bias?); the IR node takes (input, weights, bias?) with the
 * output's height and width as attributes: from output_shape when it is a constant, else from the output tensor's
 * static shape, which is what TFLite Micro's kernel sizes its output from (its tests feed output_shape as an input).
 */
function transposeConv(v: OptionValues<typeof TRANSPOSE_CONV_OPTIONS>, ctx: OperatorContext): Converted {
  if (ctx.inputs.length < 3 || ctx.inputs.length > 4) malformed(ctx, `takes 3 or 4 inputs, got ${ctx.inputs.length}`);
  const shape = ctx.constantInts(0) ?? ctx.outputShape() ?? malformed(ctx, 'no output shape');
  if (shape.length !== 4) malformed(ctx, `output_shape has ${shape.length} values, expected 4`);
  const inputs = [ctx.inputs[2], ctx.inputs[1]];
  if (ctx.inputs.length === 4 && ctx.inputs[3] >= 0) inputs.push(ctx.inputs[3]);
  const attrs = { strideH: v.strideH, strideW: v.strideW, padding: padding(v.padding, ctx), activation: activation(v.activation, ctx), outputH: shape[1], outputW: shape[2] };
  return { op: 'TransposeConv2D', attrs, inputs };
}

/** The reader of a BuiltinOperator code, if tinyforge reads it. */
export function opReader(builtin: number): OpReader | undefined {
  const name = BUILTIN_OPERATOR_NAMES[builtin] as (typeof BUILTIN_OPERATOR_NAMES)[number] | undefined;
  return name === undefined ? undefined : OP_READERS[name];
}

/**
 * TFLite derives the depth multiplier from the filter and input shapes; converters sometimes leave the option at
 * 0 or 1 when it is not. Use the shapes when they determine it, the option otherwise.
 */
function depthMultiplier(fromOptions: number, ctx: OperatorContext): number {
  const x = ctx.inputShape(0);
  const w = ctx.inputShape(1);
  if (x?.length === 4 && w?.length === 4 && x[3] > 0 && w[3] % x[3] === 0) return w[3] / x[3];
  return fromOptions;
}

/** A node from a converted operator (keeps the Node union's pairing of op and attrs). */
export function makeNode(name: string, converted: Converted, inputs: number[], outputs: number[]): Node {
  return { name, op: converted.op, attrs: converted.attrs, inputs: converted.inputs ?? inputs, outputs } as Node;
}
