/**
 * Random one-node graphs of the convolution variants for the property tests: TransposeConv2D (int8, and 16x8 with
 * an int64 bias; SAME, VALID and explicit pads, cropping or ONNX's output padding: rows past the last window that
 * get only the bias; strides 1-3, filters narrower or wider than the stride) and grouped int8 Conv2D.
 */
import { ExplicitPadding, FusedActivation, GraphBuilder, Padding, padAxis } from '@tinyforge/ir';
import { PropertyCase, Rng, bytes, perTensor } from './property-harness';

const ACTIVATIONS: FusedActivation[] = ['none', 'none', 'relu', 'relu6'];

/** An output extent and padding that TRANSPOSE_CONV accepts for this axis (ir's transposeAxis rule). */
function axis(r: Rng, kind: number, inSize: number, filter: number, stride: number): { out: number; before: number; after: number } {
  const reach = (inSize - 1) * stride + filter;
  if (kind === 0) return { out: (inSize - 1) * stride + r.int(1, stride), before: 0, after: 0 }; // SAME (before from the output size)
  if (kind === 1) return { out: reach + r.int(0, stride - 1), before: 0, after: 0 }; // VALID
  const before = r.int(0, filter - 1);
  if (r.next() < 0.3) {
    const extra = r.int(0, stride - 1);
    return { out: reach - before + extra, before, after: 0 };
  }
  const after = r.int(0, Math.max(0, Math.min(filter - 1, reach - before - 1)));
  return { out: reach - before - after, before, after };
}

export function transposeConvCase(r: Rng, dtype: 'int8' | 'int16', index: number): PropertyCase {
  const n = r.int(1, 2);
  const ci = r.pick([1, 2, 3, 4, 5, 8, 16, 17]);
  const co = r.int(1, 12);
  const [kh, kw] = [r.int(1, 5), r.int(1, 5)];
  const [h, w] = [r.int(1, 7), r.int(1, 7)];
  const [strideH, strideW] = [r.int(1, 3), r.int(1, 3)];
  const kind = r.int(0, 2);
  const ah = axis(r, kind, h, kh, strideH);
  const aw = axis(r, kind, w, kw, strideW);
  const padding: Padding = kind === 0 ? 'same' : kind === 1 ? 'valid' : ({ top: ah.before, bottom: ah.after, left: aw.before, right: aw.after } satisfies ExplicitPadding);
  const b = new GraphBuilder();
  const int16 = dtype === 'int16';
  const sx = int16 ? r.logUniform(1e-4, 1e-2) : r.logUniform(0.005, 0.2);
  const x = b.input({ name: 'x', shape: [n, h, w, ci], dtype, quant: perTensor(sx, int16 ? 0 : r.int(-128, 127)) });
  const wScales = Array.from({ length: r.next() < 0.8 ? co : 1 }, () => r.logUniform(0.001, 0.05));
  const wShape = [co, kh, kw, ci];
  const wt = b.constant({ name: 'w', shape: wShape, dtype: 'int8', quant: { scale: wScales, zeroPoint: wScales.map(() => 0), axis: 0 } }, r.int8s(co * kh * kw * ci));
  const withBias = r.next() < 0.85;
  const biasT = !withBias
    ? -1
    : int16
      ? b.constant({ name: 'b', shape: [co], dtype: 'int64' }, BigInt64Array.from({ length: co }, () => BigInt(r.int(-40000, 40000)) * BigInt(r.int(1, 64))))
      : b.constant({ name: 'b', shape: [co], dtype: 'int32' }, Int32Array.from({ length: co }, () => r.int(-4000, 4000) * r.int(1, 8)));
  const taps = Math.max(1, Math.ceil(kh / strideH) * Math.ceil(kw / strideW) * ci);
  const sy = Math.fround(sx * wScales[0] * (int16 ? 3000 : 60) * Math.sqrt(taps) * r.logUniform(0.3, 3));
  const attrs = { strideH, strideW, padding, activation: r.pick(ACTIVATIONS), outputH: ah.out, outputW: aw.out };
  const y = b.node('TransposeConv2D', attrs, [x, wt, biasT], { name: 'y', dtype, quant: perTensor(sy, int16 ? 0 : r.int(-100, 100)) });
  const values = int16 ? new Uint8Array(Int16Array.from({ length: n * h * w * ci }, () => r.int(-32768, 32767)).buffer) : bytes(r.int8s(n * h * w * ci));
  const label = `transpose-conv ${dtype}#${index} x[${n},${h},${w},${ci}] w[${wShape}] s${strideH}x${strideW} out ${ah.out}x${aw.out} ${JSON.stringify(padding)}${withBias ? '' : ' no bias'}`;
  return { label, graph: b.output(y).build(), inputs: [values] };
}

/** A grouped int8 Conv2D: 2-6 groups of 1-9 channels (odd widths: the DSP dot product's tails), any geometry. */
export function groupedConvCase(r: Rng, index: number): PropertyCase {
  for (;;) {
    const n = r.int(1, 2);
    const groups = r.int(2, 6);
    const filterC = r.pick([1, 2, 3, 4, 5, 8, 9]);
    const ci = groups * filterC;
    const co = groups * r.int(1, 4);
    const [kh, kw] = [r.int(1, 4), r.int(1, 4)];
    const [h, w] = [r.int(1, 8), r.int(1, 8)];
    const [strideH, strideW] = [r.int(1, 3), r.int(1, 3)];
    const [dilationH, dilationW] = [r.next() < 0.75 ? 1 : 2, r.next() < 0.75 ? 1 : 2];
    const k = r.int(0, 4);
    const padding: Padding = k <= 1 ? 'same' : k <= 3 ? 'valid' : { top: r.int(0, 2), bottom: r.int(0, 2), left: r.int(0, 2), right: r.int(0, 2) };
    if (padAxis(h, kh, strideH, dilationH, padding, 'h').out < 1 || padAxis(w, kw, strideW, dilationW, padding, 'w').out < 1) continue;
    const b = new GraphBuilder();
    const sx = r.logUniform(0.005, 0.2);
    const x = b.input({ name: 'x', shape: [n, h, w, ci], dtype: 'int8', quant: perTensor(sx, r.int(-128, 127)) });
    const wScales = Array.from({ length: r.next() < 0.8 ? co : 1 }, () => r.logUniform(0.001, 0.05));
    const wShape = [co, kh, kw, filterC];
    const wt = b.constant({ name: 'w', shape: wShape, dtype: 'int8', quant: { scale: wScales, zeroPoint: wScales.map(() => 0), axis: 0 } }, r.int8s(co * kh * kw * filterC));
    const biasT = r.next() < 0.85 ? b.constant({ name: 'b', shape: [co], dtype: 'int32' }, Int32Array.from({ length: co }, () => r.int(-4000, 4000) * r.int(1, 8))) : -1;
    const sy = Math.fround(sx * wScales[0] * 60 * Math.sqrt(kh * kw * filterC) * r.logUniform(0.3, 3));
    const attrs = { strideH, strideW, dilationH, dilationW, padding, activation: r.pick(ACTIVATIONS) };
    const y = b.node('Conv2D', attrs, [x, wt, biasT], { name: 'y', dtype: 'int8', quant: perTensor(sy, r.int(-100, 100)) });
    const label = `grouped#${index} ${groups} groups x[${n},${h},${w},${ci}] w[${wShape}] s${strideH}x${strideW} d${dilationH}x${dilationW} ${JSON.stringify(padding)}`;
    return { label, graph: b.output(y).build(), inputs: [bytes(r.int8s(n * h * w * ci))] };
  }
}
