import { padAxis } from '../padding';
import { elementCount, shapeToString, Tensor } from '../tensor';
import { weightedTypes } from './dtype-rules';
import { attr, defineOp, FusedActivation, noActivation, Padding, ShapeContext } from './op-def';

export interface ConvAttrs {
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  padding: Padding;
  activation: FusedActivation;
}

export type DepthwiseConvAttrs = ConvAttrs & { depthMultiplier: number };

const convAttrs = {
  strideH: attr.positiveInt(),
  strideW: attr.positiveInt(),
  dilationH: attr.withDefault(attr.positiveInt(), 1),
  dilationW: attr.withDefault(attr.positiveInt(), 1),
  padding: attr.padding(),
  activation: noActivation(),
};

/** The spatial output of a window op over a 4-D NHWC input, failing when it would be empty. */
export function windowOutput(c: ShapeContext<unknown>, inH: number, inW: number, a: { strideH: number; strideW: number; padding: Padding }, kH: number, kW: number, dilationH: number, dilationW: number): [number, number] {
  const h = padAxis(inH, kH, a.strideH, dilationH, a.padding, 'h');
  const w = padAxis(inW, kW, a.strideW, dilationW, a.padding, 'w');
  if (h.out < 1 || w.out < 1) c.fail(`output would be empty (${h.out}×${w.out})`);
  return [h.out, w.out];
}

function checkBias(c: ShapeContext<unknown>, outC: number): void {
  const bias = c.optional(2);
  if (bias !== undefined && elementCount(bias.shape) !== outC) c.fail(`bias has ${elementCount(bias.shape)} elements, expected ${outC}`);
}

/** The 4-D input and filter of a convolution. */
function convOperands(c: ShapeContext<unknown>): { x: Tensor; w: Tensor } {
  const x = c.input(0);
  const w = c.input(1);
  c.rank(x, 4, 'input');
  c.rank(w, 4, 'filter');
  return { x, w };
}

function convShape(c: ShapeContext<ConvAttrs>, outC: number): number[] {
  const { x, w } = convOperands(c);
  checkBias(c, outC);
  const a = c.attrs;
  const [h, ww] = windowOutput(c, x.shape[1], x.shape[2], a, w.shape[1], w.shape[2], a.dilationH, a.dilationW);
  return [x.shape[0], h, ww, outC];
}

/**
 * How many groups a CONV_2D's filter [Co, Kh, Kw, Ci/groups] splits its input channels into (1: an ordinary
 * convolution): output channel o reads input channels g·Ci/groups … (g+1)·Ci/groups − 1 with g = ⌊o / (Co/groups)⌋,
 * as TFLite's reference convolution computes it. Undefined when the shapes do not split so.
 */
export function convGroups(inputChannels: number, filterShape: readonly number[]): number | undefined {
  const perGroup = filterShape[3];
  const outC = filterShape[0];
  if (!(perGroup >= 1) || inputChannels % perGroup !== 0) return undefined;
  const groups = inputChannels / perGroup;
  return outC % groups === 0 ? groups : undefined;
}

/** inputs: x [N,H,W,Ci], w [Co,Kh,Kw,Ci/groups], bias [Co]? (a grouped convolution is one node: see convGroups) */
export const CONV_2D = defineOp<ConvAttrs>()({
  arity: [2, 3],
  attrs: convAttrs,
  dtypes: weightedTypes,
  inferShape(c) {
    const { x, w } = convOperands(c);
    if (convGroups(x.shape[3], w.shape) === undefined) c.fail(`filter ${shapeToString(w.shape)} does not match input channels ${x.shape[3]}`);
    return convShape(c, w.shape[0]);
  },
  macs: (c) => {
    const w = c.inputShape(1);
    return c.outputElements * w[1] * w[2] * w[3];
  },
  parametersFrom: 1,
  weights: { channelAxis: 0 },
  fusableActivation: true,
});

/** inputs: x [N,H,W,Ci], w [1,Kh,Kw,Ci*M], bias [Ci*M]? */
export const DEPTHWISE_CONV_2D = defineOp<DepthwiseConvAttrs>()({
  arity: [2, 3],
  attrs: { ...convAttrs, depthMultiplier: attr.positiveInt() },
  dtypes: weightedTypes,
  inferShape(c) {
    const { x, w } = convOperands(c);
    const m = c.attrs.depthMultiplier;
    const outC = w.shape[3];
    if (w.shape[0] !== 1 || outC !== x.shape[3] * m) {
      c.fail(`filter ${shapeToString(w.shape)} does not match input channels ${x.shape[3]} × multiplier ${m}`);
    }
    return convShape(c, outC);
  },
  macs: (c) => {
    const w = c.inputShape(1);
    return c.outputElements * w[1] * w[2];
  },
  parametersFrom: 1,
  weights: { channelAxis: 3 },
  fusableActivation: true,
});

/** inputs: x [..., In], w [Out, In], bias [Out]? */
export const FULLY_CONNECTED = defineOp<{ activation: FusedActivation; keepNumDims: boolean }>()({
  arity: [2, 3],
  attrs: { activation: noActivation(), keepNumDims: attr.withDefault(attr.bool(), false) },
  dtypes: weightedTypes,
  inferShape(c) {
    const x = c.input(0);
    const w = c.input(1);
    c.rank(w, 2, 'weights');
    const [outDim, inDim] = w.shape;
    const total = elementCount(x.shape);
    if (inDim < 1 || total % inDim !== 0) c.fail(`input ${shapeToString(x.shape)} is not a multiple of the weights' input depth ${inDim}`);
    checkBias(c, outDim);
    if (c.attrs.keepNumDims) return [...x.shape.slice(0, -1), outDim];
    return [total / inDim, outDim];
  },
  macs: (c) => c.outputElements * c.inputShape(1)[1],
  parametersFrom: 1,
  weights: { channelAxis: 0 },
  fusableActivation: true,
});

export interface TransposeConvAttrs {
  strideH: number;
  strideW: number;
  /**
   * Of the convolution this one transposes: SAME / VALID as TFLite computes them from the output size, or explicit
   * (ONNX): top / left offset the windows, bottom / right is what the output crops off their end (0 when the output
   * goes up to stride − 1 rows past them: those rows get only the bias).
   */
  padding: Padding;
  activation: FusedActivation;
  /** The output's spatial size (TFLite's output_shape operand; it cannot be derived: several sizes give one input size). */
  outputH: number;
  outputW: number;
}

/** One axis of a transpose convolution: the output size checked against the input size, and the padding before. */
/**
 * The padding before (top, left) of a transposed convolution, where its windows start: for SAME / VALID, TFLite's
 * ComputePaddingHeightWidth on the output size (the convolution it transposes runs from the output to the input);
 * explicit pads as given. The reference interpreter and the C kernels' lowering both take it from here.
 */
export function transposeConvPadding(attrs: TransposeConvAttrs, filterH: number, filterW: number): { top: number; left: number } {
  const p = attrs.padding;
  if (typeof p !== 'string') return { top: p.top, left: p.left };
  return { top: padAxis(attrs.outputH, filterH, attrs.strideH, 1, p, 'h').before, left: padAxis(attrs.outputW, filterW, attrs.strideW, 1, p, 'w').before };
}

function transposeAxis(c: ShapeContext<TransposeConvAttrs>, inSize: number, outSize: number, filter: number, stride: number, axis: 'h' | 'w'): void {
  const p = c.attrs.padding;
  if (typeof p === 'string') {
    // The convolution of the output (TFLite's ComputePaddingHeightWidth) must give the input back.
    const forward = padAxis(outSize, filter, stride, 1, p, axis).out;
    if (forward !== inSize) c.fail(`output ${axis === 'h' ? 'height' : 'width'} ${outSize} does not give input ${inSize} under ${p.toUpperCase()} padding with filter ${filter} and stride ${stride}`);
    return;
  }
  // The windows reach (in − 1)·stride + filter − before rows; the rest is cropped (the padding after), or, up to
  // stride − 1 rows, the output goes past them and those rows get only the bias (ONNX's output_padding).
  const [before, after] = axis === 'h' ? [p.top, p.bottom] : [p.left, p.right];
  const cropped = (inSize - 1) * stride + filter - before - outSize;
  const what = axis === 'h' ? 'height' : 'width';
  if (cropped >= 0 ? after !== cropped : after !== 0 || -cropped >= stride) {
    c.fail(`output ${what} ${outSize} does not fit input ${inSize}, filter ${filter}, stride ${stride} and pads ${before} / ${after}`);
  }
}

/**
 * TFLite TRANSPOSE_CONV: every input pixel (y, x) adds input × filter into the output window at (y·stride − pad_top,
 * x·stride − pad_left). inputs: x [N,H,W,Ci], w [Co,Kh,Kw,Ci] (OHWI), bias [Co]?. TFLite passes the output shape as
 * a tensor (its input 0, constant in every model TFLite Micro runs); the IR keeps it as attributes so that the
 * inputs follow the other weighted layers' order (x, weights, bias), which the quantizer's passes rely on.
 */
export const TRANSPOSE_CONV_2D = defineOp<TransposeConvAttrs>()({
  arity: [2, 3],
  attrs: {
    strideH: attr.positiveInt(),
    strideW: attr.positiveInt(),
    padding: attr.padding(),
    activation: noActivation(),
    outputH: attr.positiveInt(),
    outputW: attr.positiveInt(),
  },
  dtypes: weightedTypes,
  inferShape(c) {
    const { x, w } = convOperands(c);
    if (w.shape[3] !== x.shape[3]) c.fail(`filter ${shapeToString(w.shape)} does not match input channels ${x.shape[3]}`);
    checkBias(c, w.shape[0]);
    const a = c.attrs;
    transposeAxis(c, x.shape[1], a.outputH, w.shape[1], a.strideH, 'h');
    transposeAxis(c, x.shape[2], a.outputW, w.shape[2], a.strideW, 'w');
    return [x.shape[0], a.outputH, a.outputW, w.shape[0]];
  },
  macs: (c) => {
    const x = c.inputShape(0);
    const w = c.inputShape(1);
    return elementCount(x) * w[0] * w[1] * w[2];
  },
  parametersFrom: 1,
  weights: { channelAxis: 0 },
  fusableActivation: true,
});
