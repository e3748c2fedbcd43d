import { asTfliteKeyword, convGroups, explicitPadding, Padding, permute } from '@tinyforge/ir';
import { Attributes } from './attributes';
import { ImportContext } from './import-context';
import { transposeData } from './layout';
import { constantFloatValues, OnnxConstant } from './proto-values';

/**
 * The 2-D geometry of an ONNX window op (Conv, ConvTranspose, MaxPool, AveragePool): kernel, strides, dilations and
 * pads as [top, left, bottom, right]. A 1-D op (rank-3 tensors, the usual PyTorch audio/IMU shapes) becomes the 2-D
 * op with H = 1: kernel [1, k], stride [1, s], pads [0, begin, 0, end].
 */
interface Window2d {
  kernel: [number, number];
  strides: [number, number];
  dilations: [number, number];
  /** Explicit pads (auto_pad NOTSET), [top, left, bottom, right]. */
  pads: [number, number, number, number];
  autoPad: string;
}

/** Spatial dimensions of an ONNX window op's input: 2 (NCHW) or 1 (NCL, imported with H = 1). */
function spatialRank(ctx: ImportContext, x: number, what: string): 1 | 2 {
  const rank = ctx.onnxShape(x).length;
  if (rank === 4) return 2;
  if (rank === 3) return 1;
  throw ctx.unsupported(`${what} of rank ${rank}: only 1-D (N, C, L) and 2-D (N, C, H, W) ${what} is supported`);
}

function window2d(ctx: ImportContext, a: Attributes, spatial: 1 | 2, kernel: number[]): Window2d {
  const ints = (name: string, fallback: number): number[] => {
    const v = a.ints(name) ?? new Array<number>(spatial).fill(fallback);
    if (v.length !== spatial) throw ctx.unsupported(`${name} ${JSON.stringify(v)} for a ${spatial}-D window`);
    return v;
  };
  const to2d = (v: number[], h: number): [number, number] => (spatial === 1 ? [h, v[0]] : [v[0], v[1]]);
  const pads = a.ints('pads') ?? new Array<number>(2 * spatial).fill(0);
  if (pads.length !== 2 * spatial) throw ctx.error('FORMAT_MALFORMED', `pads has ${pads.length} values, a ${spatial}-D window needs ${2 * spatial}`);
  if (pads.some((p) => p < 0)) throw ctx.unsupported(`negative pads ${JSON.stringify(pads)}`);
  if (kernel.length !== spatial) throw ctx.unsupported(`kernel_shape ${JSON.stringify(kernel)} for a ${spatial}-D window`);
  return {
    kernel: to2d(kernel, 1),
    strides: to2d(ints('strides', 1), 1),
    dilations: to2d(ints('dilations', 1), 1),
    pads: spatial === 1 ? [0, pads[0], 0, pads[1]] : [pads[0], pads[1], pads[2], pads[3]],
    autoPad: a.string('auto_pad', 'NOTSET'),
  };
}

/** ONNX conv/pool padding → IR padding; explicit pads that equal SAME or VALID become the keyword. */
function spatialPadding(ctx: ImportContext, w: Window2d, inH: number, inW: number): Padding {
  const [kH, kW] = w.kernel;
  const { strides, dilations } = w;
  const keyword = (p: Padding): Padding => asTfliteKeyword(inH, inW, kH, kW, strides[0], strides[1], dilations[0], dilations[1], p) ?? p;
  switch (w.autoPad) {
    case 'NOTSET':
      return keyword({ top: w.pads[0], left: w.pads[1], bottom: w.pads[2], right: w.pads[3] });
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
      throw ctx.unsupported(`auto_pad '${w.autoPad}'`);
  }
}

/**
 * Run a 2-D IR op on input `x` (rank 4, or rank 3 reshaped to [N, C, 1, L]) and bind the ONNX output: `op` gets the
 * NHWC input and returns its NHWC result; a 1-D result is reshaped back to [N, C, L].
 */
function asTwoD(ctx: ImportContext, x: number, spatial: 1 | 2, op: (nhwc: number, outName: string) => number): void {
  const name = ctx.outputName();
  if (spatial === 2) {
    ctx.bind(name, op(x, name));
    return;
  }
  const [n, c, l] = ctx.onnxShape(x);
  const x4 = ctx.reshapeOnnx(x, [n, c, 1, l], `${name}/as_2d_input`);
  const y4 = op(x4, `${name}/as_2d`);
  const [, , , outC] = ctx.irShape(y4);
  ctx.bind(name, ctx.reshapeOnnx(y4, [n, outC, ctx.irShape(y4)[2]], name));
}

function floatConstant(ctx: ImportContext, c: OnnxConstant, what: string): void {
  if (c.dtype !== 'float32') throw ctx.unsupported(`${what} '${c.name}' is ${c.dtype}; only float32 weights are supported here`);
}

/** Weights of a 1-D op [O, I, k] as the 2-D op's [O, I, 1, k]; 2-D weights as they are. */
function weights2d(ctx: ImportContext, w: OnnxConstant, spatial: 1 | 2): number[] {
  if (w.dims.length !== spatial + 2) throw ctx.unsupported(`weights of rank ${w.dims.length} for a ${spatial}-D input`);
  return spatial === 1 ? [w.dims[0], w.dims[1], 1, w.dims[2]] : [...w.dims];
}

function optionalBias(ctx: ImportContext, inputs: number[]): void {
  if (ctx.inputName(2) === undefined) return;
  floatConstant(ctx, ctx.requireConstant(2, 'bias'), 'bias');
  inputs.push(ctx.input(2));
}

/**
 * Conv, 2-D or 1-D. group 1 → Conv2D; one group per input channel → DepthwiseConv2D; other groups → one Conv2D
 * whose filter holds Ci / group channels (a grouped convolution, ir's convGroups).
 */
export function importConv(ctx: ImportContext, a: Attributes): void {
  const x = ctx.input(0);
  const spatial = spatialRank(ctx, x, 'convolution');
  const inC = ctx.onnxShape(x)[1];
  const w = ctx.requireConstant(1, 'weights');
  floatConstant(ctx, w, 'weights');
  const dims = weights2d(ctx, w, spatial);
  const [outC, perGroup, kH, kW] = dims;
  const kernel = a.ints('kernel_shape');
  if (kernel !== undefined && kernel.some((k, i) => k !== w.dims[2 + i])) throw ctx.error('FORMAT_MALFORMED', `kernel_shape ${JSON.stringify(kernel)} does not match weights ${JSON.stringify(w.dims)}`);
  const win = window2d(ctx, a, spatial, w.dims.slice(2));
  const group = a.int('group', 1);
  const groups = convGroups(inC, [outC, kH, kW, perGroup]);
  if (group < 1 || groups !== group) throw ctx.error('FORMAT_MALFORMED', `group ${group} does not fit weights ${JSON.stringify(w.dims)} on ${inC} input channels`);
  const depthwise = group > 1 && group === inC && perGroup === 1;
  // OIHW → OHWI; depthwise [C·M, 1, kH, kW] → [1, kH, kW, C·M]: output channel c·M + m reads input channel c in both.
  const perm = depthwise ? [1, 2, 3, 0] : [0, 2, 3, 1];
  const irWeights = ctx.addConstant(w.name, permute(dims, perm), 'float32', transposeData(w.data, dims, perm, 4));
  asTwoD(ctx, x, spatial, (nhwc, outName) => {
    const [, inH, inW] = ctx.irShape(nhwc);
    const padding = spatialPadding(ctx, win, inH, inW);
    const conv = { strideH: win.strides[0], strideW: win.strides[1], dilationH: win.dilations[0], dilationW: win.dilations[1], padding, activation: 'none' as const };
    const inputs = [nhwc, irWeights];
    optionalBias(ctx, inputs);
    return depthwise ? ctx.emit('DepthwiseConv2D', { ...conv, depthMultiplier: outC / inC }, inputs, outName) : ctx.emit('Conv2D', conv, inputs, outName);
  });
}

/**
 * ConvTranspose, 2-D or 1-D (group 1, no dilation) → TransposeConv2D. ONNX's output size
 * s·(in − 1) + output_padding + k − pad_begin − pad_end (or output_shape) becomes explicit IR padding whose end part
 * is pad_end − output_padding, or SAME / VALID where that is the same.
 */
export function importConvTranspose(ctx: ImportContext, a: Attributes): void {
  const x = ctx.input(0);
  const spatial = spatialRank(ctx, x, 'transposed convolution');
  const w = ctx.requireConstant(1, 'weights');
  floatConstant(ctx, w, 'weights');
  const dims = weights2d(ctx, w, spatial);
  const [inC, outC, kH, kW] = dims;
  if (ctx.onnxShape(x)[1] !== inC) throw ctx.error('FORMAT_MALFORMED', `weights ${JSON.stringify(w.dims)} do not take ${ctx.onnxShape(x)[1]} input channels`);
  if (a.int('group', 1) !== 1) throw ctx.unsupported(`grouped transposed convolution (group ${a.int('group', 1)})`);
  const win = window2d(ctx, a, spatial, w.dims.slice(2));
  if (win.dilations.some((d) => d !== 1)) throw ctx.unsupported(`dilated transposed convolution (dilations ${JSON.stringify(a.ints('dilations'))})`);
  const outputPadding = a.ints('output_padding') ?? new Array<number>(spatial).fill(0);
  const outputShape = a.ints('output_shape');
  // [Ci, Co, kH, kW] → OHWI [Co, kH, kW, Ci]
  const perm = [1, 2, 3, 0];
  const irWeights = ctx.addConstant(w.name, permute(dims, perm), 'float32', transposeData(w.data, dims, perm, 4));
  asTwoD(ctx, x, spatial, (nhwc, outName) => {
    const [, inH, inW] = ctx.irShape(nhwc);
    const ins = [inH, inW];
    const op2d = spatial === 1 ? [0, outputPadding[0]] : outputPadding;
    const full = [0, 1].map((i) => win.strides[i] * (ins[i] - 1) + op2d[i] + win.kernel[i]);
    let before: number[];
    let after: number[];
    if (outputShape !== undefined || win.autoPad === 'SAME_UPPER' || win.autoPad === 'SAME_LOWER') {
      // total padding from the wanted output size (SAME: input · stride); SAME_LOWER puts the odd element first
      const wanted = outputShape !== undefined ? (spatial === 1 ? [1, outputShape[outputShape.length - 1]] : outputShape.slice(-2)) : [0, 1].map((i) => ins[i] * win.strides[i]);
      // (a negative total: the output goes past the windows, nothing padded before)
      const total = [0, 1].map((i) => full[i] - wanted[i]);
      const lower = win.autoPad === 'SAME_LOWER';
      before = total.map((t) => (t < 0 ? 0 : lower ? t - Math.floor(t / 2) : Math.floor(t / 2)));
      after = total.map((t, i) => t - before[i]);
    } else if (win.autoPad === 'VALID' || win.autoPad === 'NOTSET') {
      before = win.autoPad === 'VALID' ? [0, 0] : [win.pads[0], win.pads[1]];
      after = win.autoPad === 'VALID' ? [0, 0] : [win.pads[2], win.pads[3]];
    } else {
      throw ctx.unsupported(`auto_pad '${win.autoPad}'`);
    }
    // output_padding extends the output past the last window: the IR's end padding shrinks by it, and rows past the
    // windows (up to stride − 1) get only the bias
    const end = [0, 1].map((i) => after[i] - op2d[i]);
    if (end.some((e, i) => -e >= win.strides[i])) throw ctx.unsupported(`an output ${-Math.min(...end)} rows past the last window (output_padding ${JSON.stringify(outputPadding)}, pads ${JSON.stringify(a.ints('pads') ?? [])}): at most stride − 1`);
    const outputH = full[0] - before[0] - after[0];
    const outputW = full[1] - before[1] - after[1];
    const explicit = { top: before[0], left: before[1], bottom: Math.max(end[0], 0), right: Math.max(end[1], 0) };
    const padding = asTfliteKeyword(outputH, outputW, kH, kW, win.strides[0], win.strides[1], 1, 1, explicit) ?? explicit;
    const inputs = [nhwc, irWeights];
    optionalBias(ctx, inputs);
    if (ctx.irShape(irWeights)[0] !== outC) throw ctx.error('FORMAT_MALFORMED', 'weights do not match the output channels');
    return ctx.emit('TransposeConv2D', { strideH: win.strides[0], strideW: win.strides[1], padding, activation: 'none', outputH, outputW }, inputs, outName);
  });
}

function importPool(ctx: ImportContext, a: Attributes, op: 'MaxPool2D' | 'AveragePool2D'): void {
  const x = ctx.input(0);
  const spatial = spatialRank(ctx, x, 'pooling');
  if ((ctx.node.output ?? []).slice(1).some((o) => o !== '')) throw ctx.unsupported('the Indices output of MaxPool');
  const kernel = a.ints('kernel_shape');
  if (kernel === undefined) throw ctx.error('FORMAT_MALFORMED', 'missing kernel_shape');
  const win = window2d(ctx, a, spatial, kernel);
  if (win.dilations.some((d) => d !== 1)) throw ctx.unsupported(`dilated pooling (dilations ${JSON.stringify(a.ints('dilations'))})`);
  const [kH, kW] = win.kernel;
  const { strides } = win;
  asTwoD(ctx, x, spatial, (nhwc, outName) => {
    const [, inH, inW] = ctx.irShape(nhwc);
    const padding = spatialPadding(ctx, win, inH, inW);
    const e = explicitPadding(inH, inW, kH, kW, strides[0], strides[1], 1, 1, padding);
    if (a.int('ceil_mode', 0) !== 0) {
      // ceil_mode only matters when it changes the output size.
      const ceilH = Math.ceil((inH + e.top + e.bottom - kH) / strides[0]) + 1;
      const ceilW = Math.ceil((inW + e.left + e.right - kW) / strides[1]) + 1;
      if (ceilH !== e.outH || ceilW !== e.outW) throw ctx.unsupported('ceil_mode = 1 where it changes the output size');
    }
    const padded = e.top + e.bottom + e.left + e.right > 0;
    if (op === 'AveragePool2D' && padded && a.int('count_include_pad', 0) !== 0) {
      throw ctx.unsupported('count_include_pad = 1 with padding (the IR averages over valid elements only)');
    }
    const attrs = { filterH: kH, filterW: kW, strideH: strides[0], strideW: strides[1], padding, activation: 'none' as const };
    return ctx.emit(op, attrs, [nhwc], outName);
  });
}

export const importMaxPool = (ctx: ImportContext, a: Attributes): void => importPool(ctx, a, 'MaxPool2D');
export const importAveragePool = (ctx: ImportContext, a: Attributes): void => importPool(ctx, a, 'AveragePool2D');

function require4d(ctx: ImportContext, x: number, what: string): number[] {
  const dims = ctx.onnxShape(x);
  if (dims.length !== 4) throw ctx.unsupported(`${what} of rank ${dims.length}: only 2-D (NCHW) ${what} is supported`);
  return dims;
}

export function importGlobalAveragePool(ctx: ImportContext): void {
  const x = ctx.input(0);
  require4d(ctx, x, 'pooling');
  const name = ctx.outputName();
  ctx.bind(name, ctx.emit('Mean', { keepDims: true }, [x, ctx.int32Constant(`${name}/axes`, [1, 2])], name));
}

/** BatchNormalization over the channel axis: rank 2 and 4 directly, rank 3 (BatchNorm1d) as [N, C, 1, L]. */
export function importBatchNormalization(ctx: ImportContext, a: Attributes): void {
  const x = ctx.input(0);
  const rank = ctx.irShape(x).length;
  if (rank !== 2 && rank !== 3 && rank !== 4) throw ctx.unsupported(`input of rank ${rank}: the channel axis must be the IR's last (rank 2, 3 or 4)`);
  if (a.int('training_mode', 0) !== 0 || (ctx.node.output ?? []).slice(1).some((o) => o !== '')) throw ctx.unsupported('training mode (running statistics outputs)');
  if (ctx.opset < 9 && a.int('spatial', 1) !== 1) throw ctx.unsupported('spatial = 0 (statistics per element, not per channel)');
  const params = [1, 2, 3, 4].map((i) => ctx.input(i, ['scale', 'bias', 'mean', 'variance'][i - 1]));
  const epsilon = a.float('epsilon', 1e-5);
  if (rank === 3) {
    asTwoD(ctx, x, 1, (nhwc, outName) => ctx.emit('BatchNorm', { epsilon }, [nhwc, ...params], outName));
    return;
  }
  const name = ctx.outputName();
  ctx.bind(name, ctx.emit('BatchNorm', { epsilon }, [x, ...params], name));
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

