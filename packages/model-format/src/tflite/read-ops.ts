import { FusedActivation, Node, OpAttrMap, OpType, Padding } from '@tinyforge/ir';
import { ModelFormatError } from '../errors';
import { Table } from './flatbuffer-reader';
import {
  ACTIVATION,
  BUILTIN,
  CONCATENATION_OPTIONS,
  CONV_2D_OPTIONS,
  DEPTHWISE_OPTIONS,
  ELEMENTWISE_OPTIONS,
  FC_WEIGHTS_FORMAT_DEFAULT,
  FULLY_CONNECTED_OPTIONS,
  LEAKY_RELU_OPTIONS,
  OPTIONS_TYPE,
  PADDING,
  POOL_2D_OPTIONS,
  REDUCER_OPTIONS,
  SOFTMAX_OPTIONS,
  SQUEEZE_OPTIONS,
  STRIDED_SLICE_OPTIONS,
} from './schema';

/** What the operator reader knows about one operator while converting its options. */
export interface OperatorContext {
  /** e.g. "operator 3 (CONV_2D, output 'conv1')", for messages. */
  label: string;
  file?: string;
  offset: number;
  /** Shape of input `i`, or undefined when absent. */
  inputShape(i: number): number[] | undefined;
}

type Converted = { [K in OpType]: { op: K; attrs: OpAttrMap[K] } }[OpType];

interface OpReader {
  name: string;
  /** The BuiltinOptions type this op carries (NONE for ops without options). */
  optionsType: number;
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

function activation(o: Table | undefined, id: number, ctx: OperatorContext): FusedActivation {
  const v = o === undefined ? ACTIVATION.NONE : o.int8(id, ACTIVATION.NONE);
  return ACTIVATIONS[v] ?? malformed(ctx, `fused activation ${v} is not a known ActivationFunctionType`);
}

function padding(o: Table | undefined, id: number, ctx: OperatorContext): Padding {
  const v = o === undefined ? PADDING.SAME : o.int8(id, PADDING.SAME);
  if (v === PADDING.SAME) return 'same';
  if (v === PADDING.VALID) return 'valid';
  return malformed(ctx, `padding ${v} is neither SAME nor VALID`);
}

const int = (o: Table | undefined, id: number, dflt: number): number => (o === undefined ? dflt : o.int32(id, dflt));

const noOptions = <K extends OpType>(op: K, name: string, optionsType: number): OpReader => ({
  name,
  optionsType,
  convert: () => ({ op, attrs: {} }) as Converted,
});

const elementwise = (op: 'Add' | 'Sub' | 'Mul', name: string, optionsType: number): OpReader => ({
  name,
  optionsType,
  convert: (o, ctx) => ({ op, attrs: { activation: activation(o, ELEMENTWISE_OPTIONS.activation, ctx) } }),
});

const pool = (op: 'AveragePool2D' | 'MaxPool2D', name: string): OpReader => ({
  name,
  optionsType: OPTIONS_TYPE.Pool2DOptions,
  convert: (o, ctx) => ({
    op,
    attrs: {
      filterH: int(o, POOL_2D_OPTIONS.filterH, 0),
      filterW: int(o, POOL_2D_OPTIONS.filterW, 0),
      strideH: int(o, POOL_2D_OPTIONS.strideH, 0),
      strideW: int(o, POOL_2D_OPTIONS.strideW, 0),
      padding: padding(o, POOL_2D_OPTIONS.padding, ctx),
      activation: activation(o, POOL_2D_OPTIONS.activation, ctx),
    },
  }),
});

/** Every TFLite builtin tinyforge reads, keyed by BuiltinOperator value. */
export const OP_READERS: ReadonlyMap<number, OpReader> = new Map<number, OpReader>([
  [
    BUILTIN.CONV_2D,
    {
      name: 'CONV_2D',
      optionsType: OPTIONS_TYPE.Conv2DOptions,
      convert: (o, ctx) => ({
        op: 'Conv2D',
        attrs: {
          strideH: int(o, CONV_2D_OPTIONS.strideH, 0),
          strideW: int(o, CONV_2D_OPTIONS.strideW, 0),
          dilationH: int(o, CONV_2D_OPTIONS.dilationH, 1),
          dilationW: int(o, CONV_2D_OPTIONS.dilationW, 1),
          padding: padding(o, CONV_2D_OPTIONS.padding, ctx),
          activation: activation(o, CONV_2D_OPTIONS.activation, ctx),
        },
      }),
    },
  ],
  [
    BUILTIN.DEPTHWISE_CONV_2D,
    {
      name: 'DEPTHWISE_CONV_2D',
      optionsType: OPTIONS_TYPE.DepthwiseConv2DOptions,
      convert: (o, ctx) => ({
        op: 'DepthwiseConv2D',
        attrs: {
          strideH: int(o, DEPTHWISE_OPTIONS.strideH, 0),
          strideW: int(o, DEPTHWISE_OPTIONS.strideW, 0),
          dilationH: int(o, DEPTHWISE_OPTIONS.dilationH, 1),
          dilationW: int(o, DEPTHWISE_OPTIONS.dilationW, 1),
          padding: padding(o, DEPTHWISE_OPTIONS.padding, ctx),
          activation: activation(o, DEPTHWISE_OPTIONS.activation, ctx),
          depthMultiplier: depthMultiplier(int(o, DEPTHWISE_OPTIONS.depthMultiplier, 0), ctx),
        },
      }),
    },
  ],
  [
    BUILTIN.FULLY_CONNECTED,
    {
      name: 'FULLY_CONNECTED',
      optionsType: OPTIONS_TYPE.FullyConnectedOptions,
      convert: (o, ctx) => {
        const format = o === undefined ? FC_WEIGHTS_FORMAT_DEFAULT : o.int8(FULLY_CONNECTED_OPTIONS.weightsFormat, 0);
        if (format !== FC_WEIGHTS_FORMAT_DEFAULT) unsupported(ctx, `weights_format ${format} (shuffled weights) is not supported`);
        return {
          op: 'FullyConnected',
          attrs: {
            activation: activation(o, FULLY_CONNECTED_OPTIONS.activation, ctx),
            keepNumDims: o === undefined ? false : o.bool(FULLY_CONNECTED_OPTIONS.keepNumDims, false),
          },
        };
      },
    },
  ],
  [BUILTIN.AVERAGE_POOL_2D, pool('AveragePool2D', 'AVERAGE_POOL_2D')],
  [BUILTIN.MAX_POOL_2D, pool('MaxPool2D', 'MAX_POOL_2D')],
  [BUILTIN.RESHAPE, noOptions('Reshape', 'RESHAPE', OPTIONS_TYPE.ReshapeOptions)],
  [
    BUILTIN.SQUEEZE,
    {
      name: 'SQUEEZE',
      optionsType: OPTIONS_TYPE.SqueezeOptions,
      convert: (o) => ({ op: 'Squeeze', attrs: { axes: o?.int32s(SQUEEZE_OPTIONS.squeezeDims, 'squeeze_dims') ?? [] } }),
    },
  ],
  [
    BUILTIN.SOFTMAX,
    {
      name: 'SOFTMAX',
      optionsType: OPTIONS_TYPE.SoftmaxOptions,
      convert: (o) => ({ op: 'Softmax', attrs: { beta: o === undefined ? 0 : o.float32(SOFTMAX_OPTIONS.beta, 0) } }),
    },
  ],
  [BUILTIN.ADD, elementwise('Add', 'ADD', OPTIONS_TYPE.AddOptions)],
  [BUILTIN.SUB, elementwise('Sub', 'SUB', OPTIONS_TYPE.SubOptions)],
  [BUILTIN.MUL, elementwise('Mul', 'MUL', OPTIONS_TYPE.MulOptions)],
  [
    BUILTIN.MEAN,
    {
      name: 'MEAN',
      optionsType: OPTIONS_TYPE.ReducerOptions,
      convert: (o) => ({ op: 'Mean', attrs: { keepDims: o === undefined ? false : o.bool(REDUCER_OPTIONS.keepDims, false) } }),
    },
  ],
  [BUILTIN.PAD, noOptions('Pad', 'PAD', OPTIONS_TYPE.PadOptions)],
  [BUILTIN.PADV2, noOptions('Pad', 'PADV2', OPTIONS_TYPE.PadV2Options)],
  [
    BUILTIN.CONCATENATION,
    {
      name: 'CONCATENATION',
      optionsType: OPTIONS_TYPE.ConcatenationOptions,
      convert: (o, ctx) => ({
        op: 'Concatenation',
        attrs: { axis: int(o, CONCATENATION_OPTIONS.axis, 0), activation: activation(o, CONCATENATION_OPTIONS.activation, ctx) },
      }),
    },
  ],
  [BUILTIN.QUANTIZE, noOptions('Quantize', 'QUANTIZE', OPTIONS_TYPE.QuantizeOptions)],
  [BUILTIN.DEQUANTIZE, noOptions('Dequantize', 'DEQUANTIZE', OPTIONS_TYPE.DequantizeOptions)],
  [BUILTIN.LOGISTIC, noOptions('Logistic', 'LOGISTIC', OPTIONS_TYPE.NONE)],
  [BUILTIN.TANH, noOptions('Tanh', 'TANH', OPTIONS_TYPE.NONE)],
  [BUILTIN.RELU, noOptions('Relu', 'RELU', OPTIONS_TYPE.NONE)],
  [BUILTIN.RELU6, noOptions('Relu6', 'RELU6', OPTIONS_TYPE.NONE)],
  [
    BUILTIN.RELU_N1_TO_1,
    { name: 'RELU_N1_TO_1', optionsType: OPTIONS_TYPE.NONE, convert: () => ({ op: 'Clip', attrs: { min: -1, max: 1 } }) },
  ],
  [
    BUILTIN.LEAKY_RELU,
    {
      name: 'LEAKY_RELU',
      optionsType: OPTIONS_TYPE.LeakyReluOptions,
      convert: (o) => ({ op: 'LeakyRelu', attrs: { alpha: o === undefined ? 0 : o.float32(LEAKY_RELU_OPTIONS.alpha, 0) } }),
    },
  ],
  [BUILTIN.HARD_SWISH, noOptions('HardSwish', 'HARD_SWISH', OPTIONS_TYPE.HardSwishOptions)],
  [BUILTIN.TRANSPOSE, noOptions('Transpose', 'TRANSPOSE', OPTIONS_TYPE.TransposeOptions)],
  [
    BUILTIN.STRIDED_SLICE,
    {
      name: 'STRIDED_SLICE',
      optionsType: OPTIONS_TYPE.StridedSliceOptions,
      convert: (o) => ({
        op: 'StridedSlice',
        attrs: {
          beginMask: int(o, STRIDED_SLICE_OPTIONS.beginMask, 0),
          endMask: int(o, STRIDED_SLICE_OPTIONS.endMask, 0),
          ellipsisMask: int(o, STRIDED_SLICE_OPTIONS.ellipsisMask, 0),
          newAxisMask: int(o, STRIDED_SLICE_OPTIONS.newAxisMask, 0),
          shrinkAxisMask: int(o, STRIDED_SLICE_OPTIONS.shrinkAxisMask, 0),
          offset: o === undefined ? false : o.bool(STRIDED_SLICE_OPTIONS.offset, false),
        },
      }),
    },
  ],
]);

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
  return { name, op: converted.op, attrs: converted.attrs, inputs, outputs } as Node;
}
