import { Graph, GraphBuilder, Quantization } from '@tinyforge/ir';

/**
 * Large int8 graphs for the scale benchmark and specs: long chains and wide fan-outs built from layers every stage
 * handles (1×1 convolutions with a fused ReLU, reshapes that are views, one concatenation).
 */

const Q: Quantization = { scale: [0.05], zeroPoint: [-128], axis: 0 };
const W: Quantization = { scale: [0.01], zeroPoint: [0], axis: 0 };
const SHAPE = [1, 4, 4, 8];

function conv(b: GraphBuilder, x: number, name: string): number {
  const weights = b.constant({ name: `${name}_w`, shape: [8, 1, 1, 8], dtype: 'int8', quant: W }, Int8Array.from({ length: 64 }, (_, i) => ((i * 37) % 21) - 10));
  const bias = b.constant({ name: `${name}_b`, shape: [8], dtype: 'int32', quant: { scale: [0.05 * 0.01], zeroPoint: [0], axis: 0 } }, Int32Array.from({ length: 8 }, (_, i) => i * 5 - 20));
  const attrs = { strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padding: 'same' as const, activation: 'relu' as const };
  return b.node('Conv2D', attrs, [x, weights, bias], { name, dtype: 'int8', quant: Q });
}

/** A chain of about `ops` operators: [conv 1×1 + ReLU, reshape to [1, 128], reshape back] repeated. */
export function chainGraph(ops: number): Graph {
  const b = new GraphBuilder(`chain_${ops}`);
  let x = b.input({ name: 'input', shape: SHAPE, dtype: 'int8', quant: Q });
  const flat = b.constant({ name: 'flat_shape', shape: [2], dtype: 'int32' }, Int32Array.of(1, 128));
  const back = b.constant({ name: 'back_shape', shape: [4], dtype: 'int32' }, Int32Array.from(SHAPE));
  for (let i = 0; i * 3 < ops; i++) {
    x = conv(b, x, `conv_${i}`);
    x = b.node('Reshape', {}, [x, flat], { name: `flat_${i}`, dtype: 'int8', quant: Q, shape: [1, 128] });
    x = b.node('Reshape', {}, [x, back], { name: `back_${i}`, dtype: 'int8', quant: Q, shape: SHAPE });
  }
  return b.output(x).build();
}

/** `branches` chains of `depth` convolutions from one input, joined by concatenations on the channels. */
export function wideGraph(branches: number, depth: number): Graph {
  const b = new GraphBuilder(`wide_${branches}x${depth}`);
  const input = b.input({ name: 'input', shape: SHAPE, dtype: 'int8', quant: Q });
  const ends: number[] = [];
  for (let k = 0; k < branches; k++) {
    let x = input;
    for (let i = 0; i < depth; i++) x = conv(b, x, `b${k}_conv_${i}`);
    ends.push(x);
  }
  // Joined by a tree of concatenations of at most 8 inputs each (what the C kernel takes).
  let level = ends;
  for (let depthOfTree = 0; level.length > 1; depthOfTree++) {
    const next: number[] = [];
    for (let i = 0; i < level.length; i += 8) {
      const part = level.slice(i, i + 8);
      next.push(part.length === 1 ? part[0] : b.node('Concatenation', { axis: 3, activation: 'none' }, part, { name: `join_${depthOfTree}_${i / 8}`, dtype: 'int8', quant: Q }));
    }
    level = next;
  }
  return b.output(level[0]).build();
}
