import { explicitPadding, Graph, WeightedNode } from '@tinyforge/ir';
import { layerMultipliers, multiplyByQuantizedMultiplier, quantizedActivationRange } from '@tinyforge/interpreter';

/**
 * Why another runtime's int8 result for a conv / depthwise / fully-connected element differs from ours. Ours is
 * TFLite's: a 31-bit multiplier from a double, a rounding doubling high multiply, then a rounding right shift, both
 * half away from zero — two roundings. onnxruntime's QLinearConv/QGemm round once: float32 multiplier
 * s_in·s_w/s_out, float product, round half to even.
 */
export type MismatchCause =
  /** Ours is not the exact value rounded once (TFLite's double rounding); theirs is. */
  | 'tflite-double-rounding'
  /** The exact value is a tie: ours rounds it away from zero, theirs to even. */
  | 'tie-away-vs-even'
  /** Ours is the exact value rounded once; theirs is not (float multiplier or float product). */
  | 'other-runtime-rounding'
  | 'unexplained';

export interface LayerRoundingReport {
  causes: Map<MismatchCause, number>;
  /** Accumulators beyond ±2^24, which a float32 requantization cannot hold exactly. */
  largeAccumulators: number;
  /** Elements where recomputing ours from the accumulator did not give our output (0 unless the analysis is wrong). */
  notReproduced: number;
}

const int8Of = (b: Uint8Array): Int8Array => new Int8Array(b.buffer, b.byteOffset, b.byteLength);

function int32Of(b: Uint8Array): Int32Array {
  const copy = b.slice(); // aligned
  return new Int32Array(copy.buffer, 0, copy.byteLength / 4);
}

/** The int32 accumulators (bias included) of a conv / depthwise / fully-connected node, in its NHWC output order. */
export function accumulators(g: Graph, node: WeightedNode, tensors: ReadonlyMap<number, Uint8Array>): Float64Array {
  const x = int8Of(tensors.get(node.inputs[0])!);
  const zin = g.tensors[node.inputs[0]].quant!.zeroPoint[0];
  const wT = g.tensors[node.inputs[1]];
  const w = int8Of(wT.data!);
  const b = node.inputs[2] !== undefined && node.inputs[2] >= 0 ? int32Of(g.tensors[node.inputs[2]].data!) : undefined;
  const outShape = g.tensors[node.outputs[0]].shape;
  const acc = new Float64Array(outShape.reduce((p, d) => p * d, 1));
  if (node.op === 'FullyConnected') {
    const [outC, inC] = wT.shape;
    for (let r = 0; r < acc.length / outC; r++) {
      for (let o = 0; o < outC; o++) {
        let sum = b ? b[o] : 0;
        for (let i = 0; i < inC; i++) sum += (x[r * inC + i] - zin) * w[o * inC + i];
        acc[r * outC + o] = sum;
      }
    }
    return acc;
  }
  const [, inH, inW, inC] = g.tensors[node.inputs[0]].shape;
  const [, outH, outW, outC] = outShape;
  const [, kH, kW] = wT.shape;
  if (node.op === 'TransposeConv2D') {
    // TFLite's scatter (reference_integer_ops::TransposeConv), the bias added to every output element
    const t = node.attrs;
    const pad = typeof t.padding === 'string' ? explicitPadding(outH, outW, kH, kW, t.strideH, t.strideW, 1, 1, t.padding) : t.padding;
    for (let i = 0; i < acc.length; i++) acc[i] = b ? b[i % outC] : 0;
    for (let iy = 0; iy < inH; iy++)
      for (let ix = 0; ix < inW; ix++)
        for (let c = 0; c < inC; c++)
          for (let ky = 0; ky < kH; ky++)
            for (let kx = 0; kx < kW; kx++) {
              const oy = iy * t.strideH - pad.top + ky;
              const ox = ix * t.strideW - pad.left + kx;
              if (oy < 0 || oy >= outH || ox < 0 || ox >= outW) continue;
              for (let o = 0; o < outC; o++) acc[(oy * outW + ox) * outC + o] += (x[(iy * inW + ix) * inC + c] - zin) * w[((o * kH + ky) * kW + kx) * inC + c];
            }
    return acc;
  }
  const a = node.attrs;
  const pad = explicitPadding(inH, inW, kH, kW, a.strideH, a.strideW, a.dilationH, a.dilationW, a.padding);
  const multiplier = outC / inC;
  // a grouped convolution's output channel o reads the filter's channels of its group (see ir's convGroups)
  const filterC = wT.shape[3];
  const perGroup = outC / (inC / filterC);
  const groupBase = (o: number): number => Math.floor(o / perGroup) * filterC;
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      for (let o = 0; o < outC; o++) {
        let sum = b ? b[o] : 0;
        for (let ky = 0; ky < kH; ky++) {
          for (let kx = 0; kx < kW; kx++) {
            const iy = oy * a.strideH - pad.top + ky * a.dilationH;
            const ix = ox * a.strideW - pad.left + kx * a.dilationW;
            if (iy < 0 || iy >= inH || ix < 0 || ix >= inW) continue;
            const px = (iy * inW + ix) * inC;
            if (node.op === 'DepthwiseConv2D') sum += (x[px + Math.floor(o / multiplier)] - zin) * w[(ky * kW + kx) * outC + o];
            else for (let c = 0; c < filterC; c++) sum += (x[px + groupBase(o) + c] - zin) * w[((o * kH + ky) * kW + kx) * filterC + c];
          }
        }
        acc[(oy * outW + ox) * outC + o] = sum;
      }
    }
  }
  return acc;
}

/**
 * The cause of one differing element, from the exact value v = acc · multiplier · 2^(shift − 31) (TFLite's
 * multiplier is exact once quantized, so v is the value both runtimes approximate). Outputs are clamped int8.
 */
/** The exact value acc · multiplier · 2^(shift − 31) rounded once: its floor, whether it is a tie, and the nearest. */
function exactRounding(acc: number, multiplier: number, shift: number): { down: number; tie: boolean; nearest: number; away: number; even: number } {
  const den = 1n << BigInt(31 - shift);
  const p = BigInt(acc) * BigInt(multiplier);
  const floor = p >= 0n ? p / den : -((-p + den - 1n) / den);
  const twice = 2n * (p - floor * den);
  const tie = twice === den;
  const down = Number(floor);
  const nearest = down + (twice > den ? 1 : 0);
  return { down, tie, nearest, away: tie ? down + (p >= 0n ? 1 : 0) : nearest, even: tie ? down + (down % 2 === 0 ? 0 : 1) : nearest };
}

/** TFLite's requantization with one rounding, ties to even (what onnxruntime's integer kernels compute). */
export function requantizeOnce(acc: number, multiplier: number, shift: number): number {
  return exactRounding(acc, multiplier, shift).even;
}

/**
 * The cause of one differing element, from the exact value v = acc · multiplier · 2^(shift − 31) (TFLite's
 * multiplier is exact once quantized, so v is the value both runtimes approximate). Outputs are clamped int8.
 */
export function mismatchCause(acc: number, multiplier: number, shift: number, zeroPoint: number, ours: number, theirs: number): MismatchCause {
  const { tie, nearest, away, even } = exactRounding(acc, multiplier, shift);
  const clamp = (v: number): number => Math.max(-128, Math.min(127, v + zeroPoint));
  if (tie && ours === clamp(away) && theirs === clamp(even)) return 'tie-away-vs-even';
  if (ours !== clamp(away) && theirs === clamp(nearest)) return 'tflite-double-rounding';
  if (ours === clamp(away) && theirs !== clamp(even)) return 'other-runtime-rounding';
  return 'unexplained';
}

/** A conv / depthwise / fully-connected layer's int8 output with TFLite's requantization rounded once (ties to even). */
export function singleRoundingOutput(g: Graph, node: WeightedNode, tensors: ReadonlyMap<number, Uint8Array>): Int8Array {
  const acc = accumulators(g, node, tensors);
  const outQ = g.tensors[node.outputs[0]].quant!;
  const outC = g.tensors[node.outputs[0]].shape[g.tensors[node.outputs[0]].shape.length - 1];
  const { multipliers, shifts } = layerMultipliers(node.op, g.tensors[node.inputs[0]].quant!.scale[0], g.tensors[node.inputs[1]].quant!.scale, outQ.scale[0], outC);
  const clamp = quantizedActivationRange(node.attrs.activation, 'int8', outQ.scale[0], outQ.zeroPoint[0]) ?? { min: -128, max: 127 };
  return Int8Array.from(acc, (a, i) => Math.max(clamp.min, Math.min(clamp.max, requantizeOnce(a, multipliers[i % outC], shifts[i % outC]) + outQ.zeroPoint[0])));
}

/** Every element of one layer where `theirs` differs from our output, explained from its accumulator. */
export function explainLayer(g: Graph, node: WeightedNode, tensors: ReadonlyMap<number, Uint8Array>, theirs: Int8Array): LayerRoundingReport {
  const acc = accumulators(g, node, tensors);
  const ours = int8Of(tensors.get(node.outputs[0])!);
  const outQ = g.tensors[node.outputs[0]].quant!;
  const outC = g.tensors[node.outputs[0]].shape[g.tensors[node.outputs[0]].shape.length - 1];
  const { multipliers, shifts } = layerMultipliers(node.op, g.tensors[node.inputs[0]].quant!.scale[0], g.tensors[node.inputs[1]].quant!.scale, outQ.scale[0], outC);
  const clamp = quantizedActivationRange(node.attrs.activation, 'int8', outQ.scale[0], outQ.zeroPoint[0]) ?? { min: -128, max: 127 };
  const report: LayerRoundingReport = { causes: new Map(), largeAccumulators: 0, notReproduced: 0 };
  for (let i = 0; i < acc.length; i++) {
    const c = i % outC;
    if (Math.abs(acc[i]) > 2 ** 24) report.largeAccumulators++;
    const recomputed = multiplyByQuantizedMultiplier(acc[i], multipliers[c], shifts[c]) + outQ.zeroPoint[0];
    if (Math.max(clamp.min, Math.min(clamp.max, recomputed)) !== ours[i]) report.notReproduced++;
    if (ours[i] === theirs[i]) continue;
    const cause = mismatchCause(acc[i], multipliers[c], shifts[c], outQ.zeroPoint[0], ours[i], theirs[i]);
    report.causes.set(cause, (report.causes.get(cause) ?? 0) + 1);
  }
  return report;
}

