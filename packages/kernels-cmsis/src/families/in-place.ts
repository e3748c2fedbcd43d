/** The in-place rules the kernels' write orders allow (tfg_nn.h's opening comment states them for the C). */
import { Graph, Node, tensorBytes } from '@tinyforge/ir';
import { InPlace } from './family';

/** Smallest offset(input) − offset(output) for which row streaming never overwrites an input row still needed. */
export function streamDisplacement(inRows: number, inRowBytes: number, outRows: number, outRowBytes: number, stride: number, padTop: number): number {
  let d = 0;
  for (let y = 0; y < outRows; y++) {
    const firstStillNeeded = Math.min(inRows, Math.max(0, (y - 1) * stride - padTop));
    d = Math.max(d, (y + 1) * outRowBytes - firstStillNeeded * inRowBytes);
  }
  return d;
}

/**
 * Row streaming for NHWC convolutions with one batch: output row y reads input rows from y·stride − padTop on,
 * and the kernels finish output rows in increasing order. Output row y may overwrite input rows that no later
 * output row reads; one extra row of slack covers kernels that interleave the last pixels of one row with the
 * first of the next (the GEMM works on pixel pairs).
 */
export function streamRule(graph: Graph, node: Node, strideH: number, padTop: number): InPlace | undefined {
  const x = graph.tensors[node.inputs[0]];
  const y = graph.tensors[node.outputs[0]];
  const [inShape, outShape] = [x.shape, y.shape];
  if (x.dtype !== y.dtype || inShape.length !== 4 || outShape.length !== 4 || inShape[0] !== 1 || outShape[0] !== 1) return undefined;
  const minDisplacement = streamDisplacement(inShape[1], inShape[2] * inShape[3], outShape[1], outShape[2] * outShape[3], strideH, padTop);
  return { inputPosition: 0, rule: { kind: 'stream', minDisplacement } };
}

/** Same-shape element-wise: output element i is written after reading element i of both inputs. */
export function elementwiseRule(graph: Graph, node: Node): InPlace | undefined {
  const out = graph.tensors[node.outputs[0]];
  for (let k = 0; k < 2; k++) {
    const input = graph.tensors[node.inputs[k]];
    const sameShape = input.shape.length === out.shape.length && input.shape.every((d, i) => d === out.shape[i]);
    if (input.data === undefined && sameShape && tensorBytes(input) === tensorBytes(out)) return { inputPosition: k, rule: { kind: 'same' } };
  }
  return undefined;
}
