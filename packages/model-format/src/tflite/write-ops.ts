import { Builder } from 'flatbuffers';
import { asTfliteKeyword, bytesOf, DType, FusedActivation, Node, NodeOf, Padding, Tensor } from '@tinyforge/ir';
import { ModelFormatError } from '../errors';
import {
  ACTIVATION,
  BUILTIN,
  CONCATENATION_OPTIONS,
  CONV_2D_OPTIONS,
  DEPTHWISE_OPTIONS,
  ELEMENTWISE_OPTIONS,
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

/** One TFLite operator to write: builtin code, its options table (written on demand) and tensor indices. */
export interface TfliteOp {
  builtin: number;
  version: number;
  optionsType: number;
  writeOptions?: (b: Builder) => number;
  inputs: number[];
  outputs: number[];
}

/** The tensor list being written: the graph's tensors plus any the writer adds (e.g. explicit paddings). */
export interface TensorTable {
  tensors: Tensor[];
  add(t: Tensor): number;
}

const ACTIVATION_CODE: Record<FusedActivation, number> = {
  none: ACTIVATION.NONE,
  relu: ACTIVATION.RELU,
  relu_n1_to_1: ACTIVATION.RELU_N1_TO_1,
  relu6: ACTIVATION.RELU6,
  tanh: ACTIVATION.TANH,
  sign_bit: ACTIVATION.SIGN_BIT,
};

/** A small options table from (field id, kind, value, schema default) entries; defaults are omitted. */
type Field = [id: number, kind: 'i8' | 'i32' | 'f32' | 'bool', value: number | boolean, dflt: number | boolean];

function table(fields: Field[]): (b: Builder) => number {
  return (b) => {
    b.startObject(fields.reduce((n, [id]) => Math.max(n, id + 1), 0));
    for (const [id, kind, value, dflt] of fields) {
      const v = Number(value);
      const d = Number(dflt);
      if (kind === 'i32') b.addFieldInt32(id, v, d);
      else if (kind === 'f32') b.addFieldFloat32(id, v, d);
      else b.addFieldInt8(id, v, d);
    }
    return b.endObject();
  };
}

const emptyTable = (b: Builder): number => {
  b.startObject(0);
  return b.endObject();
};

const unsupported = (node: Node, msg: string): never => {
  throw new ModelFormatError('FORMAT_UNSUPPORTED', `${node.op}: ${msg}`, { node: node.name });
};

/**
 * Operator versions for int8 kernels, as the converter writes them for the MLPerf Tiny models (float ops are
 * version 1). TFLite Micro ignores versions; full TFLite refuses versions it does not know, so these are the
 * lowest that cover int8.
 */
const INT8_VERSION: Partial<Record<number, number>> = {
  [BUILTIN.CONV_2D]: 3,
  [BUILTIN.DEPTHWISE_CONV_2D]: 3,
  [BUILTIN.FULLY_CONNECTED]: 4,
  [BUILTIN.AVERAGE_POOL_2D]: 2,
  [BUILTIN.MAX_POOL_2D]: 2,
  [BUILTIN.SOFTMAX]: 2,
  [BUILTIN.ADD]: 2,
  [BUILTIN.SUB]: 2,
  [BUILTIN.MUL]: 2,
  [BUILTIN.MEAN]: 2,
  [BUILTIN.PAD]: 2,
  [BUILTIN.PADV2]: 2,
  [BUILTIN.CONCATENATION]: 2,
  [BUILTIN.DEQUANTIZE]: 2,
  [BUILTIN.LOGISTIC]: 2,
  [BUILTIN.TANH]: 2,
  [BUILTIN.RELU]: 2,
  [BUILTIN.RELU6]: 2,
  [BUILTIN.LEAKY_RELU]: 2,
  [BUILTIN.TRANSPOSE]: 2,
  [BUILTIN.STRIDED_SLICE]: 2,
};

/** Hybrid (float activations, int8 weights) conv / fully-connected versions, as in kws_dscnn_float. */
const HYBRID_VERSION: Partial<Record<number, number>> = { [BUILTIN.CONV_2D]: 2, [BUILTIN.FULLY_CONNECTED]: 3 };

function opVersion(builtin: number, inputType: DType | undefined, weightType: DType | undefined): number {
  if (inputType === 'int8' || inputType === 'int16') return INT8_VERSION[builtin] ?? 1;
  if (inputType === 'float32' && weightType === 'int8') return HYBRID_VERSION[builtin] ?? 1;
  return 1;
}

/** The TFLite operator(s) for one IR node: usually one; an explicit-pad conv or max pool gets a PAD first. */
export function lowerNode(node: Node, t: TensorTable): TfliteOp[] {
  const dtypeOf = (i: number): DType | undefined => (node.inputs[i] >= 0 ? t.tensors[node.inputs[i]]?.dtype : undefined);
  const op = (builtin: number, optionsType: number, writeOptions?: (b: Builder) => number, inputs = node.inputs): TfliteOp => ({
    builtin,
    version: opVersion(builtin, dtypeOf(0), dtypeOf(1)),
    optionsType,
    writeOptions,
    inputs,
    outputs: node.outputs,
  });
  const act = (a: FusedActivation): number => ACTIVATION_CODE[a];

  switch (node.op) {
    case 'Conv2D': {
      const a = node.attrs;
      const w = t.tensors[node.inputs[1]];
      const { padding, pre, inputs } = resolvePadding(node, t, w.shape[1], w.shape[2], a);
      return [
        ...pre,
        op(
          BUILTIN.CONV_2D,
          OPTIONS_TYPE.Conv2DOptions,
          table([
            [CONV_2D_OPTIONS.padding, 'i8', padding, PADDING.SAME],
            [CONV_2D_OPTIONS.strideW, 'i32', a.strideW, 0],
            [CONV_2D_OPTIONS.strideH, 'i32', a.strideH, 0],
            [CONV_2D_OPTIONS.activation, 'i8', act(a.activation), 0],
            [CONV_2D_OPTIONS.dilationW, 'i32', a.dilationW, 1],
            [CONV_2D_OPTIONS.dilationH, 'i32', a.dilationH, 1],
          ]),
          inputs,
        ),
      ];
    }
    case 'DepthwiseConv2D': {
      const a = node.attrs;
      const w = t.tensors[node.inputs[1]];
      const { padding, pre, inputs } = resolvePadding(node, t, w.shape[1], w.shape[2], a);
      return [
        ...pre,
        op(
          BUILTIN.DEPTHWISE_CONV_2D,
          OPTIONS_TYPE.DepthwiseConv2DOptions,
          table([
            [DEPTHWISE_OPTIONS.padding, 'i8', padding, PADDING.SAME],
            [DEPTHWISE_OPTIONS.strideW, 'i32', a.strideW, 0],
            [DEPTHWISE_OPTIONS.strideH, 'i32', a.strideH, 0],
            [DEPTHWISE_OPTIONS.depthMultiplier, 'i32', a.depthMultiplier, 0],
            [DEPTHWISE_OPTIONS.activation, 'i8', act(a.activation), 0],
            [DEPTHWISE_OPTIONS.dilationW, 'i32', a.dilationW, 1],
            [DEPTHWISE_OPTIONS.dilationH, 'i32', a.dilationH, 1],
          ]),
          inputs,
        ),
      ];
    }
    case 'AveragePool2D':
    case 'MaxPool2D': {
      const a = node.attrs;
      const { padding, pre, inputs } = resolvePadding(node, t, a.filterH, a.filterW, { ...a, dilationH: 1, dilationW: 1 });
      return [
        ...pre,
        op(
          node.op === 'AveragePool2D' ? BUILTIN.AVERAGE_POOL_2D : BUILTIN.MAX_POOL_2D,
          OPTIONS_TYPE.Pool2DOptions,
          table([
            [POOL_2D_OPTIONS.padding, 'i8', padding, PADDING.SAME],
            [POOL_2D_OPTIONS.strideW, 'i32', a.strideW, 0],
            [POOL_2D_OPTIONS.strideH, 'i32', a.strideH, 0],
            [POOL_2D_OPTIONS.filterW, 'i32', a.filterW, 0],
            [POOL_2D_OPTIONS.filterH, 'i32', a.filterH, 0],
            [POOL_2D_OPTIONS.activation, 'i8', act(a.activation), 0],
          ]),
          inputs,
        ),
      ];
    }
    case 'FullyConnected':
      return [
        op(
          BUILTIN.FULLY_CONNECTED,
          OPTIONS_TYPE.FullyConnectedOptions,
          table([
            [FULLY_CONNECTED_OPTIONS.activation, 'i8', act(node.attrs.activation), 0],
            [FULLY_CONNECTED_OPTIONS.keepNumDims, 'bool', node.attrs.keepNumDims, false],
          ]),
        ),
      ];
    case 'Reshape':
      // The output tensor's shape is authoritative; new_shape in the options is optional and left out.
      return [op(BUILTIN.RESHAPE, OPTIONS_TYPE.NONE)];
    case 'Squeeze': {
      const axes = node.attrs.axes;
      return [
        op(BUILTIN.SQUEEZE, OPTIONS_TYPE.SqueezeOptions, (b) => {
          const v = intVector(b, axes);
          b.startObject(1);
          b.addFieldOffset(SQUEEZE_OPTIONS.squeezeDims, v, 0);
          return b.endObject();
        }),
      ];
    }
    case 'Softmax':
      return [op(BUILTIN.SOFTMAX, OPTIONS_TYPE.SoftmaxOptions, table([[SOFTMAX_OPTIONS.beta, 'f32', node.attrs.beta, 0]]))];
    case 'Add':
    case 'Sub':
    case 'Mul': {
      const [builtin, type] = {
        Add: [BUILTIN.ADD, OPTIONS_TYPE.AddOptions],
        Sub: [BUILTIN.SUB, OPTIONS_TYPE.SubOptions],
        Mul: [BUILTIN.MUL, OPTIONS_TYPE.MulOptions],
      }[node.op];
      return [op(builtin, type, table([[ELEMENTWISE_OPTIONS.activation, 'i8', act(node.attrs.activation), 0]]))];
    }
    case 'Mean':
      return [op(BUILTIN.MEAN, OPTIONS_TYPE.ReducerOptions, table([[REDUCER_OPTIONS.keepDims, 'bool', node.attrs.keepDims, false]]))];
    case 'Pad':
      return node.inputs.length > 2 && node.inputs[2] >= 0
        ? [op(BUILTIN.PADV2, OPTIONS_TYPE.PadV2Options, emptyTable)]
        : [op(BUILTIN.PAD, OPTIONS_TYPE.PadOptions, emptyTable, node.inputs.slice(0, 2))];
    case 'Concatenation':
      return [
        op(
          BUILTIN.CONCATENATION,
          OPTIONS_TYPE.ConcatenationOptions,
          table([
            [CONCATENATION_OPTIONS.axis, 'i32', node.attrs.axis, 0],
            [CONCATENATION_OPTIONS.activation, 'i8', act(node.attrs.activation), 0],
          ]),
        ),
      ];
    case 'Quantize':
      return [op(BUILTIN.QUANTIZE, OPTIONS_TYPE.QuantizeOptions, emptyTable)];
    case 'Dequantize':
      return [op(BUILTIN.DEQUANTIZE, OPTIONS_TYPE.DequantizeOptions, emptyTable)];
    case 'Logistic':
      return [op(BUILTIN.LOGISTIC, OPTIONS_TYPE.NONE)];
    case 'Tanh':
      return [op(BUILTIN.TANH, OPTIONS_TYPE.NONE)];
    case 'Relu':
      return [op(BUILTIN.RELU, OPTIONS_TYPE.NONE)];
    case 'Relu6':
      return [op(BUILTIN.RELU6, OPTIONS_TYPE.NONE)];
    case 'LeakyRelu':
      return [op(BUILTIN.LEAKY_RELU, OPTIONS_TYPE.LeakyReluOptions, table([[LEAKY_RELU_OPTIONS.alpha, 'f32', node.attrs.alpha, 0]]))];
    case 'HardSwish':
      return [op(BUILTIN.HARD_SWISH, OPTIONS_TYPE.HardSwishOptions, emptyTable)];
    case 'Transpose':
      return [op(BUILTIN.TRANSPOSE, OPTIONS_TYPE.TransposeOptions, emptyTable)];
    case 'StridedSlice': {
      const a = node.attrs;
      return [
        op(
          BUILTIN.STRIDED_SLICE,
          OPTIONS_TYPE.StridedSliceOptions,
          table([
            [STRIDED_SLICE_OPTIONS.beginMask, 'i32', a.beginMask, 0],
            [STRIDED_SLICE_OPTIONS.endMask, 'i32', a.endMask, 0],
            [STRIDED_SLICE_OPTIONS.ellipsisMask, 'i32', a.ellipsisMask, 0],
            [STRIDED_SLICE_OPTIONS.newAxisMask, 'i32', a.newAxisMask, 0],
            [STRIDED_SLICE_OPTIONS.shrinkAxisMask, 'i32', a.shrinkAxisMask, 0],
            [STRIDED_SLICE_OPTIONS.offset, 'bool', a.offset, false],
          ]),
        ),
      ];
    }
    case 'Clip': {
      const { min, max } = node.attrs;
      if (min === 0 && max === Infinity) return [op(BUILTIN.RELU, OPTIONS_TYPE.NONE)];
      if (min === 0 && max === 6) return [op(BUILTIN.RELU6, OPTIONS_TYPE.NONE)];
      if (min === -1 && max === 1) return [op(BUILTIN.RELU_N1_TO_1, OPTIONS_TYPE.NONE)];
      return unsupported(node, `TFLite has no clamp to [${min}, ${max}] (only RELU, RELU6, RELU_N1_TO_1)`);
    }
    case 'BatchNorm':
    case 'Identity':
      return unsupported(node, 'TFLite has no such operator; fold it away (the quantizer does) before writing');
    case 'Div':
    case 'Round':
    case 'Abs':
    case 'Sign':
    case 'Cast':
      return unsupported(node, 'integer arithmetic of the ONNX QDQ export; the TFLite writer writes int8 inference graphs, whose requantization is implicit');
  }
}

function intVector(b: Builder, values: number[]): number {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addInt32(values[i]);
  return b.endVector();
}

type SpatialAttrs = { strideH: number; strideW: number; dilationH: number; dilationW: number; padding: Padding };

/**
 * TFLite knows only SAME and VALID. Explicit pads that equal one of them for this geometry are written as it;
 * other pads become a PAD before the op and VALID on it. Padding must not change what the op computes: conv pads
 * with zero (the zero point when quantized, which is what PAD writes), max pool with the lowest value (PADV2);
 * average pool would count padded elements in its mean, so it is refused.
 */
function resolvePadding(
  node: NodeOf<'Conv2D'> | NodeOf<'DepthwiseConv2D'> | NodeOf<'AveragePool2D'> | NodeOf<'MaxPool2D'>,
  t: TensorTable,
  filterH: number,
  filterW: number,
  a: SpatialAttrs,
): { padding: number; pre: TfliteOp[]; inputs: number[] } {
  const x = t.tensors[node.inputs[0]];
  const [n, h, w, c] = x.shape;
  const keyword = asTfliteKeyword(h, w, filterH, filterW, a.strideH, a.strideW, a.dilationH, a.dilationW, a.padding);
  if (keyword !== undefined) return { padding: keyword === 'same' ? PADDING.SAME : PADDING.VALID, pre: [], inputs: node.inputs };
  if (node.op === 'AveragePool2D') {
    return unsupported(node, 'explicit padding that is neither SAME nor VALID would change the average (TFLite has no count_include_pad)');
  }
  const p = a.padding as Exclude<Padding, string>;
  const paddings = t.add({
    name: `${node.name}/explicit_paddings`,
    shape: [4, 2],
    dtype: 'int32',
    data: bytesOf(new Int32Array([0, 0, p.top, p.bottom, p.left, p.right, 0, 0])).slice(),
  });
  const padded = t.add({
    name: `${node.name}/padded`,
    shape: [n, h + p.top + p.bottom, w + p.left + p.right, c],
    dtype: x.dtype,
    ...(x.quant && { quant: { ...x.quant, scale: [...x.quant.scale], zeroPoint: [...x.quant.zeroPoint] } }),
  });
  const version = opVersion(BUILTIN.PAD, x.dtype, undefined);
  let pad: TfliteOp;
  if (node.op === 'MaxPool2D') {
    const lowest = t.add({
      name: `${node.name}/pad_value`,
      shape: [],
      dtype: x.dtype,
      data: lowestValue(x.dtype, node),
      ...(x.quant && { quant: { ...x.quant, scale: [...x.quant.scale], zeroPoint: [...x.quant.zeroPoint] } }),
    });
    pad = { builtin: BUILTIN.PADV2, version, optionsType: OPTIONS_TYPE.PadV2Options, writeOptions: emptyTable, inputs: [node.inputs[0], paddings, lowest], outputs: [padded] };
  } else {
    pad = { builtin: BUILTIN.PAD, version, optionsType: OPTIONS_TYPE.PadOptions, writeOptions: emptyTable, inputs: [node.inputs[0], paddings], outputs: [padded] };
  }
  return { padding: PADDING.VALID, pre: [pad], inputs: [padded, ...node.inputs.slice(1)] };
}

function lowestValue(dtype: DType, node: Node): Uint8Array {
  switch (dtype) {
    case 'float32':
      return bytesOf(new Float32Array([-3.4028234663852886e38])).slice();
    case 'int8':
      return bytesOf(new Int8Array([-128])).slice();
    case 'uint8':
      return new Uint8Array([0]);
    case 'int16':
      return bytesOf(new Int16Array([-32768])).slice();
    default:
      return unsupported(node, `max pool over ${dtype} with explicit padding`);
  }
}
