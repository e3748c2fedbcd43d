/**
 * Random one-node int8 graphs for the property tests, one generator per kernel family. Scales are drawn so that
 * outputs mostly land inside int8 (saturation would hide arithmetic differences) but sometimes clip.
 */
import { FusedActivation, GraphBuilder, Padding, padAxis } from '@tinyforge/ir';
import { PropertyCase, Rng, bytes, perTensor } from './property-harness';

const ACTIVATIONS: FusedActivation[] = ['none', 'none', 'relu', 'relu6'];

function randomPadding(r: Rng): Padding {
  const k = r.int(0, 4);
  if (k <= 1) return 'same';
  if (k <= 3) return 'valid';
  return { top: r.int(0, 2), bottom: r.int(0, 2), left: r.int(0, 2), right: r.int(0, 2) };
}

/** Output extent > 0 for this geometry, so the case is a valid graph. */
function fits(size: number, filter: number, stride: number, dilation: number, padding: Padding, axis: 'h' | 'w'): boolean {
  return padAxis(size, filter, stride, dilation, padding, axis).out >= 1;
}

/** 'depthwise1': a DepthwiseConv2D over one input channel, multipliers 1..8 (lowered as the Conv2D it equals). */
export function convCase(r: Rng, kind: 'conv' | 'conv1x1' | 'conv1xN' | 'depthwise' | 'depthwise1', index: number): PropertyCase {
  for (;;) {
    const depthwise = kind === 'depthwise' || kind === 'depthwise1';
    const n = r.int(1, 2);
    const ci = kind === 'depthwise1' ? 1 : depthwise ? r.int(1, 9) : r.pick([1, 2, 3, 4, 5, 8, 16, 17, 24]);
    const mult = kind === 'depthwise1' ? r.int(1, 8) : depthwise ? r.pick([1, 1, 2, 3]) : 1;
    const co = depthwise ? ci * mult : r.int(1, 13);
    let kh = r.int(1, 4);
    let kw = r.int(1, 4);
    if (kind === 'conv1x1') kh = kw = 1;
    if (kind === 'conv1xN') [kh, kw] = r.next() < 0.5 ? [1, r.int(2, 7)] : [r.int(2, 7), 1];
    const h = kind === 'conv1xN' && kh === 1 ? r.int(1, 3) : r.int(1, 9);
    const w = kind === 'conv1xN' && kw === 1 ? r.int(1, 3) : r.int(1, 9);
    const plain1x1 = kind === 'conv1x1' && r.next() < 0.7;
    const strideH = plain1x1 ? 1 : r.int(1, 3);
    const strideW = plain1x1 ? strideH : r.int(1, 3);
    const dilationH = plain1x1 || r.next() < 0.7 ? 1 : 2;
    const dilationW = plain1x1 || r.next() < 0.7 ? 1 : 2;
    const padding = plain1x1 ? 'valid' : randomPadding(r);
    if (!fits(h, kh, strideH, dilationH, padding, 'h') || !fits(w, kw, strideW, dilationW, padding, 'w')) continue;

    const b = new GraphBuilder();
    const sx = r.logUniform(0.005, 0.2);
    const x = b.input({ name: 'x', shape: [n, h, w, ci], dtype: 'int8', quant: perTensor(sx, r.int(-128, 127)) });
    const perChannel = r.next() < 0.8;
    const wScales = Array.from({ length: perChannel ? co : 1 }, () => r.logUniform(0.001, 0.05));
    const wShape = depthwise ? [1, kh, kw, co] : [co, kh, kw, ci];
    const wCount = wShape.reduce((p, d) => p * d, 1);
    const wt = b.constant(
      { name: 'w', shape: wShape, dtype: 'int8', quant: { scale: wScales, zeroPoint: wScales.map(() => 0), axis: depthwise ? 3 : 0 } },
      r.int8s(wCount),
    );
    const depth = depthwise ? kh * kw : kh * kw * ci;
    const biasT = r.next() < 0.85
      ? b.constant({ name: 'b', shape: [co], dtype: 'int32' }, Int32Array.from({ length: co }, () => r.int(-4000, 4000) * r.int(1, 8)))
      : -1;
    const sy = Math.fround(sx * wScales[0] * 60 * Math.sqrt(depth) * r.logUniform(0.3, 3));
    const attrs = { strideH, strideW, dilationH, dilationW, padding, activation: r.pick(ACTIVATIONS) };
    const out = { name: 'y', dtype: 'int8' as const, quant: perTensor(sy, r.int(-100, 100)) };
    const y = depthwise
      ? b.node('DepthwiseConv2D', { ...attrs, depthMultiplier: mult }, [x, wt, biasT], out)
      : b.node('Conv2D', attrs, [x, wt, biasT], out);
    const label = `${kind}#${index} x[${n},${h},${w},${ci}] w[${wShape}] s${strideH}x${strideW} d${dilationH}x${dilationW} pad ${JSON.stringify(padding)}`;
    return { label, graph: b.output(y).build(), inputs: [bytes(r.int8s(n * h * w * ci))] };
  }
}

export function fullyConnectedCase(r: Rng, index: number): PropertyCase {
  const batches = r.int(1, 3);
  const depth = r.int(1, 40);
  const channels = r.int(1, 20);
  const perChannel = r.next() < 0.4;
  const b = new GraphBuilder();
  const sx = r.logUniform(0.005, 0.2);
  const x = b.input({ name: 'x', shape: [batches, depth], dtype: 'int8', quant: perTensor(sx, r.int(-128, 127)) });
  const wScales = Array.from({ length: perChannel ? channels : 1 }, () => r.logUniform(0.001, 0.05));
  const wt = b.constant(
    { name: 'w', shape: [channels, depth], dtype: 'int8', quant: { scale: wScales, zeroPoint: wScales.map(() => 0), axis: 0 } },
    r.int8s(channels * depth),
  );
  const biasT = r.next() < 0.85
    ? b.constant({ name: 'b', shape: [channels], dtype: 'int32' }, Int32Array.from({ length: channels }, () => r.int(-20000, 20000)))
    : -1;
  const sy = Math.fround(sx * wScales[0] * 60 * Math.sqrt(depth) * r.logUniform(0.3, 3));
  const y = b.node('FullyConnected', { activation: r.pick(ACTIVATIONS), keepNumDims: false }, [x, wt, biasT], {
    name: 'y',
    dtype: 'int8',
    quant: perTensor(sy, r.int(-100, 100)),
  });
  const label = `fc#${index} ${batches}x${depth}→${channels}${perChannel ? ' per-channel' : ''}`;
  return { label, graph: b.output(y).build(), inputs: [bytes(r.int8s(batches * depth))] };
}

export function poolCase(r: Rng, index: number): PropertyCase {
  for (;;) {
    const op = r.pick(['AveragePool2D', 'MaxPool2D'] as const);
    const [n, h, w, c] = [r.int(1, 2), r.int(1, 9), r.int(1, 9), r.int(1, 12)];
    const filterH = r.int(1, 4);
    const filterW = r.int(1, 4);
    const strideH = r.int(1, 3);
    const strideW = r.int(1, 3);
    const padding = r.pick(['same', 'valid'] as const);
    if (!fits(h, filterH, strideH, 1, padding, 'h') || !fits(w, filterW, strideW, 1, padding, 'w')) continue;
    const q = perTensor(r.logUniform(0.005, 0.2), r.int(-128, 127));
    const b = new GraphBuilder();
    const x = b.input({ name: 'x', shape: [n, h, w, c], dtype: 'int8', quant: q });
    const y = b.node(op, { filterH, filterW, strideH, strideW, padding, activation: r.pick(ACTIVATIONS) }, [x], {
      name: 'y',
      dtype: 'int8',
      quant: q,
    });
    const label = `${op}#${index} [${n},${h},${w},${c}] f${filterH}x${filterW} s${strideH}x${strideW} ${padding}`;
    return { label, graph: b.output(y).build(), inputs: [bytes(r.int8s(n * h * w * c))] };
  }
}

/** A shape with some dimensions knocked down to 1 (numpy broadcasting), sometimes of lower rank. */
function broadcastShape(r: Rng, out: number[]): number[] {
  const s = out.map((d) => (r.next() < 0.35 ? 1 : d));
  return s.slice(r.int(0, r.next() < 0.3 ? 2 : 0));
}

export function binaryCase(r: Rng, op: 'Add' | 'Mul', index: number): PropertyCase {
  const out = [r.int(1, 2), r.int(1, 5), r.int(1, 5), r.int(1, 9)];
  const shapeA = broadcastShape(r, out);
  const shapeB = r.next() < 0.5 ? [...out] : broadcastShape(r, out);
  const b = new GraphBuilder();
  const sa = r.logUniform(0.01, 0.2);
  const sb = r.next() < 0.2 ? sa : r.logUniform(0.01, 0.2);
  const a = b.input({ name: 'a', shape: shapeA, dtype: 'int8', quant: perTensor(sa, r.int(-128, 127)) });
  const c = b.input({ name: 'c', shape: shapeB, dtype: 'int8', quant: perTensor(sb, r.int(-128, 127)) });
  const sy = op === 'Add' ? (sa + sb) * r.logUniform(0.5, 2) : sa * sb * 128 * r.logUniform(0.1, 2);
  // Output shape stated: broadcasting of two partial shapes may not recover every output dimension.
  const rank = Math.max(shapeA.length, shapeB.length);
  const broadcastOut = out
    .map((_, i) => Math.max([1, 1, 1, 1, ...shapeA].slice(-4)[i], [1, 1, 1, 1, ...shapeB].slice(-4)[i]))
    .slice(4 - rank);
  const y = b.node(op, { activation: r.pick(ACTIVATIONS) }, [a, c], {
    name: 'y',
    dtype: 'int8',
    quant: perTensor(sy, r.int(-100, 100)),
    shape: broadcastOut,
  });
  const count = (s: number[]): number => s.reduce((p, d) => p * d, 1);
  const label = `${op}#${index} [${shapeA}] ⊕ [${shapeB}]`;
  return { label, graph: b.output(y).build(), inputs: [bytes(r.int8s(count(shapeA))), bytes(r.int8s(count(shapeB)))] };
}

export function softmaxCase(r: Rng, index: number): PropertyCase {
  const rows = r.int(1, 6);
  const rowSize = r.pick([1, 2, 3, 10, 12, 37, 100]);
  const b = new GraphBuilder();
  const x = b.input({ name: 'x', shape: [rows, rowSize], dtype: 'int8', quant: perTensor(r.logUniform(0.01, 0.5), r.int(-128, 127)) });
  const beta = r.pick([1, 1, 0.5, 2]);
  const y = b.node('Softmax', { beta }, [x], { name: 'y', dtype: 'int8', quant: perTensor(1 / 256, -128) });
  return { label: `softmax#${index} ${rows}x${rowSize} beta ${beta}`, graph: b.output(y).build(), inputs: [bytes(r.int8s(rows * rowSize))] };
}
