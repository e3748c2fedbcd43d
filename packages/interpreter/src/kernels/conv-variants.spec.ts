import { GraphBuilder, NHWC_TO_NCHW, Padding, Quantization, seededUniform, transposeData } from '@tinyforge/ir';
import { readOnnx, readTflite, writeOnnx, writeTflite } from '@tinyforge/model-format';
import { Interpreter } from '../interpreter';

/**
 * TRANSPOSE_CONV and grouped CONV_2D in int8 against expectations computed here, independently of the kernels: the
 * accumulators gathered per output element (the kernels scatter, or loop by group), and TFLite's requantization
 * written out in BigInt from tflite/kernels/internal/common.h (QuantizeMultiplier of input × filter / output
 * scale in double, SaturatingRoundingDoublingHighMul, RoundingDivideByPOT), then the zero point and the clamp.
 */

const q = (scale: number, zeroPoint: number): Quantization => ({ scale: [scale], zeroPoint: [zeroPoint], axis: 0 });
const I32_MIN = -(2n ** 31n);

/** QuantizeMultiplier: a Q31 significand and a shift, from frexp of the double multiplier. */
function quantizeMultiplier(m: number): { significand: bigint; shift: number } {
  if (m === 0) return { significand: 0n, shift: 0 };
  let shift = Math.floor(Math.log2(m)) + 1;
  let frac = m / 2 ** shift;
  if (frac >= 1) (frac /= 2), shift++;
  if (frac < 0.5) (frac *= 2), shift--;
  let significand = BigInt(Math.round(frac * 2 ** 31));
  if (significand === 2n ** 31n) (significand /= 2n), shift++;
  return { significand, shift };
}

function requantize(acc: number, real: number): number {
  const { significand, shift } = quantizeMultiplier(real);
  const x = BigInt(acc) * 2n ** BigInt(Math.max(shift, 0));
  // SaturatingRoundingDoublingHighMul (the saturating case needs both operands INT32_MIN)
  let high: bigint;
  if (x === I32_MIN && significand === I32_MIN) high = 2n ** 31n - 1n;
  else {
    const ab = x * significand;
    const nudge = ab >= 0n ? 2n ** 30n : 1n - 2n ** 30n;
    high = (ab + nudge) / 2n ** 31n; // BigInt division truncates toward zero, as C++'s does
  }
  // RoundingDivideByPOT: half away from zero
  const e = BigInt(Math.max(-shift, 0));
  const mask = (1n << e) - 1n;
  const remainder = high & mask;
  const threshold = (mask >> 1n) + (high < 0n ? 1n : 0n);
  return Number((high >> e) + (remainder > threshold ? 1n : 0n));
}

const f32 = Math.fround;
const effective = (inScale: number, wScale: number, outScale: number): number => (f32(inScale) * f32(wScale)) / f32(outScale);

interface Case {
  x: Int8Array;
  inShape: [number, number, number, number];
  w: Int8Array;
  wShape: [number, number, number, number];
  wScales: number[];
  bias: Int32Array;
  inQ: [number, number];
  outQ: [number, number];
}

function randomCase(seed: number, inShape: Case['inShape'], wShape: Case['wShape']): Case {
  const r = seededUniform(seed);
  const int8 = (n: number): Int8Array => Int8Array.from({ length: n }, () => Math.floor(r() * 256) - 128);
  const outC = wShape[0];
  return {
    x: int8(inShape.reduce((p, d) => p * d, 1)),
    inShape,
    w: int8(wShape.reduce((p, d) => p * d, 1)),
    wShape,
    wScales: Array.from({ length: outC }, () => 0.002 + 0.01 * r()),
    bias: Int32Array.from({ length: outC }, () => Math.floor(r() * 4000) - 2000),
    inQ: [0.02 + 0.03 * r(), Math.floor(r() * 40) - 20],
    outQ: [0.03 + 0.1 * r(), Math.floor(r() * 40) - 20],
  };
}

function run(c: Case, op: 'TransposeConv2D' | 'Conv2D', attrs: Record<string, unknown>): Int8Array {
  const b = new GraphBuilder();
  const x = b.input({ name: 'x', shape: c.inShape, dtype: 'int8', quant: q(...c.inQ) });
  const w = b.constant({ name: 'w', shape: c.wShape, dtype: 'int8', quant: { scale: c.wScales, zeroPoint: c.wScales.map(() => 0), axis: 0 } }, c.w);
  const bias = b.constant({ name: 'b', shape: [c.wShape[0]], dtype: 'int32' }, c.bias);
  const y = b.node(op, attrs as never, [x, w, bias], { name: 'y', dtype: 'int8', quant: q(...c.outQ) });
  const out = new Interpreter(b.output(y).build()).run([new Uint8Array(c.x.buffer)]).outputs[0];
  return new Int8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** The int8 output from per-element accumulators: + bias, requantized per channel, + zero point, clamped. */
function expected(c: Case, outShape: number[], accumulator: (b: number, oy: number, ox: number, oc: number) => number): number[] {
  const [n, outH, outW, outC] = outShape;
  const out: number[] = [];
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < outH; oy++)
      for (let ox = 0; ox < outW; ox++)
        for (let oc = 0; oc < outC; oc++) {
          const acc = accumulator(b, oy, ox, oc) + c.bias[oc];
          const v = requantize(acc, effective(c.inQ[0], c.wScales[oc], c.outQ[0])) + c.outQ[1];
          out.push(Math.max(-128, Math.min(127, v)));
        }
  return out;
}

describe('int8 TRANSPOSE_CONV (reference_integer_ops::TransposeConv)', () => {
  /** Output (oy, ox) gathers every input pixel whose window, at (iy·s − pad, ix·s − pad), covers it. */
  const gathered = (c: Case, stride: [number, number], pad: [number, number]) => (b: number, oy: number, ox: number, oc: number): number => {
    const [, inH, inW, inC] = c.inShape;
    const [, kH, kW] = c.wShape;
    let acc = 0;
    for (let ky = 0; ky < kH; ky++) {
      const ty = oy + pad[0] - ky;
      if (ty < 0 || ty % stride[0] !== 0 || ty / stride[0] >= inH) continue;
      for (let kx = 0; kx < kW; kx++) {
        const tx = ox + pad[1] - kx;
        if (tx < 0 || tx % stride[1] !== 0 || tx / stride[1] >= inW) continue;
        const [iy, ix] = [ty / stride[0], tx / stride[1]];
        for (let ic = 0; ic < inC; ic++) acc += (c.x[((b * inH + iy) * inW + ix) * inC + ic] - c.inQ[1]) * c.w[((oc * kH + ky) * kW + kx) * inC + ic];
      }
    }
    return acc;
  };

  it.each([
    // [seed, input, filter, stride, padding, output H×W, the padding before as TFLite computes it]
    [1, [1, 4, 5, 3], [4, 3, 3, 3], [2, 2], 'same', [8, 10], [0, 0]],
    [2, [2, 3, 3, 2], [3, 2, 3, 2], [1, 2], 'valid', [4, 7], [0, 0]],
    [3, [1, 5, 4, 4], [2, 4, 4, 4], [2, 2], 'same', [9, 8], [1, 1]],
    [4, [1, 3, 6, 1], [5, 3, 1, 1], [3, 1], { top: 1, bottom: 0, left: 0, right: 0 }, [8, 6], [1, 0]],
    // an output one row past the last window (ONNX output_padding): that row is bias only
    [5, [1, 2, 2, 2], [2, 2, 2, 2], [2, 2], { top: 0, bottom: 0, left: 0, right: 0 }, [5, 5], [0, 0]],
  ] as const)('seed %i: %j ⊛ᵀ %j, stride %j, %j', (seed, inShape, wShape, stride, padding, out, pad) => {
    const c = randomCase(seed, [...inShape] as Case['inShape'], [...wShape] as Case['wShape']);
    const attrs = { strideH: stride[0], strideW: stride[1], padding: padding as Padding, activation: 'none', outputH: out[0], outputW: out[1] };
    const got = Array.from(run(c, 'TransposeConv2D', attrs));
    expect(got).toEqual(expected(c, [inShape[0], out[0], out[1], wShape[0]], gathered(c, [stride[0], stride[1]], [pad[0], pad[1]])));
    expect(new Set(got).size).toBeGreaterThan(6); // not saturated: the comparison means something
  });

  it('refuses an output size the input cannot give', () => {
    const c = randomCase(9, [1, 4, 4, 1], [1, 3, 3, 1]);
    expect(() => run(c, 'TransposeConv2D', { strideH: 2, strideW: 2, padding: 'same', activation: 'none', outputH: 10, outputW: 8 })).toThrow(/output height 10 does not give input 4/);
  });
});

describe('int8 grouped CONV_2D (TFLite reference ConvPerChannel with groups = input depth / filter depth)', () => {
  it.each([
    [11, [1, 6, 5, 4], [6, 3, 3, 2], 'same'],
    [12, [2, 5, 5, 6], [9, 2, 2, 2], 'valid'],
    [13, [1, 4, 7, 8], [4, 1, 3, 2], 'same'],
  ] as const)('seed %i: %j with filter %j (%s)', (seed, inShape, wShape, padding) => {
    const c = randomCase(seed, [...inShape] as Case['inShape'], [...wShape] as Case['wShape']);
    const [, inH, inW, inC] = inShape;
    const [outC, kH, kW, filterC] = wShape;
    const groups = inC / filterC;
    const padTop = padding === 'same' ? Math.floor(Math.max(kH - 1, 0) / 2) : 0;
    const padLeft = padding === 'same' ? Math.floor(Math.max(kW - 1, 0) / 2) : 0;
    const outH = padding === 'same' ? inH : inH - kH + 1;
    const outW = padding === 'same' ? inW : inW - kW + 1;
    const got = Array.from(run(c, 'Conv2D', { strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padding, activation: 'none' }));
    const want = expected(c, [inShape[0], outH, outW, outC], (b, oy, ox, oc) => {
      const group = Math.floor(oc / (outC / groups));
      let acc = 0;
      for (let ky = 0; ky < kH; ky++)
        for (let kx = 0; kx < kW; kx++) {
          const [iy, ix] = [oy - padTop + ky, ox - padLeft + kx];
          if (iy < 0 || iy >= inH || ix < 0 || ix >= inW) continue;
          for (let k = 0; k < filterC; k++) acc += (c.x[((b * inH + iy) * inW + ix) * inC + group * filterC + k] - c.inQ[1]) * c.w[((oc * kH + ky) * kW + kx) * filterC + k];
        }
      return acc;
    });
    expect(got).toEqual(want);
    expect(new Set(got).size).toBeGreaterThan(6);
  });
});

describe('TILE', () => {
  it('repeats every axis by its multiple, for any element type', () => {
    const b = new GraphBuilder();
    const x = b.input({ name: 'x', shape: [2, 3], dtype: 'int8', quant: q(1, 0) });
    const m = b.constant({ name: 'm', shape: [2], dtype: 'int32' }, Int32Array.of(2, 2));
    const y = b.node('Tile', {}, [x, m], { name: 'y', dtype: 'int8', quant: q(1, 0) });
    const out = new Interpreter(b.output(y).build()).run([new Uint8Array(Int8Array.of(1, 2, 3, 4, 5, 6).buffer)]).outputs[0];
    expect(Array.from(new Int8Array(out.buffer, out.byteOffset, out.byteLength))).toEqual([1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6, 1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6]);
  });
});

describe('TRANSPOSE_CONV, grouped CONV_2D and TILE through the TFLite and ONNX writers and readers', () => {
  /** float and int8 graphs of all three ops, the transpose conv with explicit pads SAME/VALID cannot express. */
  function graph(dtype: 'float32' | 'int8', padding: Padding, out: [number, number]): ReturnType<GraphBuilder['build']> {
    const c = randomCase(21, [1, 3, 4, 4], [6, 3, 3, 2]);
    const b = new GraphBuilder('variants');
    const int8 = dtype === 'int8';
    const tensor = (scale: number, zp: number) => (int8 ? { dtype, quant: q(scale, zp) } : { dtype });
    const x = b.input({ name: 'x', shape: c.inShape, ...tensor(...c.inQ) });
    const wq = { scale: c.wScales, zeroPoint: c.wScales.map(() => 0), axis: 0 };
    const weights = (name: string, shape: number[], values: Int8Array): number =>
      int8 ? b.constant({ name, shape, dtype: 'int8', quant: wq }, values) : b.constant({ name, shape, dtype: 'float32' }, Float32Array.from(values, (v, i) => v * c.wScales[Math.floor(i / (values.length / shape[0]))]));
    const bias = (name: string): number => (int8 ? b.constant({ name, shape: [6], dtype: 'int32' }, c.bias) : b.constant({ name, shape: [6], dtype: 'float32' }, Float32Array.from(c.bias, (v) => v * 1e-3)));
    const grouped = b.node('Conv2D', { strideH: 1, strideW: 1, padding: 'same', activation: 'relu' }, [x, weights('wg', [6, 3, 3, 2], c.w), bias('bg')], { name: 'grouped', ...tensor(0.05, -128) });
    const wt = weights('wt', [6, 3, 3, 6], Int8Array.from({ length: 324 }, (_, i) => c.w[i % c.w.length]));
    const up = b.node('TransposeConv2D', { strideH: 2, strideW: 2, padding, activation: 'none', outputH: out[0], outputW: out[1] }, [grouped, wt, bias('bt')], { name: 'up', ...tensor(0.04, 3) });
    const m = b.constant({ name: 'm', shape: [4], dtype: 'int32' }, Int32Array.of(1, 1, 2, 1));
    return b.output(b.node('Tile', {}, [up, m], { name: 'y', ...tensor(0.04, 3) })).build();
  }
  const input = (g: ReturnType<typeof graph>, seed: number): Uint8Array => {
    const t = g.tensors[g.inputs[0]];
    const r = seededUniform(seed);
    const n = t.shape.reduce((p, d) => p * d, 1);
    return t.dtype === 'int8' ? new Uint8Array(Int8Array.from({ length: n }, () => Math.floor(r() * 256) - 128).buffer) : new Uint8Array(Float32Array.from({ length: n }, () => r() * 2 - 1).buffer);
  };

  it.each([
    ['int8', 'same', [6, 8]],
    ['int8', { top: 1, left: 0, bottom: 0, right: 1 }, [6, 8]],
    ['float32', { top: 0, left: 0, bottom: 0, right: 0 }, [8, 10]],
  ] as const)('%s, padding %j: the read-back TFLite model computes the same bytes', (dtype, padding, out) => {
    const g = graph(dtype, padding, [out[0], out[1]]);
    const back = readTflite(writeTflite(g));
    const x = input(g, 5);
    expect(new Interpreter(back).run([x]).outputs[0]).toEqual(new Interpreter(g).run([x]).outputs[0]);
    // pads SAME / VALID cannot express (zero pads are VALID, also with an output past the windows) add a crop
    const cropped = typeof padding !== 'string' && padding.top + padding.left > 0;
    expect(back.nodes.map((n) => n.op)).toEqual(['Conv2D', 'TransposeConv2D', ...(cropped ? ['StridedSlice'] : []), 'Tile']);
  });

  it('float: the read-back ONNX model computes the same values (explicit pads and an output past the windows)', () => {
    const g = graph('float32', { top: 1, left: 0, bottom: 0, right: 0 }, [7, 10]);
    const back = readOnnx(writeOnnx(g));
    const x = input(g, 6);
    const got = new Float32Array(new Interpreter(back).run([transposeData(x, g.tensors[g.inputs[0]].shape, NHWC_TO_NCHW, 4)]).outputs[0].slice().buffer);
    const want = new Float32Array(new Interpreter(g).run([x]).outputs[0].slice().buffer);
    const nchw = new Float32Array(transposeData(new Uint8Array(want.buffer), g.tensors[g.outputs[0]].shape, NHWC_TO_NCHW, 4).buffer);
    expect(got.length).toBe(nchw.length);
    got.forEach((v, i) => expect(Math.abs(v - nchw[i])).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(nchw[i]))));
  });
});
