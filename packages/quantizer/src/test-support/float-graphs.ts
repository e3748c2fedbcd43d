import * as fs from 'fs';
import * as path from 'path';
import { bytesOf, elementCount, Graph, GraphBuilder, seededUniform, viewAs } from '@tinyforge/ir';
import { Interpreter } from '@tinyforge/interpreter';

export const SHARED_DIR = path.resolve(__dirname, '../../../../../shared');
export const MODELS_DIR = path.join(SHARED_DIR, 'models');

/** `describe`, or `describe.skip` with a visible reason when ../shared is missing. */
export function describeWithShared(): jest.Describe {
  if (fs.existsSync(MODELS_DIR)) return describe;
  console.warn(`skipping tests on the shared models: ${MODELS_DIR} not found`);
  return describe.skip;
}

/** Seeded uniform numbers in [lo, hi) (mulberry32). */
export function seeded(seed: number): (lo?: number, hi?: number) => number {
  const next = seededUniform(seed);
  return (lo = 0, hi = 1) => lo + next() * (hi - lo);
}

export function randomFloats(n: number, rand: (lo?: number, hi?: number) => number, lo = -1, hi = 1): Float32Array {
  return Float32Array.from({ length: n }, () => rand(lo, hi));
}

export function runFloat(graph: Graph, inputs: Float32Array[]): Float32Array[] {
  return new Interpreter(graph).run(inputs.map((x) => bytesOf(x))).outputs.map((b) => Float32Array.from(viewAs(b, 'float32')));
}

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** A small float CNN: conv → BN → relu → depthwise → relu6 → avgpool → reshape → FC → softmax (NHWC, 8×8×3). */
export function smallCnn(seed = 1): Graph {
  const r = seeded(seed);
  const b = new GraphBuilder('small_cnn');
  const f = (name: string, shape: number[], lo = -0.5, hi = 0.5): number =>
    b.constant({ name, shape, dtype: 'float32' }, randomFloats(elementCount(shape), r, lo, hi));
  const conv = { strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padding: 'same' as const, activation: 'none' as const };
  const x = b.input({ name: 'input', shape: [1, 8, 8, 3], dtype: 'float32' });
  const c1 = b.node('Conv2D', conv, [x, f('w1', [4, 3, 3, 3]), f('b1', [4])], { name: 'conv1', dtype: 'float32' });
  const bn = b.node('BatchNorm', { epsilon: 1e-3 }, [c1, f('gamma', [4], 0.5, 1.5), f('beta', [4]), f('mean', [4]), f('var', [4], 0.5, 2)], { name: 'bn1', dtype: 'float32' });
  const r1 = b.node('Relu', {}, [bn], { name: 'relu1', dtype: 'float32' });
  const d1 = b.node('DepthwiseConv2D', { ...conv, depthMultiplier: 2 }, [r1, f('dw', [1, 3, 3, 8]), f('db', [8])], { name: 'dw1', dtype: 'float32' });
  const r2 = b.node('Relu6', {}, [d1], { name: 'relu6', dtype: 'float32' });
  const p = b.node('AveragePool2D', { filterH: 2, filterW: 2, strideH: 2, strideW: 2, padding: 'valid', activation: 'none' }, [r2], { name: 'pool', dtype: 'float32' });
  const shape = b.constant({ name: 'shape', shape: [2], dtype: 'int32' }, Int32Array.of(1, 128));
  const flat = b.node('Reshape', {}, [p, shape], { name: 'flat', dtype: 'float32', shape: [1, 128] });
  const fc = b.node('FullyConnected', { activation: 'none', keepNumDims: false }, [flat, f('fcw', [10, 128], -0.2, 0.2), f('fcb', [10])], { name: 'fc', dtype: 'float32' });
  const sm = b.node('Softmax', { beta: 1 }, [fc], { name: 'probs', dtype: 'float32' });
  return b.output(sm).build();
}
