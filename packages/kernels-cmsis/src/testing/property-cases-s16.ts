/**
 * Random one-node graphs of the 16-bit (int16x8), float32 and recurrent kernels for the property tests, one
 * generator per family. Scales keep most outputs inside their type (saturation would hide arithmetic
 * differences) while some clip; recurrent graphs carry state across the two runs the harness makes.
 */
import { FusedActivation, GRU_INPUT, GraphBuilder, LSTM_INPUT, Padding, Quantization, StateKind, padAxis } from '@tinyforge/ir';
import { PropertyCase, Rng, bytes, perTensor } from './property-harness';

const ACTIVATIONS: FusedActivation[] = ['none', 'none', 'relu', 'relu6'];
const count = (s: readonly number[]): number => s.reduce((p, d) => p * d, 1);
const int16s = (r: Rng, n: number, range = 32767): Int16Array => Int16Array.from({ length: n }, () => r.int(-range - 1, range));
const sym16 = (scale: number): Quantization => perTensor(scale, 0);
const b16 = (a: Int16Array): Uint8Array => new Uint8Array(a.buffer.slice(0));
const f32 = (r: Rng, n: number, range: number): Float32Array => Float32Array.from({ length: n }, () => (2 * r.next() - 1) * range);

function randomPadding(r: Rng): Padding {
  const k = r.int(0, 4);
  if (k <= 1) return 'same';
  if (k <= 3) return 'valid';
  return { top: r.int(0, 2), bottom: r.int(0, 2), left: r.int(0, 2), right: r.int(0, 2) };
}

function int64Bias(r: Rng, n: number, range: number): BigInt64Array {
  return BigInt64Array.from({ length: n }, () => BigInt(r.int(-range, range)) * BigInt(r.int(1, 64)));
}

/** CONV_2D / DEPTHWISE_CONV_2D 16x8: groups, int64 or int32 bias, per-channel scales. */
export function conv16Case(r: Rng, kind: 'conv' | 'depthwise', index: number): PropertyCase {
  for (;;) {
    const depthwise = kind === 'depthwise';
    const n = r.int(1, 2);
    const ci = depthwise ? r.pick([1, 2, 3, 4, 5, 8, 12]) : r.pick([1, 2, 3, 4, 5, 8, 16, 17]);
    const groups = !depthwise && r.next() < 0.2 && ci % 2 === 0 ? 2 : 1;
    const mult = depthwise ? r.pick([1, 1, 1, 2]) : 1;
    const co = depthwise ? ci * mult : groups * r.int(1, 7);
    const [kh, kw] = [r.int(1, 4), r.int(1, 4)];
    const [h, w] = [r.int(1, 9), r.int(1, 9)];
    const [strideH, strideW] = [r.int(1, 3), r.int(1, 3)];
    const [dilationH, dilationW] = [r.next() < 0.7 ? 1 : 2, r.next() < 0.7 ? 1 : 2];
    const padding = randomPadding(r);
    if (padAxis(h, kh, strideH, dilationH, padding, 'h').out < 1 || padAxis(w, kw, strideW, dilationW, padding, 'w').out < 1) continue;
    const b = new GraphBuilder();
    const sx = r.logUniform(1e-4, 1e-2);
    const x = b.input({ name: 'x', shape: [n, h, w, ci], dtype: 'int16', quant: sym16(sx) });
    const wScales = Array.from({ length: r.next() < 0.8 ? co : 1 }, () => r.logUniform(0.001, 0.05));
    const filterC = ci / groups;
    const wShape = depthwise ? [1, kh, kw, co] : [co, kh, kw, filterC];
    const wt = b.constant({ name: 'w', shape: wShape, dtype: 'int8', quant: { scale: wScales, zeroPoint: wScales.map(() => 0), axis: depthwise ? 3 : 0 } }, r.int8s(count(wShape)));
    const int32Bias = !depthwise && r.next() < 0.25;
    const biasT =
      r.next() < 0.85
        ? int32Bias
          ? b.constant({ name: 'b', shape: [co], dtype: 'int32' }, Int32Array.from({ length: co }, () => r.int(-400000, 400000)))
          : b.constant({ name: 'b', shape: [co], dtype: 'int64' }, int64Bias(r, co, 40000))
        : -1;
    const depth = depthwise ? kh * kw : kh * kw * filterC;
    const sy = Math.fround(sx * wScales[0] * 3000 * Math.sqrt(depth) * r.logUniform(0.3, 3));
    const attrs = { strideH, strideW, dilationH, dilationW, padding, activation: r.pick(ACTIVATIONS) };
    const out = { name: 'y', dtype: 'int16' as const, quant: sym16(sy) };
    const y = depthwise ? b.node('DepthwiseConv2D', { ...attrs, depthMultiplier: mult }, [x, wt, biasT], out) : b.node('Conv2D', attrs, [x, wt, biasT], out);
    const label = `${kind}16#${index} x[${n},${h},${w},${ci}] w[${wShape}] s${strideH}x${strideW} d${dilationH}x${dilationW} ${JSON.stringify(padding)}${int32Bias ? ' int32 bias' : ''}`;
    return { label, graph: b.output(y).build(), inputs: [b16(int16s(r, n * h * w * ci))] };
  }
}

export function fullyConnected16Case(r: Rng, index: number): PropertyCase {
  const [batches, depth, channels] = [r.int(1, 3), r.int(1, 70), r.int(1, 20)];
  const perChannel = r.next() < 0.4;
  const b = new GraphBuilder();
  const sx = r.logUniform(1e-4, 1e-2);
  const x = b.input({ name: 'x', shape: [batches, depth], dtype: 'int16', quant: sym16(sx) });
  const wScales = Array.from({ length: perChannel ? channels : 1 }, () => r.logUniform(0.001, 0.05));
  const wt = b.constant({ name: 'w', shape: [channels, depth], dtype: 'int8', quant: { scale: wScales, zeroPoint: wScales.map(() => 0), axis: 0 } }, r.int8s(channels * depth));
  const int32Bias = r.next() < 0.3;
  const biasT = int32Bias
    ? b.constant({ name: 'b', shape: [channels], dtype: 'int32' }, Int32Array.from({ length: channels }, () => r.int(-400000, 400000)))
    : b.constant({ name: 'b', shape: [channels], dtype: 'int64' }, int64Bias(r, channels, 40000));
  const sy = Math.fround(sx * wScales[0] * 3000 * Math.sqrt(depth) * r.logUniform(0.3, 3));
  const y = b.node('FullyConnected', { activation: r.pick(ACTIVATIONS), keepNumDims: false }, [x, wt, biasT], { name: 'y', dtype: 'int16', quant: sym16(sy) });
  return { label: `fc16#${index} ${batches}x${depth}→${channels}${perChannel ? ' per-channel' : ''}${int32Bias ? ' int32 bias' : ''}`, graph: b.output(y).build(), inputs: [b16(int16s(r, batches * depth))] };
}

function broadcastShape(r: Rng, out: number[]): number[] {
  const s = out.map((d) => (r.next() < 0.35 ? 1 : d));
  return s.slice(r.int(0, r.next() < 0.3 ? 2 : 0));
}

export function binary16Case(r: Rng, op: 'Add' | 'Sub' | 'Mul', index: number): PropertyCase {
  const out = [r.int(1, 2), r.int(1, 5), r.int(1, 5), r.int(1, 9)];
  const shapeA = broadcastShape(r, out);
  const shapeB = r.next() < 0.5 ? [...out] : broadcastShape(r, out);
  const b = new GraphBuilder();
  const sa = r.logUniform(1e-4, 1e-2);
  const sb = r.next() < 0.2 ? sa : r.logUniform(1e-4, 1e-2);
  const a = b.input({ name: 'a', shape: shapeA, dtype: 'int16', quant: sym16(sa) });
  const c = b.input({ name: 'c', shape: shapeB, dtype: 'int16', quant: sym16(sb) });
  const sy = op === 'Mul' ? sa * sb * 32768 * r.logUniform(0.1, 2) : (sa + sb) * r.logUniform(0.5, 2);
  const rank = Math.max(shapeA.length, shapeB.length);
  const shape = out.map((_, i) => Math.max([1, 1, 1, 1, ...shapeA].slice(-4)[i], [1, 1, 1, 1, ...shapeB].slice(-4)[i])).slice(4 - rank);
  const y = b.node(op, { activation: r.pick(ACTIVATIONS) }, [a, c], { name: 'y', dtype: 'int16', quant: sym16(sy), shape });
  return { label: `${op}16#${index} [${shapeA}] ⊕ [${shapeB}]`, graph: b.output(y).build(), inputs: [b16(int16s(r, count(shapeA))), b16(int16s(r, count(shapeB)))] };
}

/** LOGISTIC / TANH (power-of-two and general input scales) and LEAKY_RELU on int16. */
export function activation16Case(r: Rng, index: number): PropertyCase {
  const op = r.pick(['Logistic', 'Tanh', 'LeakyRelu'] as const);
  const n = r.int(1, 300);
  const b = new GraphBuilder();
  const sx = r.next() < 0.4 ? 2 ** -r.int(10, 13) : r.logUniform(1e-5, 2e-3);
  const x = b.input({ name: 'x', shape: [n], dtype: 'int16', quant: sym16(sx) });
  const y =
    op === 'LeakyRelu'
      ? b.node('LeakyRelu', { alpha: r.pick([0.1, 0.2, -0.3, 1.5]) }, [x], { name: 'y', dtype: 'int16', quant: sym16(sx * r.logUniform(0.5, 2)) })
      : b.node(op, {}, [x], { name: 'y', dtype: 'int16', quant: sym16(2 ** -15) });
  return { label: `${op}16#${index} n=${n} scale ${sx.toExponential(3)}`, graph: b.output(y).build(), inputs: [b16(int16s(r, n))] };
}

/** SOFTMAX int16 → int16 and int8 → int16. */
export function softmax16Case(r: Rng, index: number): PropertyCase {
  const rows = r.int(1, 5);
  const rowSize = r.pick([1, 2, 3, 10, 12, 37]);
  const beta = r.pick([1, 1, 0.5, 2]);
  const b = new GraphBuilder();
  if (r.next() < 0.5) {
    const x = b.input({ name: 'x', shape: [rows, rowSize], dtype: 'int8', quant: perTensor(r.logUniform(0.01, 0.5), r.int(-128, 127)) });
    const y = b.node('Softmax', { beta }, [x], { name: 'y', dtype: 'int16', quant: perTensor(1 / 65536, -32768) });
    return { label: `softmax8→16#${index} ${rows}x${rowSize}`, graph: b.output(y).build(), inputs: [bytes(r.int8s(rows * rowSize))] };
  }
  const x = b.input({ name: 'x', shape: [rows, rowSize], dtype: 'int16', quant: sym16(r.logUniform(1e-4, 1e-3)) });
  const y = b.node('Softmax', { beta }, [x], { name: 'y', dtype: 'int16', quant: sym16(1 / 32768) });
  return { label: `softmax16#${index} ${rows}x${rowSize}`, graph: b.output(y).build(), inputs: [b16(int16s(r, rows * rowSize))] };
}

export function pool16Case(r: Rng, index: number): PropertyCase {
  for (;;) {
    const op = r.pick(['AveragePool2D', 'MaxPool2D'] as const);
    const [n, h, w, c] = [r.int(1, 2), r.int(1, 9), r.int(1, 9), r.int(1, 12)];
    const [filterH, filterW, strideH, strideW] = [r.int(1, 4), r.int(1, 4), r.int(1, 3), r.int(1, 3)];
    const padding = r.pick(['same', 'valid'] as const);
    if (padAxis(h, filterH, strideH, 1, padding, 'h').out < 1 || padAxis(w, filterW, strideW, 1, padding, 'w').out < 1) continue;
    const q = sym16(r.logUniform(1e-4, 1e-2));
    const b = new GraphBuilder();
    const x = b.input({ name: 'x', shape: [n, h, w, c], dtype: 'int16', quant: q });
    const y = b.node(op, { filterH, filterW, strideH, strideW, padding, activation: r.pick(ACTIVATIONS) }, [x], { name: 'y', dtype: 'int16', quant: q });
    return { label: `${op}16#${index} [${n},${h},${w},${c}] f${filterH}x${filterW}`, graph: b.output(y).build(), inputs: [b16(int16s(r, n * h * w * c))] };
  }
}

export function mean16Case(r: Rng, index: number): PropertyCase {
  const shape = [r.int(1, 2), r.int(1, 6), r.int(1, 6), r.int(1, 8)];
  const axes = r.pick([[1, 2], [1], [2], [3], [1, 2, 3]]);
  const b = new GraphBuilder();
  const sx = r.logUniform(1e-4, 1e-2);
  const x = b.input({ name: 'x', shape, dtype: 'int16', quant: sym16(sx) });
  const ax = b.constant({ name: 'axes', shape: [axes.length], dtype: 'int32' }, Int32Array.from(axes));
  const y = b.node('Mean', { keepDims: true }, [x, ax], { name: 'y', dtype: 'int16', quant: sym16(sx * r.logUniform(0.5, 2)) });
  return { label: `mean16#${index} [${shape}] axes ${axes}`, graph: b.output(y).build(), inputs: [b16(int16s(r, count(shape)))] };
}

/** QUANTIZE between int8, int16 and int32, float32 ↔ int16, DEQUANTIZE int16. */
export function requantizeCase(r: Rng, index: number): PropertyCase {
  const n = r.int(1, 200);
  const b = new GraphBuilder();
  const kind = r.int(0, 5);
  const q = (dtype: 'int8' | 'int16' | 'int32'): Quantization =>
    perTensor(dtype === 'int32' ? r.logUniform(1e-7, 1e-5) : dtype === 'int16' ? r.logUniform(1e-4, 1e-3) : r.logUniform(0.01, 0.1), dtype === 'int8' ? r.int(-20, 20) : dtype === 'int32' ? r.int(-5, 5) : 0);
  if (kind === 4) {
    const x = b.input({ name: 'x', shape: [n], dtype: 'float32' });
    const y = b.node('Quantize', {}, [x], { name: 'y', dtype: 'int16', quant: sym16(r.logUniform(1e-4, 1e-3)) });
    return { label: `quantize f32→16#${index}`, graph: b.output(y).build(), inputs: [bytes(f32(r, n, 12))] };
  }
  if (kind === 5) {
    const x = b.input({ name: 'x', shape: [n], dtype: 'int16', quant: sym16(r.logUniform(1e-4, 1e-3)) });
    const y = b.node('Dequantize', {}, [x], { name: 'y', dtype: 'float32' });
    return { label: `dequantize 16→f32#${index}`, graph: b.output(y).build(), inputs: [b16(int16s(r, n))] };
  }
  const pairs = [['int16', 'int8'], ['int8', 'int16'], ['int16', 'int32'], ['int32', 'int16']] as const;
  const [from, to] = pairs[kind];
  const x = b.input({ name: 'x', shape: [n], dtype: from, quant: q(from) });
  const y = b.node('Quantize', {}, [x], { name: 'y', dtype: to, quant: q(to) });
  const input = from === 'int8' ? bytes(r.int8s(n)) : from === 'int16' ? b16(int16s(r, n)) : bytes(Int32Array.from({ length: n }, () => r.int(-3000000, 3000000)));
  return { label: `quantize ${from}→${to}#${index}`, graph: b.output(y).build(), inputs: [input] };
}

/** PAD (int16, int32, float32) and STRIDED_SLICE (any element size, negative strides, shrink masks). */
export function layoutAnyCase(r: Rng, index: number): PropertyCase {
  const dtype = r.pick(['int16', 'int16', 'int8', 'int32', 'float32'] as const);
  const rank = r.int(1, 4);
  const shape = Array.from({ length: rank }, () => r.int(1, 6));
  const quant = dtype === 'float32' ? undefined : perTensor(0.01, dtype === 'int16' ? 0 : r.int(-5, 5));
  const b = new GraphBuilder();
  const x = b.input({ name: 'x', shape, dtype, quant });
  // Float data as real floats: a NaN's payload is not something the kernels promise to keep.
  const raw = dtype === 'float32' ? bytes(f32(r, count(shape), 100)) : new Uint8Array(count(shape) * (dtype === 'int8' ? 1 : dtype === 'int16' ? 2 : 4)).map(() => r.int(0, 255));
  if (dtype !== 'int8' && r.next() < 0.5) {
    const pads = Int32Array.from({ length: 2 * rank }, () => r.int(0, 2));
    const p = b.constant({ name: 'paddings', shape: [rank, 2], dtype: 'int32' }, pads);
    const y = b.node('Pad', {}, [x, p], { name: 'y', dtype, quant });
    return { label: `pad ${dtype}#${index} [${shape}] ${Array.from(pads)}`, graph: b.output(y).build(), inputs: [raw] };
  }
  const begin = shape.map((d) => r.int(-d, d - 1));
  const end = shape.map((d) => r.int(-d, d));
  const shrink = r.next() < 0.2 ? 1 : 0;
  // A shrunk axis takes stride 1 (the IR resolves a shrunk axis with a negative stride to no element).
  const strides = shape.map((_, d) => (d === 0 && shrink ? 1 : r.pick([1, 1, 2, -1])));
  const c = (name: string, v: number[]) => b.constant({ name, shape: [rank], dtype: 'int32' }, Int32Array.from(v));
  const attrs = { beginMask: r.int(0, (1 << rank) - 1), endMask: r.int(0, (1 << rank) - 1), ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: shrink };
  try {
    const y = b.node('StridedSlice', attrs, [x, c('begin', begin), c('end', end), c('strides', strides)], { name: 'y', dtype, quant });
    const g = b.output(y).build();
    if (count(g.tensors[g.outputs[0]].shape) === 0) return layoutAnyCase(r, index);
    return { label: `strided_slice ${dtype}#${index} [${shape}] b${begin} e${end} s${strides}`, graph: g, inputs: [raw] };
  } catch {
    return layoutAnyCase(r, index);
  }
}

/** FULLY_CONNECTED and SOFTMAX on float32. */
export function float32Case(r: Rng, index: number): PropertyCase {
  const b = new GraphBuilder();
  if (r.next() < 0.4) {
    const [rows, depth] = [r.int(1, 4), r.pick([1, 2, 10, 33])];
    const x = b.input({ name: 'x', shape: [rows, depth], dtype: 'float32' });
    const y = b.node('Softmax', { beta: r.pick([1, 0.5, 2]) }, [x], { name: 'y', dtype: 'float32' });
    return { label: `softmax f32#${index}`, graph: b.output(y).build(), inputs: [bytes(f32(r, rows * depth, 8))] };
  }
  const [rows, depth, channels] = [r.int(1, 3), r.int(1, 50), r.int(1, 12)];
  const x = b.input({ name: 'x', shape: [rows, depth], dtype: 'float32' });
  const w = b.constant({ name: 'w', shape: [channels, depth], dtype: 'float32' }, f32(r, channels * depth, 1));
  const bias = r.next() < 0.8 ? b.constant({ name: 'b', shape: [channels], dtype: 'float32' }, f32(r, channels, 1)) : -1;
  const y = b.node('FullyConnected', { activation: r.pick(ACTIVATIONS), keepNumDims: false }, [x, w, bias], { name: 'y', dtype: 'float32' });
  return { label: `fc f32#${index} ${rows}x${depth}→${channels}`, graph: b.output(y).build(), inputs: [bytes(f32(r, rows * depth, 2))] };
}

interface SequenceShape {
  time: number;
  batch: number;
  features: number;
  hidden: number;
  timeMajor: boolean;
  state: StateKind;
}

function sequenceShape(r: Rng): SequenceShape {
  return { time: r.int(1, 5), batch: r.int(1, 3), features: r.int(1, 12), hidden: r.int(1, 9), timeMajor: r.next() < 0.5, state: r.next() < 0.8 ? 'persistent' : 'per-run' };
}

const seqDims = (s: SequenceShape, last: number): number[] => (s.timeMajor ? [s.time, s.batch, last] : [s.batch, s.time, last]);
const sequenceLabel = (s: SequenceShape): string => `T${s.time} B${s.batch} F${s.features} H${s.hidden}${s.timeMajor ? ' time-major' : ''} ${s.state}`;

/** UNIDIRECTIONAL_SEQUENCE_LSTM: int8 with an int16 cell (power-of-two scale), int16x8, or float32. */
export function lstmCase(r: Rng, kind: 'int8' | 'int16' | 'float32', index: number): PropertyCase {
  const s = sequenceShape(r);
  const b = new GraphBuilder();
  const inputs = new Array<number>(24).fill(-1);
  const gates = ['input', 'forget', 'cell', 'output'];
  if (kind === 'float32') {
    inputs[LSTM_INPUT.input] = b.input({ name: 'x', shape: seqDims(s, s.features), dtype: 'float32' });
    gates.forEach((g, k) => {
      inputs[LSTM_INPUT.inputToInputWeights + k] = b.constant({ name: `w_${g}`, shape: [s.hidden, s.features], dtype: 'float32' }, f32(r, s.hidden * s.features, 0.6));
      inputs[LSTM_INPUT.recurrentToInputWeights + k] = b.constant({ name: `r_${g}`, shape: [s.hidden, s.hidden], dtype: 'float32' }, f32(r, s.hidden * s.hidden, 0.6));
      inputs[LSTM_INPUT.inputGateBias + k] = b.constant({ name: `b_${g}`, shape: [s.hidden], dtype: 'float32' }, f32(r, s.hidden, 0.5));
    });
    inputs[LSTM_INPUT.outputState] = b.state({ name: 'h', shape: [s.batch, s.hidden], dtype: 'float32' }, s.state);
    inputs[LSTM_INPUT.cellState] = b.state({ name: 'c', shape: [s.batch, s.hidden], dtype: 'float32' }, s.state);
    const cellClip = r.next() < 0.3 ? 0.8 : 0;
    const y = b.node('UnidirectionalSequenceLstm', { timeMajor: s.timeMajor, cellClip }, inputs, { name: 'y', dtype: 'float32' });
    return { label: `lstm f32#${index} ${sequenceLabel(s)}`, graph: b.output(y).build(), inputs: [bytes(f32(r, count(seqDims(s, s.features)), 1.5))] };
  }
  const wide = kind === 'int16';
  const act = wide ? 'int16' : 'int8';
  const sx = wide ? r.logUniform(1e-4, 1e-3) : r.logUniform(0.01, 0.05);
  const xq = wide ? sym16(sx) : perTensor(sx, r.int(-20, 20));
  const sh = wide ? 2 ** -15 : r.logUniform(0.005, 0.01);
  const hq = wide ? sym16(sh) : perTensor(sh, r.int(-10, 10));
  // Gate pre-activations of a few units: weight scales from the input range.
  const wsIn = 2 / (sx * (wide ? 8000 : 60) * 127 * Math.sqrt(s.features));
  const wsRec = 2 / (sh * (wide ? 16000 : 80) * 127 * Math.sqrt(s.hidden));
  inputs[LSTM_INPUT.input] = b.input({ name: 'x', shape: seqDims(s, s.features), dtype: act, quant: xq });
  gates.forEach((g, k) => {
    const win = wsIn * r.logUniform(0.5, 2);
    inputs[LSTM_INPUT.inputToInputWeights + k] = b.constant({ name: `w_${g}`, shape: [s.hidden, s.features], dtype: 'int8', quant: perTensor(win, 0) }, r.int8s(s.hidden * s.features));
    inputs[LSTM_INPUT.recurrentToInputWeights + k] = b.constant({ name: `r_${g}`, shape: [s.hidden, s.hidden], dtype: 'int8', quant: perTensor(wsRec * r.logUniform(0.5, 2), 0) }, r.int8s(s.hidden * s.hidden));
    const biasScale = Math.fround(sx) * Math.fround(win);
    const bias = Array.from({ length: s.hidden }, () => Math.round(((2 * r.next() - 1) * 1) / biasScale));
    inputs[LSTM_INPUT.inputGateBias + k] = wide
      ? b.constant({ name: `b_${g}`, shape: [s.hidden], dtype: 'int64', quant: perTensor(biasScale, 0) }, BigInt64Array.from(bias.map((v) => BigInt(v))))
      : b.constant({ name: `b_${g}`, shape: [s.hidden], dtype: 'int32', quant: perTensor(biasScale, 0) }, Int32Array.from(bias));
  });
  inputs[LSTM_INPUT.outputState] = b.state({ name: 'h', shape: [s.batch, s.hidden], dtype: act, quant: hq }, s.state);
  inputs[LSTM_INPUT.cellState] = b.state({ name: 'c', shape: [s.batch, s.hidden], dtype: 'int16', quant: sym16(2 ** -r.int(10, 12)) }, s.state);
  const cellClip = r.next() < 0.3 ? 2 : 0;
  const y = b.node('UnidirectionalSequenceLstm', { timeMajor: s.timeMajor, cellClip }, inputs, { name: 'y', dtype: act, quant: hq });
  const n = count(seqDims(s, s.features));
  return { label: `lstm ${kind}#${index} ${sequenceLabel(s)}${cellClip ? ' clip' : ''}`, graph: b.output(y).build(), inputs: [wide ? b16(int16s(r, n, 20000)) : bytes(r.int8s(n))] };
}

/** The GRU: integer (int8 in/out, int16 Q0.15 hidden state) or float, linear before reset or not. */
export function gruCase(r: Rng, kind: 'int8' | 'float32', index: number): PropertyCase {
  const s = sequenceShape(r);
  const linearBeforeReset = r.next() < 0.6;
  const b = new GraphBuilder();
  const inputs = new Array<number>(12).fill(-1);
  const gates = ['update', 'reset', 'candidate'];
  const biases = [GRU_INPUT.updateGateBias, GRU_INPUT.resetGateBias, GRU_INPUT.candidateInputBias];
  if (kind === 'float32') {
    inputs[GRU_INPUT.input] = b.input({ name: 'x', shape: seqDims(s, s.features), dtype: 'float32' });
    gates.forEach((g, k) => {
      inputs[GRU_INPUT.inputToUpdateWeights + k] = b.constant({ name: `w_${g}`, shape: [s.hidden, s.features], dtype: 'float32' }, f32(r, s.hidden * s.features, 0.6));
      inputs[GRU_INPUT.recurrentToUpdateWeights + k] = b.constant({ name: `r_${g}`, shape: [s.hidden, s.hidden], dtype: 'float32' }, f32(r, s.hidden * s.hidden, 0.6));
      inputs[biases[k]] = b.constant({ name: `b_${g}`, shape: [s.hidden], dtype: 'float32' }, f32(r, s.hidden, 0.5));
    });
    inputs[GRU_INPUT.candidateRecurrentBias] = b.constant({ name: 'b_rec', shape: [s.hidden], dtype: 'float32' }, f32(r, s.hidden, 0.5));
    inputs[GRU_INPUT.hiddenState] = b.state({ name: 'h', shape: [s.batch, s.hidden], dtype: 'float32' }, s.state);
    const y = b.node('UnidirectionalSequenceGru', { timeMajor: s.timeMajor, linearBeforeReset }, inputs, { name: 'y', dtype: 'float32' });
    return { label: `gru f32#${index} ${sequenceLabel(s)}`, graph: b.output(y).build(), inputs: [bytes(f32(r, count(seqDims(s, s.features)), 1.5))] };
  }
  const sx = r.logUniform(0.01, 0.05);
  const wsIn = 2 / (sx * 60 * 127 * Math.sqrt(s.features));
  const wsRec = 2 / (2 ** -15 * 16000 * 127 * Math.sqrt(s.hidden));
  inputs[GRU_INPUT.input] = b.input({ name: 'x', shape: seqDims(s, s.features), dtype: 'int8', quant: perTensor(sx, r.int(-20, 20)) });
  gates.forEach((g, k) => {
    const win = wsIn * r.logUniform(0.5, 2);
    const wrec = wsRec * r.logUniform(0.5, 2);
    inputs[GRU_INPUT.inputToUpdateWeights + k] = b.constant({ name: `w_${g}`, shape: [s.hidden, s.features], dtype: 'int8', quant: perTensor(win, 0) }, r.int8s(s.hidden * s.features));
    inputs[GRU_INPUT.recurrentToUpdateWeights + k] = b.constant({ name: `r_${g}`, shape: [s.hidden, s.hidden], dtype: 'int8', quant: perTensor(wrec, 0) }, r.int8s(s.hidden * s.hidden));
    const biasScale = Math.fround(sx) * Math.fround(win);
    inputs[biases[k]] = b.constant({ name: `b_${g}`, shape: [s.hidden], dtype: 'int32', quant: perTensor(biasScale, 0) }, Int32Array.from({ length: s.hidden }, () => Math.round((2 * r.next() - 1) / biasScale)));
    if (k === 2) {
      const recScale = Math.fround(2 ** -15) * Math.fround(wrec);
      inputs[GRU_INPUT.candidateRecurrentBias] = b.constant(
        { name: 'b_rec', shape: [s.hidden], dtype: 'int64', quant: perTensor(recScale, 0) },
        BigInt64Array.from({ length: s.hidden }, () => BigInt(Math.round((2 * r.next() - 1) / recScale))),
      );
    }
  });
  inputs[GRU_INPUT.hiddenState] = b.state({ name: 'h', shape: [s.batch, s.hidden], dtype: 'int16', quant: sym16(2 ** -15) }, s.state);
  const y = b.node('UnidirectionalSequenceGru', { timeMajor: s.timeMajor, linearBeforeReset }, inputs, { name: 'y', dtype: 'int8', quant: perTensor(1 / 128, 0) });
  return { label: `gru int8#${index} ${sequenceLabel(s)}${linearBeforeReset ? ' lbr' : ''}`, graph: b.output(y).build(), inputs: [bytes(r.int8s(count(seqDims(s, s.features))))] };
}

/** SVDF: int8 activations with an int16 state, with an int8 state and zero point, or float32. */
export function svdfCase(r: Rng, kind: 'int16' | 'int8' | 'float32', index: number): PropertyCase {
  const [batch, inputSize, rank, units, memory] = [r.int(1, 2), r.int(1, 20), r.int(1, 3), r.int(1, 6), r.int(1, 8)];
  const filters = units * rank;
  const b = new GraphBuilder();
  const state: StateKind = r.next() < 0.8 ? 'persistent' : 'per-run';
  const label = `svdf ${kind}#${index} B${batch} I${inputSize} rank ${rank} units ${units} memory ${memory} ${state}`;
  if (kind === 'float32') {
    const x = b.input({ name: 'x', shape: [batch, inputSize], dtype: 'float32' });
    const wf = b.constant({ name: 'wf', shape: [filters, inputSize], dtype: 'float32' }, f32(r, filters * inputSize, 0.5));
    const wt = b.constant({ name: 'wt', shape: [filters, memory], dtype: 'float32' }, f32(r, filters * memory, 0.5));
    const bias = r.next() < 0.8 ? b.constant({ name: 'b', shape: [units], dtype: 'float32' }, f32(r, units, 0.5)) : -1;
    const st = b.state({ name: 'state', shape: [batch, filters * memory], dtype: 'float32' }, state);
    const y = b.node('Svdf', { rank, activation: r.pick(['none', 'relu'] as const) }, [x, wf, wt, bias, st], { name: 'y', dtype: 'float32' });
    return { label, graph: b.output(y).build(), inputs: [bytes(f32(r, batch * inputSize, 2))] };
  }
  const sx = r.logUniform(0.01, 0.1);
  const x = b.input({ name: 'x', shape: [batch, inputSize], dtype: 'int8', quant: perTensor(sx, r.int(-20, 20)) });
  const swf = r.logUniform(0.002, 0.02);
  const wf = b.constant({ name: 'wf', shape: [filters, inputSize], dtype: 'int8', quant: perTensor(swf, 0) }, r.int8s(filters * inputSize));
  const int16 = kind === 'int16';
  const sState = sx * swf * 127 * 40 * Math.sqrt(inputSize) / (int16 ? 32768 : 128);
  const stQ = perTensor(sState, int16 ? 0 : r.int(-10, 10));
  const swt = r.logUniform(0.002, 0.02);
  const wt = int16
    ? b.constant({ name: 'wt', shape: [filters, memory], dtype: 'int16', quant: perTensor(swt / 256, 0) }, Int16Array.from({ length: filters * memory }, () => r.int(-32768, 32767)))
    : b.constant({ name: 'wt', shape: [filters, memory], dtype: 'int8', quant: perTensor(swt, 0) }, r.int8s(filters * memory));
  const bias = r.next() < 0.8 ? b.constant({ name: 'b', shape: [units], dtype: 'int32' }, Int32Array.from({ length: units }, () => r.int(-5000, 5000))) : -1;
  const st = b.state({ name: 'state', shape: [batch, filters * memory], dtype: int16 ? 'int16' : 'int8', quant: stQ }, state);
  const sy = sState * (int16 ? swt / 256 : swt) * (int16 ? 32768 : 128) * 127 * Math.sqrt(memory * rank) / 60;
  const y = b.node('Svdf', { rank, activation: 'none' }, [x, wf, wt, bias, st], { name: 'y', dtype: 'int8', quant: perTensor(sy, r.int(-20, 20)) });
  return { label, graph: b.output(y).build(), inputs: [bytes(r.int8s(batch * inputSize))] };
}

/** TRANSPOSE (int16, int32, float32) and CONCATENATION (int16 with requantized inputs, float32). */
export function gatherAnyCase(r: Rng, index: number): PropertyCase {
  const b = new GraphBuilder();
  if (r.next() < 0.5) {
    const dtype = r.pick(['int16', 'int32', 'float32'] as const);
    const rank = r.int(2, 4);
    const shape = Array.from({ length: rank }, () => r.int(1, 6));
    const perm = Array.from({ length: rank }, (_, i) => i).sort(() => r.next() - 0.5);
    const quant = dtype === 'float32' ? undefined : perTensor(0.01, 0);
    const x = b.input({ name: 'x', shape, dtype, quant });
    const p = b.constant({ name: 'perm', shape: [rank], dtype: 'int32' }, Int32Array.from(perm));
    const y = b.node('Transpose', {}, [x, p], { name: 'y', dtype, quant });
    const raw = dtype === 'float32' ? bytes(f32(r, count(shape), 10)) : new Uint8Array(count(shape) * (dtype === 'int16' ? 2 : 4)).map(() => r.int(0, 255));
    return { label: `transpose ${dtype}#${index} [${shape}] perm ${perm}`, graph: b.output(y).build(), inputs: [raw] };
  }
  const dtype = r.pick(['int16', 'int16', 'float32'] as const);
  const rank = r.int(1, 4);
  const base = Array.from({ length: rank }, () => r.int(1, 5));
  const axis = r.int(0, rank - 1);
  const n = r.int(2, 4);
  const outScale = r.logUniform(1e-4, 1e-3);
  const inputs: number[] = [];
  const data: Uint8Array[] = [];
  for (let k = 0; k < n; k++) {
    const shape = base.map((d, i) => (i === axis ? r.int(1, 4) : d));
    const quant = dtype === 'float32' ? undefined : sym16(r.next() < 0.5 ? outScale : r.logUniform(1e-4, 1e-3));
    inputs.push(b.input({ name: `x${k}`, shape, dtype, quant }));
    data.push(dtype === 'float32' ? bytes(f32(r, count(shape), 10)) : b16(int16s(r, count(shape))));
  }
  const y = b.node('Concatenation', { axis: r.next() < 0.3 ? axis - rank : axis, activation: 'none' }, inputs, { name: 'y', dtype, quant: dtype === 'float32' ? undefined : sym16(outScale) });
  return { label: `concat ${dtype}#${index} ${n} inputs rank ${rank} axis ${axis}`, graph: b.output(y).build(), inputs: data };
}
