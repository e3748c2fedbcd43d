import { dequantizeValues, dtypeBytes, DType, Quantization } from '@tinyforge/ir';
import { Attributes } from './attributes';
import { ImportContext } from './import-context';
import { irAxisFromOnnx, NCHW_TO_NHWC, transposeData } from './layout';
import { constantFloatValues, constantIntValues, decodeTensor, dtypeFromOnnx, OnnxConstant } from './proto-values';

/**
 * An operand of an element-wise op whose result has `outRank` dims. A lower-rank operand broadcast against a 4-D one is
 * first brought to rank 4 in ONNX terms ([C,1,1] → [1,C,1,1]) and then to NHWC, so that broadcasting lines up in the
 * IR's layout. `dims` overrides the operand's ONNX shape (opset < 7 broadcasting aligns it at an axis).
 */
function alignedOperand(ctx: ImportContext, i: number, outRank: number, dims = operandDims(ctx, i)): number {
  const trivial = dims.every((v) => v === 1);
  const c = ctx.constant(i);
  if (!sameDims(dims, operandDims(ctx, i))) {
    // opset < 7: B's dims re-placed (same elements, more axes)
    if (c !== undefined) return alignedConstant(ctx, { ...c, dims }, outRank);
    return alignedOperandOf(ctx, ctx.reshapeOnnx(ctx.input(i), dims, `${ctx.outputName()}/operand${i}_aligned`), dims, outRank, i);
  }
  if (outRank !== 4 || dims.length === 4 || trivial) return ctx.input(i);
  const padded = [...new Array<number>(4 - dims.length).fill(1), ...dims];
  if (c !== undefined) {
    return ctx.addConstant(c.name, NCHW_TO_NHWC.map((p) => padded[p]), c.dtype, transposeData(c.data, padded, NCHW_TO_NHWC, dtypeBytes(c.dtype)));
  }
  return ctx.reshapeOnnx(ctx.input(i), padded, `${ctx.outputName()}/operand${i}`);
}

/** A constant operand with (re-placed) dims, padded to rank 4 against a 4-D result. */
function alignedConstant(ctx: ImportContext, c: OnnxConstant, outRank: number): number {
  if (outRank !== 4 || c.dims.length === 4 || c.dims.every((v) => v === 1)) return ctx.materialize(c);
  return ctx.materialize({ ...c, dims: [...new Array<number>(4 - c.dims.length).fill(1), ...c.dims] });
}

/** A computed operand of ONNX shape `dims`, padded to rank 4 against a 4-D result. */
function alignedOperandOf(ctx: ImportContext, value: number, dims: number[], outRank: number, i: number): number {
  if (outRank !== 4 || dims.length === 4 || dims.every((v) => v === 1)) return value;
  return ctx.reshapeOnnx(value, [...new Array<number>(4 - dims.length).fill(1), ...dims], `${ctx.outputName()}/operand${i}`);
}

const sameDims = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

function operandDims(ctx: ImportContext, i: number): number[] {
  const c = ctx.constant(i);
  return c !== undefined ? c.dims : ctx.onnxShape(ctx.input(i));
}

/**
 * Before opset 7, B broadcasts only with `broadcast` = 1, its dims placed from `axis` on (default: the trailing
 * ones, which is numpy's rule); without it the shapes must be equal. Returns B's dims in numpy terms.
 */
function legacyBroadcastDims(ctx: ImportContext, a: Attributes, aDims: number[], bDims: number[]): number[] {
  if (a.int('broadcast', 0) === 0) {
    if (!sameDims(aDims, bDims)) throw ctx.error('FORMAT_MALFORMED', `shapes ${JSON.stringify(aDims)} and ${JSON.stringify(bDims)} differ and broadcast is 0`);
    return bDims;
  }
  const axis = a.int('axis', aDims.length - bDims.length);
  if (axis < 0 || axis + bDims.length > aDims.length) throw ctx.error('FORMAT_MALFORMED', `axis ${axis} does not place B ${JSON.stringify(bDims)} within A ${JSON.stringify(aDims)}`);
  return [...bDims, ...new Array<number>(aDims.length - axis - bDims.length).fill(1)];
}

/** Add / Sub / Mul / Div with numpy broadcasting (opset 7 on), or opset 6's broadcast / axis attributes. */
function importBinary(ctx: ImportContext, a: Attributes, op: 'Add' | 'Sub' | 'Mul' | 'Div'): void {
  const dims = [0, 1].map((i) => operandDims(ctx, i));
  if (ctx.opset < 7) dims[1] = legacyBroadcastDims(ctx, a, dims[0], dims[1]);
  const outRank = Math.max(dims[0].length, dims[1].length);
  const operands = [0, 1].map((i) => alignedOperand(ctx, i, outRank, dims[i]));
  const name = ctx.outputName();
  ctx.bind(name, ctx.emit(op, { activation: 'none' }, operands, name));
}

/** Sum: the inputs added in order (numpy broadcasting), one IR Add per extra input. */
export function importSum(ctx: ImportContext): void {
  const count = (ctx.node.input ?? []).length;
  if (count === 0) throw ctx.error('FORMAT_MALFORMED', 'no inputs');
  const name = ctx.outputName();
  if (count === 1) {
    ctx.bind(name, ctx.emit('Identity', {}, [ctx.input(0)], name));
    return;
  }
  const outRank = Math.max(...Array.from({ length: count }, (_, i) => operandDims(ctx, i).length));
  let sum = alignedOperand(ctx, 0, outRank);
  for (let i = 1; i < count; i++) {
    sum = ctx.emit('Add', { activation: 'none' }, [sum, alignedOperand(ctx, i, outRank)], i === count - 1 ? name : `${name}/partial_${i}`, i === count - 1 ? {} : { suffix: `add_${i}` });
  }
  ctx.bind(name, sum);
}

export const importAdd = (ctx: ImportContext, a: Attributes): void => importBinary(ctx, a, 'Add');
export const importSub = (ctx: ImportContext, a: Attributes): void => importBinary(ctx, a, 'Sub');
export const importMul = (ctx: ImportContext, a: Attributes): void => importBinary(ctx, a, 'Mul');
export const importDiv = (ctx: ImportContext, a: Attributes): void => importBinary(ctx, a, 'Div');

type UnaryOp = 'Relu' | 'Logistic' | 'Tanh' | 'HardSwish' | 'Identity' | 'Round' | 'Abs' | 'Sign';

export function importCast(ctx: ImportContext, a: Attributes): void {
  const name = ctx.outputName();
  const dtype = dtypeFromOnnx(a.int('to', 0), ctx.where(), 'Cast target type');
  ctx.bind(name, ctx.emit('Cast', {}, [ctx.input(0)], name, { dtype }));
}

export function unary(op: UnaryOp) {
  return (ctx: ImportContext): void => {
    const name = ctx.outputName();
    ctx.bind(name, ctx.emit(op, {}, [ctx.input(0)], name));
  };
}

export function importDropout(ctx: ImportContext, a: Attributes): void {
  const training = ctx.constant(2);
  if (training !== undefined && constantIntValues(training)[0]) throw ctx.unsupported('training_mode = true');
  if (ctx.opset < 7 && a.int('is_test', 0) === 0) throw ctx.unsupported('is_test = 0 (training)');
  const mask = ctx.node.output?.[1];
  if (mask !== undefined && mask !== '' && ((ctx.readers.get(mask)?.length ?? 0) > 0 || ctx.graphOutputs.has(mask))) throw ctx.unsupported('the mask output');
  unary('Identity')(ctx);
}

export function importLeakyRelu(ctx: ImportContext, a: Attributes): void {
  const name = ctx.outputName();
  ctx.bind(name, ctx.emit('LeakyRelu', { alpha: a.float('alpha', 0.01) }, [ctx.input(0)], name));
}

/** float32 limits: ONNX's defaults for a missing Clip bound. */
const FLOAT_MAX = 3.4028234663852886e38;

export function importClip(ctx: ImportContext, a: Attributes): void {
  let min = -FLOAT_MAX;
  let max = FLOAT_MAX;
  if (ctx.opset < 11) {
    min = a.float('min', min);
    max = a.float('max', max);
  } else {
    if (ctx.inputName(1) !== undefined) min = constantFloatValues(ctx.requireConstant(1, 'min'))[0] ?? min;
    if (ctx.inputName(2) !== undefined) max = constantFloatValues(ctx.requireConstant(2, 'max'))[0] ?? max;
  }
  const name = ctx.outputName();
  const x = ctx.input(0);
  if (min === 0 && max === 6) ctx.bind(name, ctx.emit('Relu6', {}, [x], name));
  else ctx.bind(name, ctx.emit('Clip', { min, max }, [x], name));
}

const QUANT_DTYPES: readonly DType[] = ['int8', 'uint8', 'int16'];

/** Scale and zero-point operands (1 and 2) of a QuantizeLinear / DequantizeLinear, the latter still undecoded. */
function scaleOperands(ctx: ImportContext, a: Attributes): { scale: number[]; zeroPoint: OnnxConstant | undefined } {
  if (a.int('block_size', 0) !== 0) throw ctx.unsupported('blocked quantization (block_size)');
  const scale = constantFloatValues(ctx.requireConstant(1, 'scale'));
  return { scale, zeroPoint: ctx.inputName(2) === undefined ? undefined : ctx.requireConstant(2, 'zero point') };
}

/** The zero points (0 where the operand is absent), one per scale. */
function zeroPoints(ctx: ImportContext, scale: number[], zp: OnnxConstant | undefined): number[] {
  const zeroPoint = zp === undefined ? scale.map(() => 0) : constantIntValues(zp);
  if (zeroPoint.length !== scale.length) throw ctx.error('FORMAT_MALFORMED', `${scale.length} scales but ${zeroPoint.length} zero points`);
  if (scale.length === 0) throw ctx.error('FORMAT_MALFORMED', 'empty scale');
  return zeroPoint;
}

/** Scale / zero point operands (1 and 2) as IR quantization of a tensor of `rank` dims. */
function quantParams(ctx: ImportContext, a: Attributes, rank: number, defaultType: DType): { quant: Quantization; dtype: DType } {
  const { scale, zeroPoint: zp } = scaleOperands(ctx, a);
  const dtype = zp?.dtype ?? defaultType;
  if (!QUANT_DTYPES.includes(dtype)) throw ctx.unsupported(`quantized type ${dtype} (int8, uint8 and int16 are supported)`);
  const zeroPoint = zeroPoints(ctx, scale, zp);
  const onnxAxis = a.int('axis', 1);
  const axis = scale.length > 1 ? irAxisFromOnnx(onnxAxis, rank) : 0;
  return { quant: { scale, zeroPoint, axis }, dtype };
}

export function importQuantizeLinear(ctx: ImportContext, a: Attributes): void {
  const x = ctx.input(0);
  const { quant, dtype } = quantParams(ctx, a, ctx.irShape(x).length, 'uint8');
  const name = ctx.outputName();
  ctx.bind(name, ctx.emit('Quantize', {}, [x], name, { dtype, quant }));
}

/** Types a DequantizeLinear of a constant may read: weights (8/16-bit) and biases (int32), as QDQ models store them. */
const CONSTANT_DEQUANT_DTYPES: readonly DType[] = [...QUANT_DTYPES, 'int32'];

/**
 * DequantizeLinear of a constant (a QDQ model's weights or bias) is folded into a float constant at import:
 * (q − zero point) · scale per element, on the given axis. Ops that need constant operands (Conv weights, Gemm B)
 * then read it as they read a float model's.
 */
function foldConstantDequantize(ctx: ImportContext, a: Attributes, c: OnnxConstant): void {
  if (!CONSTANT_DEQUANT_DTYPES.includes(c.dtype)) throw ctx.unsupported(`dequantizing a ${c.dtype} constant`);
  const { scale, zeroPoint } = scaleOperands(ctx, a);
  const zp = zeroPoints(ctx, scale, zeroPoint);
  let axis = a.int('axis', 1);
  if (axis < 0) axis += c.dims.length;
  const perAxis = scale.length > 1;
  if (perAxis && (axis < 0 || axis >= c.dims.length || c.dims[axis] !== scale.length)) {
    throw ctx.error('FORMAT_MALFORMED', `${scale.length} scales on axis ${a.int('axis', 1)} of a constant of shape [${c.dims.join(', ')}]`);
  }
  const values = dequantizeValues(constantIntValues(c), c.dims, { scale, zeroPoint: zp }, axis);
  const name = ctx.outputName();
  ctx.constants.set(name, { name, dims: [...c.dims], dtype: 'float32', data: new Uint8Array(values.buffer) });
}

export function importDequantizeLinear(ctx: ImportContext, a: Attributes): void {
  const c = ctx.constant(0);
  // (a dequantized constant that is itself a graph output stays a node: the IR has no constant graph outputs)
  if (c !== undefined && !ctx.graphOutputs.has(ctx.outputName())) return foldConstantDequantize(ctx, a, c);
  const x = ctx.input(0);
  const t = ctx.graph.tensors[x];
  const { quant, dtype } = quantParams(ctx, a, t.shape.length, t.dtype);
  if (dtype !== t.dtype) throw ctx.error('FORMAT_MALFORMED', `zero point is ${dtype} but the input is ${t.dtype}`);
  if (t.quant === undefined) t.quant = quant;
  else if (JSON.stringify(t.quant) !== JSON.stringify(quant)) throw ctx.unsupported(`'${t.name}' is dequantized with parameters other than those it was quantized with`);
  const name = ctx.outputName();
  ctx.bind(name, ctx.emit('Dequantize', {}, [x], name, { dtype: 'float32' }));
}

/** Constant nodes add a constant, no IR node. */
export function importConstant(ctx: ImportContext, a: Attributes): void {
  const name = ctx.outputName();
  const where = ctx.where();
  let c: OnnxConstant;
  const tensor = a.tensor('value');
  if (tensor !== undefined) c = decodeTensor(tensor, where);
  else if (a.has('value_float')) c = { name, dims: [], dtype: 'float32', data: new Uint8Array(Float32Array.of(a.float('value_float', 0)).buffer) };
  else if (a.has('value_floats')) {
    const v = Float32Array.from(a.floats('value_floats') ?? []);
    c = { name, dims: [v.length], dtype: 'float32', data: new Uint8Array(v.buffer) };
  } else if (a.has('value_int')) c = { name, dims: [], dtype: 'int64', data: new Uint8Array(BigInt64Array.of(BigInt(a.int('value_int', 0))).buffer) };
  else if (a.has('value_ints')) {
    const v = BigInt64Array.from((a.ints('value_ints') ?? []).map((i) => BigInt(i)));
    c = { name, dims: [v.length], dtype: 'int64', data: new Uint8Array(v.buffer) };
  } else throw ctx.unsupported(`a Constant with attribute ${a.names().join(', ') || '(none)'}`);
  ctx.constants.set(name, { ...c, name });
}
