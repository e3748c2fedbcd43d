/**
 * Random one-node graphs for the table activations, quantize/dequantize, pad, transpose, concatenation and mean.
 */
import { GraphBuilder } from '@tinyforge/ir';
import { PropertyCase, Rng, bytes, perTensor } from './property-harness';

function randomShape(r: Rng, minRank: number, maxRank: number, maxDim = 6): number[] {
  return Array.from({ length: r.int(minRank, maxRank) }, () => r.int(1, maxDim));
}
const count = (s: number[]): number => s.reduce((p, d) => p * d, 1);

const TABLE_OPS = ['Logistic', 'Tanh', 'HardSwish', 'Relu', 'Relu6', 'LeakyRelu', 'Clip', 'Quantize'] as const;

export function tableCase(r: Rng, index: number): PropertyCase {
  const op = TABLE_OPS[index % TABLE_OPS.length];
  const shape = randomShape(r, 1, 4);
  const sx = r.logUniform(0.005, 0.3);
  const xq = perTensor(sx, r.int(-128, 127));
  let yq = perTensor(r.logUniform(0.005, 0.3), r.int(-128, 127));
  if (op === 'Logistic') yq = perTensor(1 / 256, -128);
  if (op === 'Tanh') yq = perTensor(1 / 128, 0);
  if (op === 'Relu6' || op === 'Clip') yq = xq;
  if (op === 'HardSwish') yq = perTensor(sx * r.logUniform(0.3, 1), r.int(-128, 127));
  const b = new GraphBuilder();
  const x = b.input({ name: 'x', shape, dtype: 'int8', quant: xq });
  const out = { name: 'y', dtype: 'int8' as const, quant: yq };
  let y: number;
  if (op === 'LeakyRelu') y = b.node(op, { alpha: r.pick([0.01, 0.1, 0.2, 0.3, 0.5]) }, [x], out);
  else if (op === 'Clip') {
    const lo = sx * r.int(-150, 0);
    y = b.node(op, { min: lo, max: lo + sx * r.int(1, 200) }, [x], out);
  } else y = b.node(op, {} as never, [x], out);
  return { label: `${op}#${index} [${shape}]`, graph: b.output(y).build(), inputs: [bytes(r.int8s(count(shape)))] };
}

export function quantizeCase(r: Rng, index: number): PropertyCase {
  const shape = randomShape(r, 1, 3);
  const q = perTensor(r.logUniform(0.005, 0.3), r.int(-128, 127));
  const scale = q.scale[0];
  const b = new GraphBuilder();
  if (index % 2 === 1) {
    const x = b.input({ name: 'x', shape, dtype: 'int8', quant: q });
    const y = b.node('Dequantize', {}, [x], { name: 'y', dtype: 'float32' });
    return { label: `Dequantize#${index} [${shape}]`, graph: b.output(y).build(), inputs: [bytes(r.int8s(count(shape)))] };
  }
  // Values on and near rounding ties, and far out of range (saturation).
  const values = Float32Array.from({ length: count(shape) }, () => {
    const k = r.int(-300, 300);
    const kind = r.int(0, 2);
    return kind === 0 ? (k + 0.5) * scale : kind === 1 ? k * scale : (r.next() - 0.5) * 600 * scale;
  });
  const x = b.input({ name: 'x', shape, dtype: 'float32' });
  const y = b.node('Quantize', {}, [x], { name: 'y', dtype: 'int8', quant: q });
  return { label: `Quantize#${index} [${shape}]`, graph: b.output(y).build(), inputs: [bytes(values)] };
}

export function padCase(r: Rng, index: number): PropertyCase {
  const shape = randomShape(r, 1, 4, 5);
  const q = perTensor(r.logUniform(0.01, 0.2), r.int(-128, 127));
  const b = new GraphBuilder();
  const x = b.input({ name: 'x', shape, dtype: 'int8', quant: q });
  const pads = b.constant({ name: 'p', shape: [shape.length, 2], dtype: 'int32' }, Int32Array.from({ length: 2 * shape.length }, () => r.int(0, 2)));
  const operands = [x, pads];
  if (r.next() < 0.3) operands.push(b.constant({ name: 'v', shape: [], dtype: 'int8', quant: q }, Int8Array.of(r.int(-128, 127))));
  const y = b.node('Pad', {}, operands, { name: 'y', dtype: 'int8', quant: q });
  return { label: `Pad#${index} [${shape}]`, graph: b.output(y).build(), inputs: [bytes(r.int8s(count(shape)))] };
}

export function transposeCase(r: Rng, index: number): PropertyCase {
  const shape = randomShape(r, 2, 4, 6);
  const perm = shape.map((_, i) => i);
  for (let i = perm.length - 1; i > 0; i--) {
    const j = r.int(0, i);
    [perm[i], perm[j]] = [perm[j], perm[i]];
  }
  const q = perTensor(0.05, r.int(-20, 20));
  const b = new GraphBuilder();
  const x = b.input({ name: 'x', shape, dtype: 'int8', quant: q });
  const p = b.constant({ name: 'perm', shape: [perm.length], dtype: 'int32' }, Int32Array.from(perm));
  const y = b.node('Transpose', {}, [x, p], { name: 'y', dtype: 'int8', quant: q });
  return { label: `Transpose#${index} [${shape}] perm [${perm}]`, graph: b.output(y).build(), inputs: [bytes(r.int8s(count(shape)))] };
}

export function concatCase(r: Rng, index: number): PropertyCase {
  const shape = randomShape(r, 1, 4, 5);
  const axis = r.int(0, shape.length - 1);
  const yq = perTensor(r.logUniform(0.01, 0.2), r.int(-100, 100));
  const b = new GraphBuilder();
  const n = r.int(1, 4);
  const inputs: number[] = [];
  const data: Uint8Array[] = [];
  let total = 0;
  for (let k = 0; k < n; k++) {
    const s = [...shape];
    s[axis] = r.int(1, 4);
    total += s[axis];
    const q = r.next() < 0.3 ? yq : perTensor(yq.scale[0] * r.logUniform(0.5, 2), r.int(-128, 127));
    inputs.push(b.input({ name: `x${k}`, shape: s, dtype: 'int8', quant: q }));
    data.push(bytes(r.int8s(count(s))));
  }
  const outShape = [...shape];
  outShape[axis] = total;
  const negative = r.next() < 0.3;
  const y = b.node('Concatenation', { axis: negative ? axis - shape.length : axis, activation: 'none' }, inputs, {
    name: 'y',
    dtype: 'int8',
    quant: yq,
    shape: outShape,
  });
  return { label: `Concatenation#${index} ${n} inputs axis ${axis} → [${outShape}]`, graph: b.output(y).build(), inputs: data };
}

export function meanCase(r: Rng, index: number): PropertyCase {
  const shape = randomShape(r, 2, 4, 7);
  const axes = shape.map((_, i) => i).filter(() => r.next() < 0.5);
  if (axes.length === 0) axes.push(r.int(0, shape.length - 1));
  const keepDims = r.next() < 0.5;
  const xq = perTensor(r.logUniform(0.01, 0.2), r.int(-128, 127));
  const b = new GraphBuilder();
  const x = b.input({ name: 'x', shape, dtype: 'int8', quant: xq });
  const a = b.constant({ name: 'axes', shape: [axes.length], dtype: 'int32' }, Int32Array.from(axes.map((v) => (r.next() < 0.3 ? v - shape.length : v))));
  const y = b.node('Mean', { keepDims }, [x, a], { name: 'y', dtype: 'int8', quant: perTensor(xq.scale[0] * r.logUniform(0.3, 2), r.int(-100, 100)) });
  return { label: `Mean#${index} [${shape}] axes [${axes}] keep ${keepDims}`, graph: b.output(y).build(), inputs: [bytes(r.int8s(count(shape)))] };
}
