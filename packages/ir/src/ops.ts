/**
 * The operator set of the IR. One table drives importers, exporters, the interpreter and code generation, so an
 * operator is declared exactly once here. Semantics and tensor layouts follow TFLite (NHWC activations, OHWI conv
 * weights, [1, H, W, C*M] depthwise weights, [out, in] fully-connected weights); operands that TFLite passes as
 * tensors (RESHAPE's shape, MEAN's axes, PAD's paddings, TRANSPOSE's permutation, STRIDED_SLICE's
 * begin/end/strides) are constant input tensors here too.
 */

export type FusedActivation = 'none' | 'relu' | 'relu_n1_to_1' | 'relu6' | 'tanh' | 'sign_bit';

export interface ExplicitPadding {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/** 'same' and 'valid' as TFLite defines them; explicit pads come from ONNX. */
export type Padding = 'same' | 'valid' | ExplicitPadding;

export interface ConvAttrs {
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  padding: Padding;
  activation: FusedActivation;
}

export interface PoolAttrs {
  filterH: number;
  filterW: number;
  strideH: number;
  strideW: number;
  padding: Padding;
  activation: FusedActivation;
}

export interface OpAttrMap {
  /** inputs: x [N,H,W,Ci], w [Co,Kh,Kw,Ci], bias [Co]? */
  Conv2D: ConvAttrs;
  /** inputs: x [N,H,W,Ci], w [1,Kh,Kw,Ci*M], bias [Ci*M]? */
  DepthwiseConv2D: ConvAttrs & { depthMultiplier: number };
  /** inputs: x [..., In], w [Out, In], bias [Out]? */
  FullyConnected: { activation: FusedActivation; keepNumDims: boolean };
  AveragePool2D: PoolAttrs;
  MaxPool2D: PoolAttrs;
  /** inputs: x, shape (int32 constant)? — the output tensor's shape is authoritative. */
  Reshape: Record<string, never>;
  Squeeze: { axes: number[] };
  Softmax: { beta: number };
  Add: { activation: FusedActivation };
  Sub: { activation: FusedActivation };
  Mul: { activation: FusedActivation };
  /** inputs: x, axes (int32 constant) */
  Mean: { keepDims: boolean };
  /** inputs: x, paddings (int32 [rank, 2] constant), constant value (scalar, same dtype as x)? */
  Pad: Record<string, never>;
  Concatenation: { axis: number; activation: FusedActivation };
  Quantize: Record<string, never>;
  Dequantize: Record<string, never>;
  Logistic: Record<string, never>;
  Tanh: Record<string, never>;
  Relu: Record<string, never>;
  Relu6: Record<string, never>;
  LeakyRelu: { alpha: number };
  HardSwish: Record<string, never>;
  /** inputs: x, perm (int32 constant) */
  Transpose: Record<string, never>;
  /** inputs: x, begin, end, strides (int32 constants) */
  StridedSlice: {
    beginMask: number;
    endMask: number;
    ellipsisMask: number;
    newAxisMask: number;
    shrinkAxisMask: number;
    offset: boolean;
  };
  /** Float-only, from ONNX; folded away by the quantizer. inputs: x, scale, bias, mean, variance (per channel) */
  BatchNorm: { epsilon: number };
  /** Clamp to [min, max]; Relu/Relu6 are the common special cases and are imported as those. */
  Clip: { min: number; max: number };
  /** No-op (ONNX Identity / Dropout at inference); removed by the quantizer's passes. */
  Identity: Record<string, never>;
  /**
   * Elementwise integer arithmetic for exported graphs that spell out int8 requantization (the QDQ export); float
   * and int32/int64 tensors. Div truncates integers toward zero (as C and ONNX runtimes do); Round is half to even.
   */
  Div: { activation: FusedActivation };
  Round: Record<string, never>;
  Abs: Record<string, never>;
  Sign: Record<string, never>;
  /** Convert element type (float → integer truncates toward zero); the output tensor's dtype is the target. */
  Cast: Record<string, never>;
}

export type OpType = keyof OpAttrMap;

export const OP_TYPES: readonly OpType[] = [
  'Conv2D',
  'DepthwiseConv2D',
  'FullyConnected',
  'AveragePool2D',
  'MaxPool2D',
  'Reshape',
  'Squeeze',
  'Softmax',
  'Add',
  'Sub',
  'Mul',
  'Mean',
  'Pad',
  'Concatenation',
  'Quantize',
  'Dequantize',
  'Logistic',
  'Tanh',
  'Relu',
  'Relu6',
  'LeakyRelu',
  'HardSwish',
  'Transpose',
  'StridedSlice',
  'BatchNorm',
  'Clip',
  'Identity',
  'Div',
  'Round',
  'Abs',
  'Sign',
  'Cast',
];

export function isOpType(s: string): s is OpType {
  return (OP_TYPES as readonly string[]).includes(s);
}

export interface NodeOf<K extends OpType> {
  /** Unique within the graph; from the model where it has one, else derived from the first output's name. */
  name: string;
  op: K;
  attrs: OpAttrMap[K];
  /** Tensor indices; -1 marks an omitted optional input (e.g. no bias). */
  inputs: number[];
  outputs: number[];
}

export type Node = { [K in OpType]: NodeOf<K> }[OpType];

/** Narrow a node to one op type. */
export function isOp<K extends OpType>(node: Node, op: K): node is Node & NodeOf<K> {
  return node.op === op;
}

/** How many inputs each op takes: [min, max]. */
export const OP_ARITY: Record<OpType, [number, number]> = {
  Conv2D: [2, 3],
  DepthwiseConv2D: [2, 3],
  FullyConnected: [2, 3],
  AveragePool2D: [1, 1],
  MaxPool2D: [1, 1],
  Reshape: [1, 2],
  Squeeze: [1, 1],
  Softmax: [1, 1],
  Add: [2, 2],
  Sub: [2, 2],
  Mul: [2, 2],
  Mean: [2, 2],
  Pad: [2, 3],
  Concatenation: [1, Number.MAX_SAFE_INTEGER],
  Quantize: [1, 1],
  Dequantize: [1, 1],
  Logistic: [1, 1],
  Tanh: [1, 1],
  Relu: [1, 1],
  Relu6: [1, 1],
  LeakyRelu: [1, 1],
  HardSwish: [1, 1],
  Transpose: [2, 2],
  StridedSlice: [4, 4],
  BatchNorm: [5, 5],
  Clip: [1, 1],
  Identity: [1, 1],
  Div: [2, 2],
  Round: [1, 1],
  Abs: [1, 1],
  Sign: [1, 1],
  Cast: [1, 1],
};

/** Ops whose output is the input reinterpreted (no data movement): planners may alias them. */
export const VIEW_OPS: ReadonlySet<OpType> = new Set<OpType>(['Reshape', 'Squeeze', 'Identity']);
