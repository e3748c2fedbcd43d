import { DType, FusedActivation, Graph, handlerFor, Node, NodeOf, NodeTable, Tensor, WeightedNode } from '@tinyforge/ir';
import { layerMultipliers, quantizeMultiplier } from '@tinyforge/interpreter';

/**
 * TFLite's int8 rounding spelled out in a QDQ graph, so that any ONNX runtime computes our int8 results exactly
 * instead of within one LSB: a runtime's QuantizeLinear rounds once, half to even, and TFLite rounds differently.
 *
 * Requantization (conv, depthwise, fully connected, add, sub, mul, int8 → int8 quantize, relu, leaky relu, mean):
 * TFLite multiplies an int32 value by a 31-bit multiplier M and a power of two — x = SaturatingRoundingDoublingHighMul(v·2^left, M), then
 * RoundingDivideByPOT(x, e) — two roundings, which no float scale reproduces. The graph recovers the integers from
 * the float values (Round(y / scale): float error stays far below half a unit) and does TFLite's arithmetic on int64:
 *   q = (|v|·M·2^left + 2^30 − [v < 0]) / 2^31,  r = (q + 2^(e−1)) / 2^e,  result = sign(v)·r
 * with integer Div, then multiplies by the output scale for the QuantizeLinear. Every Div's numerator is
 * non-negative, so floor and truncation agree and any runtime's integer Div gives the same result. Two bounds: a
 * left shift (multiplier ≥ 1) must not overflow int32 (TFLite's own v·2^left is undefined there), and the runtime's
 * float conv / matmul must stay within half a unit of the integer accumulator (exact for int8 operands and
 * accumulators below 2^24 with float32 sums of that size; onnxruntime's was exact on every MLPerf Tiny layer).
 *
 * Softmax, logistic, tanh and hard-swish stay float (TFLite's fixed-point approximations are not spelled out):
 * within one LSB of ours, as a single layer.
 *
 * Average pool: TFLite rounds the mean of the raw int8 values (zero point included) half away from zero; the graph
 * moves the dequantized mean 1/(4·window) LSB away from the raw zero, which breaks exact ties that way and moves no
 * other mean across a rounding boundary (those are at least 1/(2·window) from a half).
 */
export type TfliteRounding =
  /** Nodes after the op (written without its fused activation), from its float result `y`. */
  | { readsOpResult: true; nodes(g: Graph, y: number, out: number, add: AddTensor): Node[] }
  /** Nodes instead of the op, from its dequantized inputs. */
  | { readsOpResult: false; nodes(g: Graph, inputs: number[], out: number, add: AddTensor): Node[] };

type AddTensor = (t: Tensor) => number;
type ElementwiseNode = NodeOf<'Add'> | NodeOf<'Sub'> | NodeOf<'Mul'>;

/** The ops whose int8 rounding the graph spells out, and how; every other op's one rounding half to even is TFLite's. */
const ROUNDING: Partial<NodeTable<TfliteRounding>> = {
  Conv2D: (node) => afterOp(node, requantizeAccumulator),
  DepthwiseConv2D: (node) => afterOp(node, requantizeAccumulator),
  FullyConnected: (node) => afterOp(node, requantizeAccumulator),
  TransposeConv2D: (node) => afterOp(node, requantizeAccumulator),
  AveragePool2D: (node) => afterOp(node, breakAveragePoolTies),
  Mean: (node) => afterOp(node, mean),
  Add: (node) => insteadOfOp(node, sumOrDifference(1)),
  Sub: (node) => insteadOfOp(node, sumOrDifference(-1)),
  Mul: (node) => insteadOfOp(node, product),
  // QUANTIZE forms its multiplier from the scales' ratio in double, RELU in float32 (as the interpreter's kernels).
  Quantize: (node) => insteadOfOp(node, rescale((si, so) => si / so, 'none')),
  Relu: (node) => insteadOfOp(node, rescale((si, so) => Math.fround(si / so), 'relu')),
  LeakyRelu: (node) => insteadOfOp(node, leakyRescale),
};

/** How TFLite rounds this int8 node's result, or undefined where one rounding half to even is already TFLite's. */
export function tfliteRounding(int8Node: Node): TfliteRounding | undefined {
  return handlerFor(ROUNDING, int8Node)?.(int8Node);
}

function afterOp<N extends Node>(node: N, build: (g: Graph, node: N, y: number, out: number, s: NodeSink) => void): TfliteRounding {
  return { readsOpResult: true, nodes: (g, y, out, add) => sink(g, node, add, (s) => build(g, node, y, out, s)) };
}

function insteadOfOp<N extends Node>(node: N, build: (g: Graph, node: N, inputs: number[], out: number, s: NodeSink) => void): TfliteRounding {
  return { readsOpResult: false, nodes: (g, inputs, out, add) => sink(g, node, add, (s) => build(g, node, inputs, out, s)) };
}

function sink(g: Graph, node: Node, add: AddTensor, build: (s: NodeSink) => void): Node[] {
  const s = new NodeSink(g.tensors[node.outputs[0]], add);
  build(s);
  return s.nodes;
}

/** Emits the extra nodes of one op, naming every tensor and node after the op's output (exported for its spec). */
export class NodeSink {
  readonly nodes: Node[] = [];
  constructor(
    private readonly base: Tensor,
    private readonly add: AddTensor,
  ) {}

  private constant(suffix: string, dtype: DType, data: Float32Array | BigInt64Array): number {
    return this.add({ name: `${this.base.name}/${suffix}`, shape: [data.length], dtype, data: new Uint8Array(data.buffer) });
  }

  floats(suffix: string, values: ArrayLike<number>): number {
    return this.constant(suffix, 'float32', Float32Array.from(values));
  }

  int64s(suffix: string, values: ArrayLike<number>): number {
    return this.constant(suffix, 'int64', BigInt64Array.from(Array.from(values, (v) => BigInt(v))));
  }

  /** One node into a new temporary of `shape` (default: the op's output shape), or into `out`. */
  op(suffix: string, node: { op: Node['op']; attrs: object; inputs: number[] }, dtype: DType, options: { out?: number; shape?: number[] } = {}): number {
    const o = options.out ?? this.add({ name: `${this.base.name}/${suffix}`, shape: [...(options.shape ?? this.base.shape)], dtype });
    this.nodes.push({ ...node, name: `${this.base.name}/${suffix}`, outputs: [o] } as Node);
    return o;
  }

  binary(suffix: string, op: 'Add' | 'Mul' | 'Div', a: number, b: number, dtype: DType, options: { activation?: FusedActivation; out?: number; shape?: number[] } = {}): number {
    return this.op(suffix, { op, attrs: { activation: options.activation ?? 'none' }, inputs: [a, b] }, dtype, options);
  }

  unary(suffix: string, op: 'Round' | 'Abs' | 'Sign' | 'Cast', a: number, dtype: DType, shape?: number[]): number {
    return this.op(suffix, { op, attrs: {}, inputs: [a] }, dtype, { shape });
  }

  /** Round(y / scale) as int64: the integer behind a float value of that (per-channel) scale. */
  integer(suffix: string, y: number, scale: readonly number[], shape?: number[]): number {
    const unscaled = this.binary(`${suffix}_unscaled`, 'Div', y, this.floats(`${suffix}_scale`, scale), 'float32', { shape });
    return this.unary(`${suffix}_i64`, 'Cast', this.unary(`${suffix}_rounded`, 'Round', unscaled, 'float32', shape), 'int64', shape);
  }

  /**
   * TFLite's MultiplyByQuantizedMultiplier on an int64 tensor of int32 values, per channel (last axis) or per
   * tensor; `shape` is the value's (default: the op's output shape).
   */
  multiplyByQuantizedMultiplier(suffix: string, v: number, multipliers: readonly number[], shifts: readonly number[], shape?: number[]): number {
    const o = { shape };
    const sign = this.unary(`${suffix}_sign`, 'Sign', v, 'int64', shape);
    const magnitude = this.unary(`${suffix}_magnitude`, 'Abs', v, 'int64', shape);
    const product = this.binary(`${suffix}_product`, 'Mul', magnitude, this.int64s(`${suffix}_multiplier`, multipliers.map((m, c) => m * 2 ** Math.max(0, shifts[c]))), 'int64', o);
    // SaturatingRoundingDoublingHighMul's nudge, 2^30 or 2^30 − 1 for a negative value: (sign + 2^31 − 1) / 2.
    const nudgeTwice = this.binary(`${suffix}_nudge_twice`, 'Add', sign, this.int64s(`${suffix}_nudge_base`, [2 ** 31 - 1]), 'int64', o);
    const nudge = this.binary(`${suffix}_nudge`, 'Div', nudgeTwice, this.int64s(`${suffix}_two`, [2]), 'int64', o);
    const nudged = this.binary(`${suffix}_nudged`, 'Add', product, nudge, 'int64', o);
    const high = this.binary(`${suffix}_high`, 'Div', nudged, this.int64s(`${suffix}_two_pow_31`, [2 ** 31]), 'int64', o);
    // RoundingDivideByPOT by e = max(0, −shift), half away from zero, on the magnitude.
    const shifted = this.divideHalfUp(`${suffix}_shifted`, high, shifts.map((k) => 2 ** Math.max(0, -k)), shape);
    return this.binary(`${suffix}_signed`, 'Mul', shifted, sign, 'int64', o);
  }

  /** A non-negative int64 value divided by positive integers (per channel or one), rounding half up. */
  divideHalfUp(suffix: string, magnitude: number, divisors: readonly number[], shape?: number[]): number {
    const halfUp = this.binary(`${suffix}_half_up`, 'Add', magnitude, this.int64s(`${suffix}_half`, divisors.map((d) => Math.floor(d / 2))), 'int64', { shape });
    return this.binary(suffix, 'Div', halfUp, this.int64s(`${suffix}_divisor`, divisors), 'int64', { shape });
  }

  /** An int64 result in output LSBs → its real value (activation applied) into `out`. */
  real(result: number, outScale: number, activation: FusedActivation, out: number): void {
    this.binary('real', 'Mul', this.unary('result', 'Cast', result, 'float32'), this.floats('output_scale', [outScale]), 'float32', { activation, out });
  }
}

function requantizeAccumulator(g: Graph, node: WeightedNode, y: number, out: number, s: NodeSink): void {
  const outQ = g.tensors[node.outputs[0]].quant!;
  const inScale = g.tensors[node.inputs[0]].quant!.scale[0];
  const wScales = g.tensors[node.inputs[1]].quant!.scale;
  const outShape = g.tensors[node.outputs[0]].shape;
  const channels = outShape[outShape.length - 1];
  const { multipliers, shifts } = layerMultipliers(node.op, inScale, wScales, outQ.scale[0], channels);
  const accScale = Array.from({ length: channels }, (_, c) => Math.fround(inScale) * Math.fround(wScales.length > 1 ? wScales[c] : wScales[0]));
  const acc = s.integer('accumulator', y, accScale);
  s.real(s.multiplyByQuantizedMultiplier('requantize', acc, Array.from(multipliers), Array.from(shifts)), outQ.scale[0], node.attrs.activation, out);
}

/** A tensor's (per-tensor) scale as the int8 kernels read it: float32. */
const kernelScale = (g: Graph, t: number): number => Math.fround(g.tensors[t].quant!.scale[0]);

/** Left shift of int8 ADD/SUB operands before rescaling to a common scale (TFLite's, as the interpreter's). */
const ADD_LEFT_SHIFT = 20;

/** The two int8 operands as int64 integers, and the scales of the inputs and the output. */
function integerOperands(g: Graph, node: ElementwiseNode, inputs: number[], s: NodeSink): { a: number; b: number; sa: number; sb: number; so: number } {
  const [sa, sb, so] = [node.inputs[0], node.inputs[1], node.outputs[0]].map((t) => kernelScale(g, t));
  const [a, b] = [0, 1].map((i) => s.integer(`input${i}`, inputs[i], [[sa, sb][i]], g.tensors[node.inputs[i]].shape));
  return { a, b, sa, sb, so };
}

/** Int8 MUL: the integer product requantized by one multiplier. */
function product(g: Graph, node: NodeOf<'Mul'>, inputs: number[], out: number, s: NodeSink): void {
  const { a, b, sa, sb, so } = integerOperands(g, node, inputs, s);
  const m = quantizeMultiplier((sa * sb) / so);
  const p = s.binary('product', 'Mul', a, b, 'int64');
  s.real(s.multiplyByQuantizedMultiplier('requantize', p, [m.multiplier], [m.shift]), so, node.attrs.activation, out);
}

/** Int8 ADD (sign 1) and SUB (sign −1): both operands widened and rescaled to a common scale, then requantized. */
const sumOrDifference =
  (sign: 1 | -1) =>
  (g: Graph, node: NodeOf<'Add'> | NodeOf<'Sub'>, inputs: number[], out: number, s: NodeSink): void => {
    const { a, b, sa, sb, so } = integerOperands(g, node, inputs, s);
    const twiceMaxScale = 2 * Math.max(sa, sb);
    const scaled = [a, b].map((v, i) => {
      const m = quantizeMultiplier([sa, sb][i] / twiceMaxScale);
      const shape = g.tensors[node.inputs[i]].shape;
      const widened = s.binary(`input${i}_widened`, 'Mul', v, s.int64s(`input${i}_left_shift`, [2 ** ADD_LEFT_SHIFT]), 'int64', { shape });
      return s.multiplyByQuantizedMultiplier(`input${i}_rescale`, widened, [m.multiplier], [m.shift], shape);
    });
    const second = sign < 0 ? s.binary('negated', 'Mul', scaled[1], s.int64s('minus_one', [-1]), 'int64', { shape: g.tensors[node.inputs[1]].shape }) : scaled[1];
    const sum = s.binary('sum', 'Add', scaled[0], second, 'int64');
    const m = quantizeMultiplier(twiceMaxScale / (2 ** ADD_LEFT_SHIFT * so));
    s.real(s.multiplyByQuantizedMultiplier('requantize', sum, [m.multiplier], [m.shift]), so, node.attrs.activation, out);
  };

/** x − zero point as an int64 integer, with the input and output scales. */
function integerInput(g: Graph, node: Node, input: number, s: NodeSink): { v: number; si: number; so: number } {
  const [si, so] = [node.inputs[0], node.outputs[0]].map((t) => kernelScale(g, t));
  return { v: s.integer('input', input, [si], g.tensors[node.inputs[0]].shape), si, so };
}

/**
 * Int8 → int8 ops that rescale x − zero point by one multiplier (QUANTIZE, RELU), formed from the input and output
 * scales as the interpreter's kernels form it; RELU's clamp at zero follows in float.
 */
const rescale =
  (ratio: (si: number, so: number) => number, activation: FusedActivation) =>
  (g: Graph, node: Node, inputs: number[], out: number, s: NodeSink): void => {
    const { v, si, so } = integerInput(g, node, inputs[0], s);
    const identity = quantizeMultiplier(ratio(si, so));
    s.real(s.multiplyByQuantizedMultiplier('rescale', v, [identity.multiplier], [identity.shift]), so, activation, out);
  };

/** Int8 LEAKY_RELU: one multiplier for the non-negative part, one (with alpha) for the negative part. */
function leakyRescale(g: Graph, node: NodeOf<'LeakyRelu'>, inputs: number[], out: number, s: NodeSink): void {
  const { v, si, so } = integerInput(g, node, inputs[0], s);
  const identity = quantizeMultiplier(Math.fround(si / so));
  // (v + |v|) / 2 and (v − |v|) / 2: the positive and negative parts, one of them 0, whose rescaling is 0.
  const alpha = quantizeMultiplier(Math.fround(Math.fround(si * Math.fround(node.attrs.alpha)) / so));
  const magnitude = s.unary('input_magnitude', 'Abs', v, 'int64');
  const two = s.int64s('two', [2]);
  const positive = s.binary('positive', 'Div', s.binary('twice_positive', 'Add', v, magnitude, 'int64'), two, 'int64');
  const negative = s.binary('negative', 'Div', s.binary('twice_negative', 'Add', v, s.binary('minus_magnitude', 'Mul', magnitude, s.int64s('minus_one', [-1]), 'int64'), 'int64'), two, 'int64');
  const sum = s.binary(
    'sum',
    'Add',
    s.multiplyByQuantizedMultiplier('positive_rescale', positive, [identity.multiplier], [identity.shift]),
    s.multiplyByQuantizedMultiplier('negative_rescale', negative, [alpha.multiplier], [alpha.shift]),
    'int64',
  );
  s.real(sum, so, 'none', out);
}

/**
 * Int8 MEAN: the sum of x − zero point over the reduced axes (recovered from the float mean times their size),
 * rescaled by scale_in / scale_out, then divided by the size rounding half away from zero.
 */
function mean(g: Graph, node: NodeOf<'Mean'>, y: number, out: number, s: NodeSink): void {
  const [si, so] = [node.inputs[0], node.outputs[0]].map((t) => kernelScale(g, t));
  const inCount = g.tensors[node.inputs[0]].shape.reduce((p, d) => p * d, 1);
  const outCount = Math.max(1, g.tensors[node.outputs[0]].shape.reduce((p, d) => p * d, 1));
  const count = inCount / outCount;
  const sum = s.integer('sum', y, [si / count]);
  const m = quantizeMultiplier(si / so);
  const acc = s.multiplyByQuantizedMultiplier('rescale', sum, [m.multiplier], [m.shift]);
  const sign = s.unary('acc_sign', 'Sign', acc, 'int64');
  const divided = s.divideHalfUp('divided', s.unary('acc_magnitude', 'Abs', acc, 'int64'), [count]);
  s.real(s.binary('mean', 'Mul', divided, sign, 'int64'), so, 'none', out);
}

/** 2^64: any nonzero float times this is far outside [-1, 1], so Clip(y·2^64, -1, 1) is sign(y). */
const SIGN_GAIN = 2 ** 64;

function breakAveragePoolTies(g: Graph, node: NodeOf<'AveragePool2D'>, y: number, out: number, s: NodeSink): void {
  const inQ = g.tensors[node.inputs[0]].quant!;
  const window = node.attrs.filterH * node.attrs.filterW;
  const raw = s.binary('raw', 'Add', y, s.floats('raw_zero', [inQ.scale[0] * inQ.zeroPoint[0]]), 'float32');
  const sign = s.op('sign', { op: 'Clip', attrs: { min: -1, max: 1 }, inputs: [s.binary('sign_gain', 'Mul', raw, s.floats('gain', [SIGN_GAIN]), 'float32')] }, 'float32');
  const tieBreak = s.binary('tie_break', 'Mul', sign, s.floats('tie_amount', [inQ.scale[0] / (4 * window)]), 'float32');
  s.binary('rounded_as_tflite', 'Add', y, tieBreak, 'float32', { activation: node.attrs.activation, out });
}
