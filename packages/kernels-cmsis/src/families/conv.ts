/**
 * Convolution (Conv2D): tfg_convolve_wrapper_s8 with the int8 filter (it picks the 1x1 or the im2col + GEMM
 * kernel), or tfg_convolve_packed_s8 with a filter packed at generation time (pack-conv.ts) where the target
 * prefers it. Depthwise convolution shares the geometry and the lowering's common part (depthwise.ts).
 */
import { Graph, Node, NodeOf, explicitPadding } from '@tinyforge/ir';
import { blobOf, cClamp, cDims, cLiteral, cStruct, cTile, dimsInts, scratchContext, sizeQuery } from './c-text';
import { CallBase, Clamp, Dims4, HW, KernelPath, LayerWriter, LoweringContext, ScratchFunction, defineFamily } from './family';
import { HEADER_CONSTANTS } from './header-constants';
import { streamRule } from './in-place';
import { dims4, int8Constant, optionalBias, perChannel } from './lowering';
import { KernelLoweringError } from '../errors';

/** What a convolution's scratch sizes and in-place rule depend on. */
export interface ConvGeometry {
  input: Dims4;
  filter: Dims4;
  outputDims: Dims4;
  stride: HW;
  /** Padding before (top/left). */
  padding: HW;
  dilation: HW;
}

/** The constant operands and output arithmetic of a convolution or fully connected call. */
export interface WeightedOutput {
  inputOffset: number;
  outputOffset: number;
  activation: Clamp;
  weights: Int8Array;
  bias?: Int32Array;
  /** Requantization: one entry per output channel, or one for the tensor. */
  multipliers: Int32Array;
  shifts: Int32Array;
  /** `bias` holds bias + inputOffset × each channel's weight sum (foldedBias); the kernels then add no offset. */
  biasFolded?: boolean;
}

/**
 * bias[c] + inputOffset × the sum of channel c's weights, weights[c * channelStep + t * tapStep] for t < taps: the
 * folded bias of the C kernels' folded_bias (the same sum their unfolded loops add up). Undefined when a value
 * leaves int32 (then the call keeps its plain bias).
 */
export function foldedBias(call: Pick<WeightedOutput, 'weights' | 'bias' | 'inputOffset'>, channels: number, channelStep: number, tapStep: number, taps: number): Int32Array | undefined {
  const folded = new Int32Array(channels);
  for (let c = 0; c < channels; c++) {
    let sum = 0;
    for (let t = 0; t < taps; t++) sum += call.weights[c * channelStep + t * tapStep];
    const value = (call.bias?.[c] ?? 0) + call.inputOffset * sum;
    if (value !== (value | 0)) return undefined;
    folded[c] = value;
  }
  return folded;
}

/** The call with `bias` folded, or undefined when it does not fit int32. */
export function withBiasFolded<C extends WeightedOutput>(call: C, channels: number, channelStep: number, tapStep: number, taps: number): C | undefined {
  if (call.biasFolded) return call;
  const bias = foldedBias(call, channels, channelStep, tapStep, taps);
  return bias === undefined ? undefined : { ...call, bias, biasFolded: true };
}

export interface ConvCall extends CallBase, ConvGeometry, WeightedOutput {
  kernel: 'tfg_convolve_wrapper_s8' | 'tfg_convolve_packed_s8';
  /** The filter packed for tfg_convolve_packed_s8 (withPackedFilter), which the call then uses. */
  packedFilter?: Int32Array;
}

/** The geometry of a Conv2D or DepthwiseConv2D node from its tensors' shapes and attributes. */
export function convGeometry(graph: Graph, node: NodeOf<'Conv2D'> | NodeOf<'DepthwiseConv2D'>, fail: LoweringContext['fail']): ConvGeometry {
  const x = graph.tensors[node.inputs[0]];
  const w = graph.tensors[node.inputs[1]];
  const y = graph.tensors[node.outputs[0]];
  const input = dims4(x.shape, x.name, fail);
  const filter = dims4(w.shape, w.name, fail);
  const outputDims = dims4(y.shape, y.name, fail);
  const a = node.attrs;
  const pad = explicitPadding(input.h, input.w, filter.h, filter.w, a.strideH, a.strideW, a.dilationH, a.dilationW, a.padding);
  if (pad.outH !== outputDims.h || pad.outW !== outputDims.w) {
    fail('KERNEL_BAD_SHAPE', `output ${outputDims.h}x${outputDims.w} disagrees with geometry ${pad.outH}x${pad.outW}`);
  }
  return {
    input,
    filter,
    outputDims,
    stride: { h: a.strideH, w: a.strideW },
    padding: { h: pad.top, w: pad.left },
    dilation: { h: a.dilationH, w: a.dilationW },
  };
}

/** The lowering both convolutions share: geometry, offsets, clamp, weights and per-channel requantization. */
export function lowerConvolution(ctx: LoweringContext, node: NodeOf<'Conv2D'> | NodeOf<'DepthwiseConv2D'>): Omit<ConvCall, 'kernel' | 'packedFilter'> {
  const x = ctx.activation(node.inputs[0]);
  const w = ctx.tensor(node.inputs[1]);
  const y = ctx.activation(node.outputs[0]);
  const weights = int8Constant(w, ctx.fail);
  const bias = optionalBias(ctx, 2);
  const geometry = convGeometry(ctx.graph, node, ctx.fail);
  const { multipliers, shifts } = perChannel(x.quant.scale[0], w.quant, y.quant.scale[0], geometry.outputDims.c, w.name, ctx.fail);
  return {
    node: node.name,
    output: node.outputs[0],
    inputs: [node.inputs[0]],
    ...geometry,
    inputOffset: -x.quant.zeroPoint[0],
    outputOffset: y.quant.zeroPoint[0],
    activation: ctx.clamp(node.attrs.activation, y),
    weights,
    bias,
    multipliers,
    shifts,
  };
}

/** The geometry for the memory planner, which has no lowering context: the same checks, the same typed error. */
export const plannerGeometry = (graph: Graph, node: Node): ConvGeometry =>
  convGeometry(graph, node as NodeOf<'Conv2D'>, (code, message) => {
    throw new KernelLoweringError(code, message, { node: node.name });
  });

const { convBlockRows, widenStep, fewChannelsMaxDepth, pairRecordWords, packedDepthStep, mveBlockRows, mveChunk } = HEADER_CONSTANTS;
const align4 = (n: number): number => Math.ceil(n / 4) * 4;

/** The DSP pixel-pair GEMM's widened pair: per widened step 2 pixels x 2 int16 pairs (tfg_nn_pair_gemm_s8_scratch_size). */
const pairGemmBytes = (depth: number): number => Math.ceil(depth / widenStep) * 2 * widenStep * 2;

/**
 * Whether the DSP first-layer convolution (tfg_convolve_few_channels_s8.c) takes this filter: input channels not a
 * multiple of the widen step and a receptive field of at most TFG_CONV_FEW_MAX_DEPTH values.
 */
export const prefersFirstLayerPath = (g: Pick<ConvGeometry, 'input' | 'filter'>): boolean =>
  g.input.c % widenStep !== 0 && g.filter.h * g.filter.w * g.input.c <= fewChannelsMaxDepth;

/** tfg_convolve_few_channels_s8_scratch_size: per channel pair a record (an odd last channel pairs with zeros), then one widened pixel pair. */
function fewChannelsBytes(g: Pick<ConvGeometry, 'input' | 'filter'>): number {
  if (!prefersFirstLayerPath(g)) return 0;
  const steps = Math.ceil((g.filter.h * g.filter.w * g.input.c) / widenStep);
  return (Math.ceil(g.filter.n / 2) * (pairRecordWords + 4 * steps) + 4 * steps) * 4;
}

/** The Helium GEMM's staged rows (tfg_nn_mve_block_size): the depth in whole chunks, for each staged row. */
const mveBlockBytes = (depth: number): number => mveBlockRows * Math.ceil(depth / mveChunk) * mveChunk;

/**
 * tfg_convolve_s8 / tfg_convolve_1x1_s8 through the wrapper: plain C the im2col block (none for 1x1), the DSP path
 * that and the GEMM's pair (or the first-layer records), Helium its staged rows.
 */
function wrapperBytes(g: ConvGeometry, path: KernelPath): number {
  const oneByOne = g.filter.h === 1 && g.filter.w === 1 && g.padding.h === 0 && g.padding.w === 0;
  const depth = g.filter.h * g.filter.w * g.input.c;
  if (path === 'mve') return mveBlockBytes(depth);
  if (oneByOne) return path === 'dsp' ? pairGemmBytes(depth) : 0;
  const block = align4(convBlockRows * depth);
  return path === 'dsp' ? Math.max(block + pairGemmBytes(depth), fewChannelsBytes(g)) : block;
}

/** Depth of the receptive field padded to the packed kernel's steps. */
export const packedDepth = (g: Pick<ConvGeometry, 'input' | 'filter'>): number =>
  Math.ceil((g.filter.h * g.filter.w * g.input.c) / packedDepthStep) * packedDepthStep;

/** int32 words of a channel pair's record in a packed filter: bias and requantization words, the padded depth. */
export const packedPairWords = (g: Pick<ConvGeometry, 'input' | 'filter'>): number => pairRecordWords + packedDepth(g);

/** int32 words of a packed filter (tfg_convolve_packed_s8_filter_words). */
export const packedFilterWords = (g: Pick<ConvGeometry, 'input' | 'filter'>): number => Math.ceil(g.filter.n / 2) * packedPairWords(g);

/** tfg_convolve_packed_s8 on every path: two widened pixels, and an int8 staging row when the channels are not a multiple of the widen step. */
const packedBytes = (g: ConvGeometry): number => packedDepth(g) * 4 + (g.input.c % widenStep !== 0 ? packedDepth(g) : 0);

const convParams = (g: ConvGeometry): string => cLiteral('tfg_conv_params', cStruct({ padding: cTile(g.padding) }));

export const WRAPPER_SCRATCH: ScratchFunction<ConvGeometry> = {
  name: 'tfg_convolve_wrapper_s8_get_buffer_size',
  byPath: true,
  args: '&params, &input_dims, &filter_dims',
  literalArgs: (g) => `${convParams(g)}, ${cLiteral('tfg_dims', cDims(g.input))}, ${cLiteral('tfg_dims', cDims(g.filter))}`,
  bytes: wrapperBytes,
};

export const PACKED_SCRATCH: ScratchFunction<ConvGeometry> = {
  name: 'tfg_convolve_packed_s8_get_buffer_size',
  byPath: false,
  args: '&input_dims, &filter_dims',
  literalArgs: (g) => `${cLiteral('tfg_dims', cDims(g.input))}, ${cLiteral('tfg_dims', cDims(g.filter))}`,
  bytes: packedBytes,
};

/** A convolution's `tfg_conv_params` struct (`params`): offsets, stride, padding, dilation, clamp, folded flag. */
export function emitConvParams(call: ConvGeometry & WeightedOutput, out: LayerWriter): void {
  const params = {
    input_offset: call.inputOffset,
    output_offset: call.outputOffset,
    stride: cTile(call.stride),
    padding: cTile(call.padding),
    dilation: cTile(call.dilation),
    activation: cClamp(call.activation),
    ...(call.biasFolded ? { folded_bias: 1 } : {}),
  };
  out.line(`static const tfg_conv_params params = ${cStruct(params)};`);
}

/** The geometry part of a convolution's parameters: input, filter and output dims. */
export function emitConvDims(call: ConvGeometry, out: LayerWriter): void {
  out.line(`static const tfg_dims input_dims = ${cDims(call.input)};`);
  out.line(`static const tfg_dims filter_dims = ${cDims(call.filter)};`);
  out.line(`static const tfg_dims output_dims = ${cDims(call.outputDims)};`);
}

/** Filter, bias and requantization arrays of a convolution or fully connected call, as constants. */
export function emitWeightArrays(call: Pick<ConvCall, 'node' | 'weights' | 'bias' | 'multipliers' | 'shifts' | 'biasFolded'>, out: LayerWriter): { filter: string; bias: string; mult: string; shift: string } {
  const filter = out.constant('filter', 'int8_t', call.weights, `${call.node}: filter`);
  const what = call.biasFolded ? 'bias + input offset x weight sum (folded)' : 'bias';
  const bias = call.bias ? out.constant('bias', 'int32_t', call.bias, `${call.node}: ${what}`) : '0';
  const mult = out.constant('multiplier', 'int32_t', call.multipliers, `${call.node}: requantization multipliers (Q31)`);
  const shift = out.constant('shift', 'int32_t', call.shifts, `${call.node}: requantization shifts`);
  return { filter, bias, mult, shift };
}

/** The convolution vector ints the driver reads for conv and depthwise (depthwise appends its multiplier). */
export function convVectorInts(call: Omit<ConvCall, 'kernel'>): number[] {
  return [
    ...dimsInts(call.input),
    ...dimsInts(call.filter),
    ...dimsInts(call.outputDims),
    call.inputOffset,
    call.outputOffset,
    call.stride.h,
    call.stride.w,
    call.padding.h,
    call.padding.w,
    call.dilation.h,
    call.dilation.w,
    call.activation.min,
    call.activation.max,
  ];
}

/** The folded-bias flag, the last int of the conv, depthwise and fully connected vectors. */
export const foldedFlag = (call: Pick<WeightedOutput, 'biasFolded'>): number => (call.biasFolded ? 1 : 0);

export const convFamily = defineFamily<ConvCall, ConvGeometry>({
  name: 'conv',
  ops: ['Conv2D'],
  kernels: { tfg_convolve_wrapper_s8: 1, tfg_convolve_packed_s8: 1 },
  lower: (ctx) => ({ kernel: 'tfg_convolve_wrapper_s8', ...lowerConvolution(ctx, ctx.node as NodeOf<'Conv2D'>) }),
  geometry: plannerGeometry,
  // The planner reserves the most either kernel needs on any path, whichever the target's build calls.
  scratch: { tfg_convolve_wrapper_s8: WRAPPER_SCRATCH, tfg_convolve_packed_s8: PACKED_SCRATCH },
  inPlace: (graph, node) => streamRule(graph, node, (node as NodeOf<'Conv2D'>).attrs.strideH, plannerGeometry(graph, node).padding.h),
  // OHWI: a channel's weights are one run of the receptive field's depth (the packed filter holds its own bias).
  foldBias: (call) => {
    const depth = call.filter.h * call.filter.w * call.filter.c;
    return call.kernel === 'tfg_convolve_wrapper_s8' ? withBiasFolded(call, call.filter.n, depth, 1, depth) : undefined;
  },
  emit(call, out) {
    emitConvParams(call, out);
    emitConvDims(call, out);
    const input = out.at(call.inputs[0]);
    const output = out.at(call.output);
    if (call.kernel === 'tfg_convolve_packed_s8' && call.packedFilter !== undefined) {
      const filter = out.constant('packed_filter', 'int32_t', call.packedFilter, `${call.node}: filter packed for tfg_convolve_packed_s8`);
      out.define('TFG_NN_PACKED_FILTERS');
      scratchContext(out, sizeQuery(PACKED_SCRATCH));
      out.line(`return tfg_convolve_packed_s8(&ctx, &params, &input_dims, ${input}, &filter_dims, ${filter}, &output_dims, ${output});`);
      return;
    }
    const a = emitWeightArrays(call, out);
    out.line(`static const tfg_per_channel_quant_params quant = ${cStruct({ multiplier: a.mult, shift: a.shift })};`);
    scratchContext(out, sizeQuery(WRAPPER_SCRATCH));
    out.line(`return tfg_convolve_wrapper_s8(&ctx, &params, &quant, &input_dims, ${input}, &filter_dims, ${a.filter}, ${a.bias}, &output_dims, ${output});`);
  },
  vector(call, inputs) {
    const blobs = [blobOf(inputs[0]), blobOf(call.weights), blobOf(call.bias), blobOf(call.multipliers), blobOf(call.shifts)];
    // A sixth blob, when present and not empty, makes the driver call tfg_convolve_packed_s8 with it.
    if (call.kernel === 'tfg_convolve_packed_s8' && call.packedFilter !== undefined) blobs.push(blobOf(call.packedFilter));
    return { ints: [...convVectorInts(call), foldedFlag(call)], blobs };
  },
});
