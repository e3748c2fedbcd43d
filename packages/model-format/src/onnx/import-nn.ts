import { asTfliteKeyword, explicitPadding, Padding } from '@tinyforge/ir';
import { Attributes } from './attributes';
import { ImportContext } from './import-context';
import { transposeData } from './layout';
import { constantFloatValues, OnnxConstant } from './proto-values';

/** ONNX conv/pool padding → IR padding; explicit pads that equal SAME or VALID become the keyword. */
function spatialPadding(ctx: ImportContext, a: Attributes, inH: number, inW: number, kH: number, kW: number, strides: number[], dilations: number[]): Padding {
  const autoPad = a.string('auto_pad', 'NOTSET');
  const keyword = (p: Padding): Padding => asTfliteKeyword(inH, inW, kH, kW, strides[0], strides[1], dilations[0], dilations[1], p) ?? p;
  switch (autoPad) {
    case 'NOTSET': {
      const pads = a.ints('pads') ?? [0, 0, 0, 0];
      if (pads.length !== 4) throw ctx.error('FORMAT_MALFORMED', `pads has ${pads.length} values, a 2-D window needs 4`);
      if (pads.some((p) => p < 0)) throw ctx.unsupported(`negative pads ${JSON.stringify(pads)}`);
      return keyword({ top: pads[0], left: pads[1], bottom: pads[2], right: pads[3] });
    }
    case 'VALID':
      return 'valid';
    case 'SAME_UPPER':
      return 'same';
    case 'SAME_LOWER': {
      // Like SAME, but the odd padding element goes before instead of after.
      const e = explicitPadding(inH, inW, kH, kW, strides[0], strides[1], dilations[0], dilations[1], 'same');
      return keyword({ top: e.bottom, bottom: e.top, left: e.right, right: e.left });
    }
    default:
      throw ctx.unsupported(`auto_pad '${autoPad}'`);
  }
}

function pair(ctx: ImportContext, a: Attributes, name: string): number[] {
  const v = a.ints(name) ?? [1, 1];
  if (v.length !== 2) throw ctx.unsupported(`${name} ${JSON.stringify(v)}: only 2-D windows are supported`);
  return v;
}

function require4d(ctx: ImportContext, x: number, what: string): number[] {
  const dims = ctx.onnxShape(x);
  if (dims.length !== 4) throw ctx.unsupported(`${what} of rank ${dims.length}: only 2-D (NCHW) ${what} is supported`);
  return dims;
}

function floatConstant(ctx: ImportContext, c: OnnxConstant, what: string): void {
  if (c.dtype !== 'float32') throw ctx.unsupported(`${what} '${c.name}' is ${c.dtype}; only float32 weights are supported here`);
}

export function importConv(ctx: ImportContext, a: Attributes): void {
  const x = ctx.input(0);
  const [, inC, inH, inW] = require4d(ctx, x, 'convolution');
  const w = ctx.requireConstant(1, 'weights');
  floatConstant(ctx, w, 'weights');
  if (w.dims.length !== 4) throw ctx.unsupported(`weights of rank ${w.dims.length}: only 2-D convolution is supported`);
  const [outC, perGroup, kH, kW] = w.dims;
  const kernel = a.ints('kernel_shape');
  if (kernel !== undefined && (kernel[0] !== kH || kernel[1] !== kW)) throw ctx.error('FORMAT_MALFORMED', `kernel_shape ${JSON.stringify(kernel)} does not match weights ${JSON.stringify(w.dims)}`);
  const strides = pair(ctx, a, 'strides');
  const dilations = pair(ctx, a, 'dilations');
  const padding = spatialPadding(ctx, a, inH, inW, kH, kW, strides, dilations);
  const group = a.int('group', 1);
  const conv = { strideH: strides[0], strideW: strides[1], dilationH: dilations[0], dilationW: dilations[1], padding, activation: 'none' as const };
  const inputs = [x];
  const name = ctx.outputName();
  if (group === 1) {
    // OIHW → OHWI
    inputs.push(ctx.addConstant(w.name, [outC, kH, kW, perGroup], 'float32', transposeData(w.data, w.dims, [0, 2, 3, 1], 4)));
  } else if (group === inC && perGroup === 1 && outC % inC === 0) {
    // [C·M, 1, kH, kW] → [1, kH, kW, C·M]: output channel c·M + m reads input channel c in both layouts.
    inputs.push(ctx.addConstant(w.name, [1, kH, kW, outC], 'float32', transposeData(w.data, w.dims, [1, 2, 3, 0], 4)));
  } else {
    throw ctx.unsupported(`grouped convolution (group ${group} of ${inC} input channels) other than depthwise`);
  }
  const bias = ctx.inputName(2);
  if (bias !== undefined) {
    const b = ctx.requireConstant(2, 'bias');
    floatConstant(ctx, b, 'bias');
    inputs.push(ctx.input(2));
  }
  const out = group === 1 ? ctx.emit('Conv2D', conv, inputs, name) : ctx.emit('DepthwiseConv2D', { ...conv, depthMultiplier: outC / inC }, inputs, name);
  ctx.bind(name, out);
}

function importPool(ctx: ImportContext, a: Attributes, op: 'MaxPool2D' | 'AveragePool2D'): void {
  const x = ctx.input(0);
  const [, , inH, inW] = require4d(ctx, x, 'pooling');
  if ((ctx.node.output ?? []).slice(1).some((o) => o !== '')) throw ctx.unsupported('the Indices output of MaxPool');
  const kernel = a.ints('kernel_shape');
  if (kernel === undefined || kernel.length !== 2) throw ctx.unsupported(`kernel_shape ${JSON.stringify(kernel)}: only 2-D pooling is supported`);
  const strides = pair(ctx, a, 'strides');
  const dilations = pair(ctx, a, 'dilations');
  if (dilations[0] !== 1 || dilations[1] !== 1) throw ctx.unsupported(`dilated pooling (dilations ${JSON.stringify(dilations)})`);
  const padding = spatialPadding(ctx, a, inH, inW, kernel[0], kernel[1], strides, dilations);
  const e = explicitPadding(inH, inW, kernel[0], kernel[1], strides[0], strides[1], 1, 1, padding);
  if (a.int('ceil_mode', 0) !== 0) {
    // ceil_mode only matters when it changes the output size.
    const ceilH = Math.ceil((inH + e.top + e.bottom - kernel[0]) / strides[0]) + 1;
    const ceilW = Math.ceil((inW + e.left + e.right - kernel[1]) / strides[1]) + 1;
    if (ceilH !== e.outH || ceilW !== e.outW) throw ctx.unsupported('ceil_mode = 1 where it changes the output size');
  }
  const padded = e.top + e.bottom + e.left + e.right > 0;
  if (op === 'AveragePool2D' && padded && a.int('count_include_pad', 0) !== 0) {
    throw ctx.unsupported('count_include_pad = 1 with padding (the IR averages over valid elements only)');
  }
  const name = ctx.outputName();
  const attrs = { filterH: kernel[0], filterW: kernel[1], strideH: strides[0], strideW: strides[1], padding, activation: 'none' as const };
  ctx.bind(name, ctx.emit(op, attrs, [x], name));
}

export const importMaxPool = (ctx: ImportContext, a: Attributes): void => importPool(ctx, a, 'MaxPool2D');
export const importAveragePool = (ctx: ImportContext, a: Attributes): void => importPool(ctx, a, 'AveragePool2D');

export function importGlobalAveragePool(ctx: ImportContext): void {
  const x = ctx.input(0);
  require4d(ctx, x, 'pooling');
  const name = ctx.outputName();
  ctx.bind(name, ctx.emit('Mean', { keepDims: true }, [x, ctx.int32Constant(`${name}/axes`, [1, 2])], name));
}

export function importBatchNormalization(ctx: ImportContext, a: Attributes): void {
  const x = ctx.input(0);
  const rank = ctx.irShape(x).length;
  if (rank !== 2 && rank !== 4) throw ctx.unsupported(`input of rank ${rank}: the channel axis must be the IR's last (rank 2 or 4)`);
  if (a.int('training_mode', 0) !== 0 || (ctx.node.output ?? []).slice(1).some((o) => o !== '')) throw ctx.unsupported('training mode (running statistics outputs)');
  const params = [1, 2, 3, 4].map((i) => ctx.input(i, ['scale', 'bias', 'mean', 'variance'][i - 1]));
  const name = ctx.outputName();
  ctx.bind(name, ctx.emit('BatchNorm', { epsilon: a.float('epsilon', 1e-5) }, [x, ...params], name));
}

/** Weights [out, in] for FullyConnected from a constant matrix, reordering columns for NHWC-flattened inputs. */
function fullyConnectedWeights(ctx: ImportContext, b: OnnxConstant, transposed: boolean, alpha: number, inputName: string): number {
  floatConstant(ctx, b, 'B');
  if (b.dims.length !== 2) throw ctx.unsupported(`B of rank ${b.dims.length}: only a 2-D constant B is supported`);
  let data = transposed ? b.data : transposeData(b.data, b.dims, [1, 0], 4);
  const [outDim, inDim] = transposed ? b.dims : [b.dims[1], b.dims[0]];
  if (alpha !== 1) data = scaleFloats(data, alpha);
  const hwc = ctx.hwcColumns.get(inputName);
  if (hwc !== undefined) {
    if (hwc.c * hwc.h * hwc.w !== inDim) throw ctx.error('FORMAT_MALFORMED', `B has ${inDim} input columns, the flattened input ${hwc.c * hwc.h * hwc.w}`);
    data = transposeData(data, [outDim, hwc.c, hwc.h, hwc.w], [0, 2, 3, 1], 4);
  }
  return ctx.addConstant(b.name, [outDim, inDim], 'float32', data);
}

function scaleFloats(data: Uint8Array, factor: number): Uint8Array {
  const v = new Float32Array(data.slice().buffer);
  for (let i = 0; i < v.length; i++) v[i] *= factor;
  return new Uint8Array(v.buffer);
}

export function importGemm(ctx: ImportContext, a: Attributes): void {
  let x = ctx.input(0);
  if (ctx.irShape(x).length !== 2) throw ctx.error('FORMAT_MALFORMED', `A must have rank 2, got ${ctx.irShape(x).length}`);
  const name = ctx.outputName();
  if (a.int('transA', 0) !== 0) x = ctx.emit('Transpose', {}, [x, ctx.int32Constant(`${name}/transA_perm`, [1, 0])], `${name}/transA`, { suffix: 'transA' });
  const b = ctx.requireConstant(1, 'B');
  const weights = fullyConnectedWeights(ctx, b, a.int('transB', 0) !== 0, a.float('alpha', 1), ctx.inputName(0) ?? '');
  const outDim = ctx.irShape(weights)[0];
  const inputs = [x, weights];
  let matrixBias: number | undefined;
  if (ctx.inputName(2) !== undefined) {
    const c = ctx.requireConstant(2, 'C');
    floatConstant(ctx, c, 'C');
    const values = constantFloatValues(c);
    const beta = a.float('beta', 1);
    if (values.length === outDim || values.length === 1) {
      // A row vector (or scalar) C is FullyConnected's bias.
      const bias = Float32Array.from({ length: outDim }, (_, i) => beta * values[values.length === 1 ? 0 : i]);
      inputs.push(ctx.addConstant(c.name, [outDim], 'float32', new Uint8Array(bias.buffer)));
    } else {
      // Any other C broadcasts as a matrix: added after the product.
      matrixBias = ctx.addConstant(c.name, [...c.dims], 'float32', new Uint8Array(Float32Array.from(values, (v) => beta * v).buffer));
    }
  }
  if (matrixBias === undefined) {
    ctx.bind(name, ctx.emit('FullyConnected', { activation: 'none', keepNumDims: false }, inputs, name));
    return;
  }
  const product = ctx.emit('FullyConnected', { activation: 'none', keepNumDims: false }, inputs, `${name}/product`, { suffix: 'product' });
  ctx.bind(name, ctx.emit('Add', { activation: 'none' }, [product, matrixBias], name));
}

export function importMatMul(ctx: ImportContext): void {
  const x = ctx.input(0);
  const rank = ctx.irShape(x).length;
  if (rank < 2 || rank > 3) throw ctx.unsupported(`A of rank ${rank}: MatMul is imported as FullyConnected for rank 2 or 3`);
  const b = ctx.requireConstant(1, 'B');
  const weights = fullyConnectedWeights(ctx, b, false, 1, ctx.inputName(0) ?? '');
  const name = ctx.outputName();
  ctx.bind(name, ctx.emit('FullyConnected', { activation: 'none', keepNumDims: rank !== 2 }, [x, weights], name));
}

