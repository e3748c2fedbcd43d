import { explicitPadding, Graph, Node, tensorBytes, VIEW_OPS } from '@tinyforge/ir';
import { Dims4, packedConvScratchBytes, prefersFirstLayerPath } from '@tinyforge/kernels-cmsis';
import { InPlaceRule } from '../memory/types';

/** What the memory planner needs to know about one node's kernel. */
export interface NodeMemory {
  /** Scratch bytes the kernel needs during the call (its `_get_buffer_size`); 0 for none. */
  scratchBytes: number;
  /** Which input the output may share memory with, and how. */
  inPlace?: { inputPosition: number; rule: InPlaceRule };
}

const align4 = (n: number): number => Math.ceil(n / 4) * 4;

/** im2col block of tfg_convolve_s8 (TFG_CONV_BLOCK_ROWS). */
const CONV_BLOCK_ROWS = 16;

/** Scratch of the DSP convolution GEMM: a pair of input pixels widened to int16 (tfg_nn_pair_gemm_s8_scratch_size; 0 in plain C). */
function gemmScratchBytes(depth: number): number {
  return Math.ceil(depth / 4) * 16;
}

/**
 * Scratch of the DSP first-layer convolution (tfg_convolve_few_channels_s8_scratch_size): per channel pair a record
 * of 10 + 4 x ceil(depth / 4) words (an odd last channel pairs with zeros), then one widened pixel pair; 0 where
 * that path does not take the filter.
 */
function fewChannelsScratchBytes(filter: Dims4): number {
  if (!prefersFirstLayerPath({ filter })) return 0;
  const steps = Math.ceil((filter.h * filter.w * filter.c) / 4);
  return (Math.ceil(filter.n / 2) * (10 + 4 * steps) + 4 * steps) * 4;
}

/**
 * Scratch sizes mirror the kernels' `_get_buffer_size` functions (kernels-cmsis) for the DSP build, which needs
 * the most; depthwise and pooling need none. The generated code also asks the kernel at run
 * time and returns an error if the plan gave too little, so a drift fails loudly instead of corrupting memory.
 */
export function nodeMemory(graph: Graph, node: Node): NodeMemory {
  const x = graph.tensors[node.inputs[0]];
  const out = graph.tensors[node.outputs[0]];
  if (VIEW_OPS.has(node.op)) return { scratchBytes: 0, inPlace: { inputPosition: 0, rule: { kind: 'same' } } };
  switch (node.op) {
    case 'Conv2D': {
      const w = graph.tensors[node.inputs[1]].shape; // [Co, Kh, Kw, Ci]
      const pads = convPads(graph, node);
      const is1x1 = w[1] === 1 && w[2] === 1 && pads.top === 0 && pads.left === 0;
      const depth = w[1] * w[2] * w[3];
      const filter = { n: w[0], h: w[1], w: w[2], c: w[3] };
      // tfg_convolve_s8 leaves room for both its paths: the first-layer one may decline at run time. The
      // generated code may call tfg_convolve_packed_s8 instead (packedConvScratchBytes).
      const int8Path = is1x1
        ? gemmScratchBytes(w[3])
        : Math.max(align4(CONV_BLOCK_ROWS * depth) + gemmScratchBytes(depth), fewChannelsScratchBytes(filter));
      const scratchBytes = Math.max(int8Path, packedConvScratchBytes({ filter }));
      return { scratchBytes, inPlace: streamRule(x.shape, out.shape, node.attrs.strideH, pads.top, x.dtype === out.dtype) };
    }
    case 'DepthwiseConv2D': {
      const pads = convPads(graph, node);
      return { scratchBytes: 0, inPlace: streamRule(x.shape, out.shape, node.attrs.strideH, pads.top, x.dtype === out.dtype) };
    }
    case 'FullyConnected': {
      // DSP path: the input row widened to int16 over whole blocks of 8 of the depth (tfg_fully_connected_s8_get_buffer_size).
      const depth = graph.tensors[node.inputs[1]].shape[1];
      return { scratchBytes: Math.floor(depth / 8) * 8 * 2 };
    }
    case 'Add':
    case 'Mul': {
      // Same-shape element-wise: output element i is written after reading element i of both inputs.
      for (let k = 0; k < 2; k++) {
        const input = graph.tensors[node.inputs[k]];
        if (input.data === undefined && sameShape(input.shape, out.shape) && tensorBytes(input) === tensorBytes(out)) {
          return { scratchBytes: 0, inPlace: { inputPosition: k, rule: { kind: 'same' } } };
        }
      }
      return { scratchBytes: 0 };
    }
    default:
      return { scratchBytes: 0 };
  }
}

function convPads(graph: Graph, node: Node & { op: 'Conv2D' | 'DepthwiseConv2D' }): { top: number; left: number } {
  const x = graph.tensors[node.inputs[0]].shape;
  const w = graph.tensors[node.inputs[1]].shape;
  const a = node.attrs;
  return explicitPadding(x[1], x[2], w[1], w[2], a.strideH, a.strideW, a.dilationH, a.dilationW, a.padding);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Row streaming for NHWC convolutions with one batch: output row y reads input rows from y·stride − padTop on,
 * and the kernels finish output rows in increasing order. Output row y may overwrite input rows that no later
 * output row reads; one extra row of slack covers kernels that interleave the last pixels of one row with the
 * first of the next (the GEMM works on pixel pairs).
 */
export function streamRule(
  inShape: readonly number[],
  outShape: readonly number[],
  stride: number,
  padTop: number,
  sameType: boolean,
): { inputPosition: number; rule: InPlaceRule } | undefined {
  if (!sameType || inShape.length !== 4 || outShape.length !== 4 || inShape[0] !== 1 || outShape[0] !== 1) return undefined;
  const minDisplacement = streamDisplacement(inShape[1], inShape[2] * inShape[3], outShape[1], outShape[2] * outShape[3], stride, padTop);
  return { inputPosition: 0, rule: { kind: 'stream', minDisplacement } };
}

/** Smallest offset(input) − offset(output) for which row streaming never overwrites an input row still needed. */
export function streamDisplacement(inRows: number, inRowBytes: number, outRows: number, outRowBytes: number, stride: number, padTop: number): number {
  let d = 0;
  for (let y = 0; y < outRows; y++) {
    const firstStillNeeded = Math.min(inRows, Math.max(0, (y - 1) * stride - padTop));
    d = Math.max(d, (y + 1) * outRowBytes - firstStillNeeded * inRowBytes);
  }
  return d;
}
