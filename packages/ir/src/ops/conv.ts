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

/** inputs: x [N,H,W,Ci], w [Co,Kh,Kw,Ci/groups], bias [Co]? */
export const CONV_2D = defineOp<ConvAttrs>()({
  arity: [2, 3],
  attrs: convAttrs,
  dtypes: weightedTypes,
  inferShape(c) {
    const { x, w } = convOperands(c);
    const inC = w.shape[3];
    if (inC < 1 || x.shape[3] % inC !== 0) c.fail(`filter ${shapeToString(w.shape)} does not match input channels ${x.shape[3]}`);
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
