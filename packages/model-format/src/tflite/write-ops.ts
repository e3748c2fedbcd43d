import { Builder } from 'flatbuffers';
import { asTfliteKeyword, bytesOf, DType, FusedActivation, fusedActivationOf, handlerFor, Node, NodeOf, NodeTable, Padding, Tensor } from '@tinyforge/ir';
import { ModelFormatError } from '../errors';
import { writeOptions } from './options';
import {
  ACTIVATION,
  ADD_OPTIONS,
  BUILTIN,
  BuiltinName,
  CONCATENATION_OPTIONS,
  CONV_2D_OPTIONS,
  DEPTHWISE_OPTIONS,
  DEQUANTIZE_OPTIONS,
  FC_WEIGHTS_FORMAT_DEFAULT,
  FULLY_CONNECTED_OPTIONS,
  HARD_SWISH_OPTIONS,
  LEAKY_RELU_OPTIONS,
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

/** One TFLite operator to write: builtin code, its options table (written on demand) and tensor indices. */
export interface TfliteOp {
  builtin: number;
  version: number;
  optionsType: number;
  writeOptions?: (b: Builder) => number;
  inputs: number[];
  outputs: number[];
  /** Tensors the operator lists as intermediates (the integer LSTM's, as the TFLite converter writes them). */
  intermediates?: number[];
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
const act = (a: FusedActivation): number => ACTIVATION_CODE[a];

const unsupported = (node: Node, msg: string): never => {
  throw new ModelFormatError('FORMAT_UNSUPPORTED', `${node.op}: ${msg}`, { node: node.name });
};

/**
 * Operator versions for int8 kernels, as the converter writes them for the MLPerf Tiny models (float ops are
 * version 1). TFLite Micro ignores versions; full TFLite refuses versions it does not know, so these are the
 * lowest that cover int8.
 */
const INT8_VERSION: Partial<Record<BuiltinName, number>> = {
  CONV_2D: 3,
  DEPTHWISE_CONV_2D: 3,
  FULLY_CONNECTED: 4,
  AVERAGE_POOL_2D: 2,
  MAX_POOL_2D: 2,
  SOFTMAX: 2,
  ADD: 2,
  SUB: 2,
  MUL: 2,
  MEAN: 2,
  PAD: 2,
  PADV2: 2,
  CONCATENATION: 2,
  DEQUANTIZE: 2,
  LOGISTIC: 2,
  TANH: 2,
  RELU: 2,
  RELU6: 2,
  LEAKY_RELU: 2,
  TRANSPOSE: 2,
  STRIDED_SLICE: 2,
  SVDF: 3,
  TRANSPOSE_CONV: 3,
  TILE: 2,
};

/** Hybrid (float activations, int8 weights) conv / fully-connected versions, as in kws_dscnn_float. */
const HYBRID_VERSION: Partial<Record<BuiltinName, number>> = { CONV_2D: 2, FULLY_CONNECTED: 3 };

function opVersion(builtin: BuiltinName, inputType: DType | undefined, weightType: DType | undefined): number {
  if (inputType === 'int8' || inputType === 'int16') return INT8_VERSION[builtin] ?? 1;
  if (inputType === 'float32' && weightType === 'int8') return HYBRID_VERSION[builtin] ?? 1;
  return 1;
}

/** One TFLite operator: the builtin, its options (none for NO_OPTIONS), inputs and outputs. */
function operator<T extends OptionsTable>(t: TensorTable, builtin: BuiltinName, options: T, values: OptionValues<T>, inputs: number[], outputs: number[]): TfliteOp {
  const dtypeOf = (i: number): DType | undefined => (inputs[i] >= 0 ? t.tensors[inputs[i]]?.dtype : undefined);
  return {
    builtin: BUILTIN[builtin],
    version: opVersion(builtin, dtypeOf(0), dtypeOf(1)),
    optionsType: options.type,
    writeOptions: options.type === NO_OPTIONS.type ? undefined : writeOptions(options, values),
    inputs,
    outputs,
  };
}

/** The operator that computes `node` (on `inputs`, by default the node's). */
function emit<T extends OptionsTable>(node: Node, t: TensorTable, builtin: BuiltinName, options: T, values: OptionValues<T>, inputs = node.inputs): TfliteOp {
  return operator(t, builtin, options, values, inputs, node.outputs);
}

/** An operator whose options table has no fields (or that has none). */
const bare =
  (builtin: BuiltinName, options: OptionsTable<Record<string, never>>) =>
  (node: Node, t: TensorTable): TfliteOp[] => [emit(node, t, builtin, options, {})];

const refuse =
  (why: string) =>
  (node: Node): never =>
    unsupported(node, why);
const NOT_WRITTEN_YET = 'the TFLite writer does not write it yet (the reader reads it)';
const SIGNAL_NOT_WRITTEN = "TFLite Micro's Signal library ops (custom operators) are read, not written yet";
const PIPELINE_NOT_WRITTEN = 'a pipeline (front end, feature window, classifier) is two models: write each on its own';
const NO_TFLITE_OP = 'TFLite has no such operator; fold it away (the quantizer does) before writing';
const QDQ_ARITHMETIC = 'integer arithmetic of the ONNX QDQ export; the TFLite writer writes int8 inference graphs, whose requantization is implicit';

/** The builtin a clamp equal to a fused activation is written as (TFLite has no general clamp). */
const CLAMP_BUILTIN: Partial<Record<FusedActivation, BuiltinName>> = { relu: 'RELU', relu6: 'RELU6', relu_n1_to_1: 'RELU_N1_TO_1' };

/** How each IR op is written: usually one TFLite operator; an explicit-pad conv or max pool gets a PAD first. */
const OP_WRITERS: NodeTable<TfliteOp[], [TensorTable]> = {
  Conv2D: (node, t) => {
    const a = node.attrs;
    const w = t.tensors[node.inputs[1]];
    const { padding, pre, inputs } = resolvePadding(node, t, w.shape[1], w.shape[2], a);
    const values = { padding, strideW: a.strideW, strideH: a.strideH, activation: act(a.activation), dilationW: a.dilationW, dilationH: a.dilationH };
    return [...pre, emit(node, t, 'CONV_2D', CONV_2D_OPTIONS, values, inputs)];
  },
  DepthwiseConv2D: (node, t) => {
    const a = node.attrs;
    const w = t.tensors[node.inputs[1]];
    const { padding, pre, inputs } = resolvePadding(node, t, w.shape[1], w.shape[2], a);
    const values = {
      padding,
      strideW: a.strideW,
      strideH: a.strideH,
      depthMultiplier: a.depthMultiplier,
      activation: act(a.activation),
      dilationW: a.dilationW,
      dilationH: a.dilationH,
    };
    return [...pre, emit(node, t, 'DEPTHWISE_CONV_2D', DEPTHWISE_OPTIONS, values, inputs)];
  },
  AveragePool2D: (node, t) => writePool(node, t, 'AVERAGE_POOL_2D'),
  MaxPool2D: (node, t) => writePool(node, t, 'MAX_POOL_2D'),
  FullyConnected: (node, t) => {
    const values = { activation: act(node.attrs.activation), weightsFormat: FC_WEIGHTS_FORMAT_DEFAULT, keepNumDims: node.attrs.keepNumDims };
    return [emit(node, t, 'FULLY_CONNECTED', FULLY_CONNECTED_OPTIONS, values)];
  },
  // The output tensor's shape is authoritative; new_shape in the options is optional and left out.
  Reshape: bare('RESHAPE', NO_OPTIONS),
  Squeeze: (node, t) => [emit(node, t, 'SQUEEZE', SQUEEZE_OPTIONS, { squeezeDims: node.attrs.axes })],
  Softmax: (node, t) => [emit(node, t, 'SOFTMAX', SOFTMAX_OPTIONS, { beta: node.attrs.beta })],
  Add: (node, t) => [emit(node, t, 'ADD', ADD_OPTIONS, { activation: act(node.attrs.activation), potScaleInt16: !isInt16(node, t) })],
  Sub: (node, t) => [emit(node, t, 'SUB', SUB_OPTIONS, { activation: act(node.attrs.activation), potScaleInt16: !isInt16(node, t) })],
  Mul: (node, t) => [emit(node, t, 'MUL', MUL_OPTIONS, { activation: act(node.attrs.activation) })],
  Mean: (node, t) => [emit(node, t, 'MEAN', REDUCER_OPTIONS, { keepDims: node.attrs.keepDims })],
  Pad: (node, t) =>
    node.inputs.length > 2 && node.inputs[2] >= 0 ? [emit(node, t, 'PADV2', PADV2_OPTIONS, {})] : [emit(node, t, 'PAD', PAD_OPTIONS, {}, node.inputs.slice(0, 2))],
  Concatenation: (node, t) => [emit(node, t, 'CONCATENATION', CONCATENATION_OPTIONS, { axis: node.attrs.axis, activation: act(node.attrs.activation) })],
  Quantize: bare('QUANTIZE', QUANTIZE_OPTIONS),
  Dequantize: bare('DEQUANTIZE', DEQUANTIZE_OPTIONS),
  Logistic: bare('LOGISTIC', NO_OPTIONS),
  Tanh: bare('TANH', NO_OPTIONS),
  Relu: bare('RELU', NO_OPTIONS),
  Relu6: bare('RELU6', NO_OPTIONS),
  LeakyRelu: (node, t) => [emit(node, t, 'LEAKY_RELU', LEAKY_RELU_OPTIONS, { alpha: node.attrs.alpha })],
  HardSwish: bare('HARD_SWISH', HARD_SWISH_OPTIONS),
  Transpose: bare('TRANSPOSE', TRANSPOSE_OPTIONS),
  StridedSlice: (node, t) => [emit(node, t, 'STRIDED_SLICE', STRIDED_SLICE_OPTIONS, { ...node.attrs })],
  TransposeConv2D: (node, t) => writeTransposeConv(node, t),
  Tile: bare('TILE', TILE_OPTIONS),
  Clip: (node, t) => {
    const activation = fusedActivationOf(node);
    const builtin = activation === undefined ? undefined : CLAMP_BUILTIN[activation];
    if (builtin === undefined) return unsupported(node, `TFLite has no clamp to [${node.attrs.min}, ${node.attrs.max}] (only RELU, RELU6, RELU_N1_TO_1)`);
    return [emit(node, t, builtin, NO_OPTIONS, {})];
  },
  UnidirectionalSequenceLstm: (node, t) => {
    const a = node.attrs;
    const values = { activation: act(a.activation), cellClip: a.cellClip, projClip: a.projClip, timeMajor: a.timeMajor, asymmetricQuantizeInputs: false, diagonalRecurrentTensors: false };
    const op = emit(node, t, 'UNIDIRECTIONAL_SEQUENCE_LSTM', UNIDIRECTIONAL_SEQUENCE_LSTM_OPTIONS, values, padInputs(node.inputs, 24));
    const x = t.tensors[node.inputs[0]];
    if (x.dtype !== 'float32') op.intermediates = lstmIntermediates(node, t);
    return [op];
  },
  Svdf: (node, t) => [emit(node, t, 'SVDF', SVDF_OPTIONS, { rank: node.attrs.rank, activation: act(node.attrs.activation), asymmetricQuantizeInputs: false })],
  UnidirectionalSequenceGru: refuse('TFLite has no GRU operator (its converter unrolls GRUs into primitive ops)'),
  BatchNorm: refuse(NO_TFLITE_OP),
  Identity: refuse(NO_TFLITE_OP),
  Div: refuse(QDQ_ARITHMETIC),
  Round: refuse(QDQ_ARITHMETIC),
  Abs: refuse(QDQ_ARITHMETIC),
  Sign: refuse(QDQ_ARITHMETIC),
  Cast: refuse(QDQ_ARITHMETIC),
  Minimum: refuse(NOT_WRITTEN_YET),
  Maximum: refuse(NOT_WRITTEN_YET),
  SignalWindow: refuse(SIGNAL_NOT_WRITTEN),
  SignalFftScaleBits: refuse(SIGNAL_NOT_WRITTEN),
  SignalFftAutoScale: refuse(SIGNAL_NOT_WRITTEN),
  SignalRfft: refuse(SIGNAL_NOT_WRITTEN),
  SignalEnergy: refuse(SIGNAL_NOT_WRITTEN),
  SignalFilterBank: refuse(SIGNAL_NOT_WRITTEN),
  SignalFilterBankSquareRoot: refuse(SIGNAL_NOT_WRITTEN),
  SignalNoiseEstimate: refuse(SIGNAL_NOT_WRITTEN),
  SignalSpectralSubtraction: refuse(SIGNAL_NOT_WRITTEN),
  SignalPcan: refuse(SIGNAL_NOT_WRITTEN),
  SignalFilterBankLog: refuse(SIGNAL_NOT_WRITTEN),
  FeatureWindow: refuse(PIPELINE_NOT_WRITTEN),
};

function isInt16(node: Node, t: TensorTable): boolean {
  return t.tensors[node.inputs[0]].dtype === 'int16';
}

/** TFLite's LSTM has 24 inputs; the 20-input form (no layer norm) is padded with omitted ones. */
function padInputs(inputs: number[], count: number): number[] {
  return [...inputs, ...new Array<number>(Math.max(0, count - inputs.length)).fill(-1)];
}

/**
 * The five intermediates the TFLite converter gives an integer LSTM: the four gates' (unquantized: used only by the
 * layer-norm variant) and the effective hidden scale's (the hidden state's parameters). TFLite Micro reads none of
 * them; full TFLite's integer LSTM reads them.
 */
function lstmIntermediates(node: NodeOf<'UnidirectionalSequenceLstm'>, t: TensorTable): number[] {
  const hidden = t.tensors[node.inputs[18]];
  // Reuse a tensor of the same name (a graph read from a file this writer wrote) so that rewriting is stable.
  const named = (tensor: Tensor): number => {
    const existing = t.tensors.findIndex((x) => x.name === tensor.name && x.data === undefined && x.shape.length === 1 && x.shape[0] === 0);
    return existing >= 0 ? existing : t.add(tensor);
  };
  const gates = ['input_to_input', 'input_to_forget', 'input_to_cell', 'input_to_output'].map((g) => named({ name: `${node.name}/${g}_intermediate`, shape: [0], dtype: 'float32' }));
  const q = hidden.quant;
  const effective = named({
    name: `${node.name}/effective_hidden_scale_intermediate`,
    shape: [0],
    dtype: hidden.dtype,
    ...(q && { quant: { scale: [...q.scale], zeroPoint: [...q.zeroPoint], axis: q.axis } }),
  });
  return [...gates, effective];
}

/** The TFLite operator(s) for one IR node. */
export function lowerNode(node: Node, t: TensorTable): TfliteOp[] {
  return handlerFor(OP_WRITERS, node)!(node, t);
}

const int32Tensor = (t: TensorTable, name: string, values: readonly number[]): number =>
  t.add({ name, shape: [values.length], dtype: 'int32', data: bytesOf(Int32Array.from(values)).slice() });

/**
 * TRANSPOSE_CONV (output_shape, weights, input, bias?). Explicit pads that equal SAME or VALID for this geometry are
 * written as the keyword; others as VALID over the whole output window, cropped by a STRIDED_SLICE.
 */
function writeTransposeConv(node: NodeOf<'TransposeConv2D'>, t: TensorTable): TfliteOp[] {
  const a = node.attrs;
  const [x, w, bias] = [0, 1, 2].map((i) => (node.inputs[i] !== undefined && node.inputs[i] >= 0 ? node.inputs[i] : -1));
  const [n, inH, inW] = t.tensors[x].shape;
  const [outC, kH, kW] = t.tensors[w].shape;
  const keyword = asTfliteKeyword(a.outputH, a.outputW, kH, kW, a.strideH, a.strideW, 1, 1, a.padding);
  const options = (padding: number): OptionValues<typeof TRANSPOSE_CONV_OPTIONS> => ({ padding, strideW: a.strideW, strideH: a.strideH, activation: act(a.activation) });
  const inputs = (shape: number[]): number[] => [int32Tensor(t, `${node.name}/output_shape`, shape), w, x, ...(bias >= 0 ? [bias] : [])];
  if (keyword !== undefined) {
    const padding = keyword === 'same' ? PADDING.SAME : PADDING.VALID;
    return [emit(node, t, 'TRANSPOSE_CONV', TRANSPOSE_CONV_OPTIONS, options(padding), inputs([n, a.outputH, a.outputW, outC]))];
  }
  const p = a.padding as Exclude<Padding, string>;
  // VALID over every row a window reaches (or the output's end, when it goes past them), then cropped
  const full = [n, Math.max((inH - 1) * a.strideH + kH, p.top + a.outputH), Math.max((inW - 1) * a.strideW + kW, p.left + a.outputW), outC];
  const y = t.tensors[node.outputs[0]];
  const uncropped = t.add({ name: `${node.name}/uncropped`, shape: full, dtype: y.dtype, ...(y.quant && { quant: { ...y.quant, scale: [...y.quant.scale], zeroPoint: [...y.quant.zeroPoint] } }) });
  const conv = operator(t, 'TRANSPOSE_CONV', TRANSPOSE_CONV_OPTIONS, options(PADDING.VALID), inputs(full), [uncropped]);
  const begin = int32Tensor(t, `${node.name}/crop_begin`, [0, p.top, p.left, 0]);
  const end = int32Tensor(t, `${node.name}/crop_end`, [n, p.top + a.outputH, p.left + a.outputW, outC]);
  const strides = int32Tensor(t, `${node.name}/crop_strides`, [1, 1, 1, 1]);
  const crop = operator(t, 'STRIDED_SLICE', STRIDED_SLICE_OPTIONS, { beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0, offset: false }, [uncropped, begin, end, strides], node.outputs);
  return [conv, crop];
}

function writePool(node: NodeOf<'AveragePool2D'> | NodeOf<'MaxPool2D'>, t: TensorTable, builtin: 'AVERAGE_POOL_2D' | 'MAX_POOL_2D'): TfliteOp[] {
  const a = node.attrs;
  const { padding, pre, inputs } = resolvePadding(node, t, a.filterH, a.filterW, { ...a, dilationH: 1, dilationW: 1 });
  const values = { padding, strideW: a.strideW, strideH: a.strideH, filterW: a.filterW, filterH: a.filterH, activation: act(a.activation) };
  return [...pre, emit(node, t, builtin, POOL_2D_OPTIONS, values, inputs)];
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
  let pad: TfliteOp;
  if (node.op === 'MaxPool2D') {
    const lowest = t.add({
      name: `${node.name}/pad_value`,
      shape: [],
      dtype: x.dtype,
      data: lowestValue(x.dtype, node),
      ...(x.quant && { quant: { ...x.quant, scale: [...x.quant.scale], zeroPoint: [...x.quant.zeroPoint] } }),
    });
    pad = operator(t, 'PADV2', PADV2_OPTIONS, {}, [node.inputs[0], paddings, lowest], [padded]);
  } else {
    pad = operator(t, 'PAD', PAD_OPTIONS, {}, [node.inputs[0], paddings], [padded]);
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
