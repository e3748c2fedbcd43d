/**
 * Depthwise convolution (DepthwiseConv2D): tfg_depthwise_conv_s8, any channel multiplier. Scratch on Helium: one
 * filter window, where its 3x3 routine stages a border pixel; on the DSP path: the int16 planes (planeBytes).
 */
import { NodeOf } from '@tinyforge/ir';
import { blobOf, cClamp, cDims, cLiteral, cStruct, cTile, scratchContext, sizeQuery } from './c-text';
import { ConvCall, ConvGeometry, convVectorInts, emitConvDims, emitWeightArrays, foldedFlag, lowerConvolution, plannerGeometry, withBiasFolded } from './conv';
import { ScratchFunction, defineFamily } from './family';
import { streamRule } from './in-place';

export interface DepthwiseCall extends Omit<ConvCall, 'kernel' | 'packedFilter'> {
  kernel: 'tfg_depthwise_conv_s8';
  channelMultiplier: number;
}

const DEPTHWISE_SCRATCH: ScratchFunction<ConvGeometry> = {
  name: 'tfg_depthwise_conv_s8_get_buffer_size',
  byPath: true,
  args: '&input_dims, &filter_dims',
  literalArgs: (g) => `${cLiteral('tfg_dims', cDims(g.input))}, ${cLiteral('tfg_dims', cDims(g.filter))}`,
  bytes: (g, path) => (path === 'mve' ? g.filter.h * g.filter.w * g.filter.c : path === 'dsp' ? planeBytes(g) : 0),
};

/** Filters up to this many taps along the walked axis take the DSP plane path (TFG_DW_PLANE_MAX_TAPS). */
const PLANE_MAX_TAPS = 16;

/**
 * The DSP plane path's scratch (tfg_depthwise_conv_s8_get_buffer_size_dsp) for the larger of its two walks (along
 * W: filter rows are the lines, filter columns the taps; along H the other way round): a ring of int16 plane rows,
 * one per filter line and one of zeros, for 4 channels, padded for every tap; the 4 channels' weight pairs (even-
 * and odd-aligned) per line; one plane row of int32 sums per channel.
 */
function planeBytes(g: ConvGeometry): number {
  if (g.filter.c !== g.input.c) return 0;
  const walk = (lines: number, taps: number, width: number): number => {
    if (taps > PLANE_MAX_TAPS || lines > PLANE_MAX_TAPS) return 0;
    const planeWidth = (width + taps + 4) & ~1;
    const pairWords = 2 * Math.floor((taps + 2) / 2);
    return (lines + 1) * 4 * planeWidth * 2 + 4 * lines * pairWords * 4 + 4 * planeWidth * 4;
  };
  return Math.max(walk(g.filter.h, g.filter.w, g.input.w), walk(g.filter.w, g.filter.h, g.input.h));
}

export const depthwiseFamily = defineFamily<DepthwiseCall, ConvGeometry>({
  name: 'depthwise',
  ops: ['DepthwiseConv2D'],
  kernels: { tfg_depthwise_conv_s8: 2 },
  lower(ctx) {
    const common = lowerConvolution(ctx, ctx.node as NodeOf<'DepthwiseConv2D'>);
    const channels = common.outputDims.c;
    if (channels % common.input.c !== 0) ctx.fail('KERNEL_BAD_SHAPE', `${channels} output channels for ${common.input.c} inputs`);
    return { kernel: 'tfg_depthwise_conv_s8', ...common, channelMultiplier: channels / common.input.c };
  },
  geometry: plannerGeometry,
  scratch: { tfg_depthwise_conv_s8: DEPTHWISE_SCRATCH },
  inPlace: (graph, node) => streamRule(graph, node, (node as NodeOf<'DepthwiseConv2D'>).attrs.strideH, plannerGeometry(graph, node).padding.h),
  // [1, H, W, C·M]: channel c's taps are C·M apart.
  foldBias: (call) => withBiasFolded(call, call.outputDims.c, 1, call.outputDims.c, call.filter.h * call.filter.w),
  emit(call, out) {
    const params = {
      input_offset: call.inputOffset,
      output_offset: call.outputOffset,
      ch_mult: call.channelMultiplier,
      stride: cTile(call.stride),
      padding: cTile(call.padding),
      dilation: cTile(call.dilation),
      activation: cClamp(call.activation),
      ...(call.biasFolded ? { folded_bias: 1 } : {}),
    };
    out.line(`static const tfg_dw_conv_params params = ${cStruct(params)};`);
    emitConvDims(call, out);
    const a = emitWeightArrays(call, out);
    out.line(`static const tfg_per_channel_quant_params quant = ${cStruct({ multiplier: a.mult, shift: a.shift })};`);
    scratchContext(out, sizeQuery(DEPTHWISE_SCRATCH));
    out.line(
      `return tfg_depthwise_conv_s8(&ctx, &params, &quant, &input_dims, ${out.at(call.inputs[0])}, &filter_dims, ${a.filter}, ${a.bias}, &output_dims, ${out.at(call.output)});`,
    );
  },
  vector: (call, inputs) => ({
    ints: [...convVectorInts(call), call.channelMultiplier, foldedFlag(call)],
    blobs: [blobOf(inputs[0]), blobOf(call.weights), blobOf(call.bias), blobOf(call.multipliers), blobOf(call.shifts)],
  }),
});
