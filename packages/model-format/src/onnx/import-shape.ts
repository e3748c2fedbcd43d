import { constantInts, elementCount } from '@tinyforge/ir';
import { Attributes } from './attributes';
import { ImportContext } from './import-context';
import { composePerms, irAxisFromOnnx, isDataPreservingPerm, NCHW_TO_NHWC, NHWC_TO_NCHW, onnxAxisFromIr } from './layout';
import { constantFloatValues, constantIntValues } from './proto-values';

/** Ops that turn a flattened activation into FullyConnected when their B is constant. */
const MATRIX_OPS = new Set(['Gemm', 'MatMul']);

/**
 * Reshape / Flatten with ONNX semantics. The flatten rule: ONNX flattens NCHW memory (columns in C·H·W order), the IR
 * holds NHWC (H·W·C order). When the result is [N, C·H·W] and every reader is a Gemm/MatMul taking it as A with a
 * constant B, the importer reshapes NHWC directly and permutes those readers' weight columns instead (no data
 * movement at run time). Otherwise an IR Transpose to NCHW precedes the reshape. Transposes that only move size-1
 * dims are dropped (they do not move data).
 */
function reshapeTo(ctx: ImportContext, onnxDims: number[]): void {
  const x = ctx.input(0);
  const inShape = ctx.irShape(x);
  const name = ctx.outputName();
  if (elementCount(onnxDims) !== elementCount(inShape)) throw ctx.error('FORMAT_MALFORMED', `cannot reshape ${JSON.stringify(ctx.onnxShape(x))} to ${JSON.stringify(onnxDims)}`);
  const readers = ctx.readers.get(name) ?? [];
  const [n, h, w, c] = inShape;
  const flattenToMatrix = inShape.length === 4 && onnxDims.length === 2 && onnxDims[0] === n && !isDataPreservingPerm(inShape, NHWC_TO_NCHW) && !undoesTranspose(ctx, x);
  const graphOutput = ctx.graphOutputs.has(name);
  if (flattenToMatrix && !graphOutput && readers.length > 0 && readers.every((r) => MATRIX_OPS.has(r.opType ?? '') && r.input?.[0] === name && r.input?.[1] !== name && ctx.constants.has(r.input?.[1] ?? ''))) {
    ctx.hwcColumns.set(name, { c, h, w });
    ctx.bind(name, ctx.emit('Reshape', {}, [x, ctx.int32Constant(`${name}/shape`, onnxDims)], name));
    return;
  }
  ctx.bind(name, ctx.reshapeOnnx(x, onnxDims, name));
}

/**
 * Whether `x` is a Transpose's output that a transpose to NCHW order would undo (keras2onnx flattens after its own
 * NCHW → NHWC Transpose): then the plain rule's Transpose folds with it and no data moves at all.
 */
function undoesTranspose(ctx: ImportContext, x: number): boolean {
  const producer = ctx.graph.nodes.find((node) => node.outputs[0] === x);
  if (producer?.op !== 'Transpose') return false;
  const perm = constantInts(ctx.graph.tensors[producer.inputs[1]]);
  return isDataPreservingPerm(ctx.irShape(producer.inputs[0]), composePerms(perm, NHWC_TO_NCHW));
}

export function importFlatten(ctx: ImportContext, a: Attributes): void {
  const dims = ctx.onnxShape(ctx.input(0));
  let axis = a.int('axis', 1);
  if (axis < 0) axis += dims.length;
  if (axis < 0 || axis > dims.length) throw ctx.error('FORMAT_MALFORMED', `axis ${a.int('axis', 1)} out of range for rank ${dims.length}`);
  reshapeTo(ctx, [elementCount(dims.slice(0, axis)), elementCount(dims.slice(axis))]);
}

export function importReshape(ctx: ImportContext, a: Attributes): void {
  const dims = ctx.onnxShape(ctx.input(0));
  const target = constantIntValues(ctx.requireConstant(1, 'shape'));
  const allowZero = a.int('allowzero', 0) !== 0;
  const resolved = target.map((d, i) => (d === 0 && !allowZero ? dims[i] : d));
  if (resolved.some((d) => d === undefined || d < -1) || resolved.filter((d) => d === -1).length > 1) throw ctx.error('FORMAT_MALFORMED', `invalid shape ${JSON.stringify(target)}`);
  const known = elementCount(resolved.filter((d) => d !== -1));
  const total = elementCount(dims);
  if (resolved.includes(-1)) {
    if (known === 0 || total % known !== 0) throw ctx.error('FORMAT_MALFORMED', `cannot reshape ${JSON.stringify(dims)} to ${JSON.stringify(target)}`);
    reshapeTo(ctx, resolved.map((d) => (d === -1 ? total / known : d)));
  } else {
    reshapeTo(ctx, resolved);
  }
}

/** Axes from the attribute (before `inputFrom`) or from a constant input (from that opset on). */
function axesOperand(ctx: ImportContext, a: Attributes, inputFrom: number): number[] | undefined {
  if (ctx.opset < inputFrom) return a.ints('axes');
  return ctx.inputName(1) === undefined ? undefined : constantIntValues(ctx.requireConstant(1, 'axes'));
}

function normalizeAxes(ctx: ImportContext, axes: number[], rank: number): number[] {
  const out = axes.map((ax) => (ax < 0 ? ax + rank : ax));
  if (out.some((ax) => ax < 0 || ax >= rank) || new Set(out).size !== out.length) throw ctx.error('FORMAT_MALFORMED', `axes ${JSON.stringify(axes)} invalid for rank ${rank}`);
  return out;
}

export function importSqueeze(ctx: ImportContext, a: Attributes): void {
  const x = ctx.input(0);
  const dims = ctx.onnxShape(x);
  const given = axesOperand(ctx, a, 13);
  const axes = given === undefined ? dims.flatMap((d, i) => (d === 1 ? [i] : [])) : normalizeAxes(ctx, given, dims.length);
  if (axes.some((ax) => dims[ax] !== 1)) throw ctx.error('FORMAT_MALFORMED', `cannot squeeze axes ${JSON.stringify(axes)} of ${JSON.stringify(dims)}`);
  if (dims.length === 4) {
    reshapeTo(ctx, dims.filter((_, i) => !axes.includes(i)));
    return;
  }
  const name = ctx.outputName();
  ctx.bind(name, ctx.emit('Squeeze', { axes }, [x], name));
}

export function importUnsqueeze(ctx: ImportContext, a: Attributes): void {
  const dims = ctx.onnxShape(ctx.input(0));
  const axes = normalizeAxes(ctx, axesOperand(ctx, a, 13) ?? [], dims.length + (axesOperand(ctx, a, 13) ?? []).length);
  const out: number[] = [];
  let k = 0;
  for (let i = 0; i < dims.length + axes.length; i++) out.push(axes.includes(i) ? 1 : dims[k++]);
  reshapeTo(ctx, out);
}

export function importTranspose(ctx: ImportContext, a: Attributes): void {
  const x = ctx.input(0);
  const rank = ctx.irShape(x).length;
  const perm = a.ints('perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  if (perm.length !== rank || [...perm].sort((p, q) => p - q).some((p, i) => p !== i)) throw ctx.error('FORMAT_MALFORMED', `perm ${JSON.stringify(perm)} is not a permutation of rank ${rank}`);
  const irPerm = rank === 4 ? composePerms(composePerms(NHWC_TO_NCHW, perm), NCHW_TO_NHWC) : perm;
  const name = ctx.outputName();
  if (irPerm.every((p, i) => p === i)) ctx.bind(name, ctx.emit('Identity', {}, [x], name));
  else ctx.bind(name, ctx.emit('Transpose', {}, [x, ctx.int32Constant(`${name}/perm`, irPerm)], name));
}

export function importConcat(ctx: ImportContext, a: Attributes): void {
  const inputs = (ctx.node.input ?? []).map((_, i) => ctx.input(i));
  if (inputs.length === 0) throw ctx.error('FORMAT_MALFORMED', 'no inputs');
  const rank = ctx.irShape(inputs[0]).length;
  if (!a.has('axis')) throw ctx.error('FORMAT_MALFORMED', 'missing attribute axis');
  const axis = a.int('axis', 0);
  if (axis < -rank || axis >= rank) throw ctx.error('FORMAT_MALFORMED', `axis ${axis} out of range for rank ${rank}`);
  const name = ctx.outputName();
  ctx.bind(name, ctx.emit('Concatenation', { axis: irAxisFromOnnx(axis, rank), activation: 'none' }, inputs, name));
}

export function importPad(ctx: ImportContext, a: Attributes): void {
  const x = ctx.input(0);
  const rank = ctx.irShape(x).length;
  const mode = a.string('mode', 'constant');
  if (mode !== 'constant') throw ctx.unsupported(`mode '${mode}' (only 'constant' padding is supported)`);
  let pads: number[];
  let value = 0;
  if (ctx.opset < 11) {
    pads = a.ints('pads') ?? [];
    value = a.float('value', 0);
  } else {
    pads = constantIntValues(ctx.requireConstant(1, 'pads'));
    if (ctx.inputName(2) !== undefined) value = constantFloatValues(ctx.requireConstant(2, 'constant_value'))[0] ?? 0;
  }
  let axes = Array.from({ length: rank }, (_, i) => i);
  if (ctx.inputName(3) !== undefined) axes = normalizeAxes(ctx, constantIntValues(ctx.requireConstant(3, 'axes')), rank);
  if (pads.length !== 2 * axes.length) throw ctx.error('FORMAT_MALFORMED', `pads has ${pads.length} values for ${axes.length} axes`);
  if (pads.some((p) => p < 0)) throw ctx.unsupported(`negative pads ${JSON.stringify(pads)} (cropping)`);
  const irPads: number[] = [];
  for (let j = 0; j < rank; j++) {
    const k = axes.indexOf(onnxAxisFromIr(j, rank));
    irPads.push(k < 0 ? 0 : pads[k], k < 0 ? 0 : pads[k + axes.length]);
  }
  const name = ctx.outputName();
  const inputs = [x, ctx.int32Constant(`${name}/paddings`, irPads, [rank, 2])];
  if (value !== 0) {
    const dtype = ctx.graph.tensors[x].dtype;
    if (dtype !== 'float32') throw ctx.unsupported(`a non-zero constant_value for ${dtype} input`);
    inputs.push(ctx.addConstant(`${name}/value`, [], 'float32', new Uint8Array(Float32Array.of(value).buffer)));
  }
  ctx.bind(name, ctx.emit('Pad', {}, inputs, name));
}

/**
 * Softmax: the IR normalizes over its last axis. Before opset 13 ONNX normalizes over all axes from `axis` on
 * (flattened); from 13 over `axis` alone. Accepted when every non-1 axis normalized over is the IR's last axis.
 */
export function importSoftmax(ctx: ImportContext, a: Attributes): void {
  const x = ctx.input(0);
  const dims = ctx.onnxShape(x);
  const rank = dims.length;
  let axis = a.int('axis', ctx.opset < 13 ? 1 : -1);
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank) throw ctx.error('FORMAT_MALFORMED', `axis ${a.int('axis', 0)} out of range for rank ${rank}`);
  const over = ctx.opset < 13 ? dims.map((_, i) => i).filter((i) => i >= axis) : [axis];
  const last = onnxAxisFromIr(rank - 1, rank);
  const ok = over.every((i) => dims[i] === 1 || i === last) && (over.includes(last) || dims[last] === 1);
  if (!ok) throw ctx.unsupported(`axis ${axis} of ${JSON.stringify(dims)}: only a softmax over the innermost (channel) axis is supported`);
  const name = ctx.outputName();
  ctx.bind(name, ctx.emit('Softmax', { beta: 1 }, [x], name));
}

export function importReduceMean(ctx: ImportContext, a: Attributes): void {
  const x = ctx.input(0);
  const dims = ctx.onnxShape(x);
  const rank = dims.length;
  const given = axesOperand(ctx, a, 18);
  const name = ctx.outputName();
  if ((given === undefined || given.length === 0) && a.int('noop_with_empty_axes', 0) !== 0) {
    ctx.bind(name, ctx.emit('Identity', {}, [x], name));
    return;
  }
  const axes = given === undefined || given.length === 0 ? dims.map((_, i) => i) : normalizeAxes(ctx, given, rank);
  const irAxes = axes.map((ax) => irAxisFromOnnx(ax, rank)).sort((p, q) => p - q);
  const keepDims = a.int('keepdims', 1) !== 0;
  const axesTensor = ctx.int32Constant(`${name}/axes`, irAxes);
  // Dropping axes of a 4-D tensor keeps the IR's order of the rest; fine unless that reorders non-1 dims.
  if (keepDims || rank !== 4 || sameOrder(dims, dims.map((_, i) => i).filter((ax) => !axes.includes(ax)))) {
    ctx.bind(name, ctx.emit('Mean', { keepDims }, [x, axesTensor], name));
    return;
  }
  const mean = ctx.emit('Mean', { keepDims: true }, [x, axesTensor], `${name}/keepdims`);
  ctx.bind(name, ctx.reshapeOnnx(mean, dims.filter((_, i) => !axes.includes(i)), name));
}

/** Whether the non-1 ONNX axes in `kept` appear in the same relative order in NHWC as in NCHW. */
function sameOrder(dims: number[], kept: number[]): boolean {
  const big = kept.filter((ax) => dims[ax] !== 1).sort((p, q) => p - q);
  const inIrOrder = NCHW_TO_NHWC.filter((ax) => big.includes(ax));
  return inIrOrder.every((ax, i) => ax === big[i]);
}


/** Tile by constant repeats: the IR's TILE, the repeats in the IR's axis order. */
export function importTile(ctx: ImportContext): void {
  const x = ctx.input(0);
  const rank = ctx.irShape(x).length;
  const repeats = constantIntValues(ctx.requireConstant(1, 'repeats'));
  if (repeats.length !== rank) throw ctx.error('FORMAT_MALFORMED', `repeats has ${repeats.length} values for rank ${rank}`);
  if (repeats.some((r) => r < 1)) throw ctx.unsupported(`repeats ${JSON.stringify(repeats)} (zero repeats make an empty tensor)`);
  const irRepeats = rank === 4 ? NCHW_TO_NHWC.map((p) => repeats[p]) : repeats;
  const name = ctx.outputName();
  ctx.bind(name, ctx.emit('Tile', {}, [x, ctx.int32Constant(`${name}/multiples`, irRepeats)], name));
}
