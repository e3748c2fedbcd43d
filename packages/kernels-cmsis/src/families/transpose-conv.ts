/**
 * Transposed convolution (TransposeConv2D, TFLite's TRANSPOSE_CONV): tfg_transpose_conv_s8 (int8, per-channel
 * requantization, int32 bias; scratch for one output pixel's taps widened to int16) and tfg_transpose_conv_s16
 * (16x8: int16 activations, int8 weights, int64 bias; no scratch). Where the windows start comes from ir's
 * transposeConvPadding, the fact the reference interpreter uses too.
 */
import { Graph, Node, NodeOf, transposeConvPadding } from '@tinyforge/ir';
import { blobOf, cClamp, cDims, cLiteral, cPtr, cStruct, cTile, dimsInts, scratchContext, sizeQuery } from './c-text';
import { emitWeightArrays } from './conv';
import { CallBase, Clamp, Dims4, HW, LayerWriter, LoweringContext, ScratchFunction, defineFamily } from './family';
import { dims4, int8Constant, optionalBias, perChannel } from './lowering';
import { symmetricInt16, takesInt16, typedConstant } from './s16-common';
import { KernelLoweringError } from '../errors';

/** What a transposed convolution's scratch size depends on, and the rest of its geometry. */
export interface TransposeConvGeometry {
  input: Dims4;
  filter: Dims4;
  outputDims: Dims4;
  stride: HW;
  /** Where the windows start: pad_top / pad_left. */
  padding: HW;
}

interface TransposeConvQuant {
  inputOffset: number;
  outputOffset: number;
  activation: Clamp;
  weights: Int8Array;
  multipliers: Int32Array;
  shifts: Int32Array;
}

export interface TransposeConvCall extends CallBase, TransposeConvGeometry, TransposeConvQuant {
  kernel: 'tfg_transpose_conv_s8';
  bias?: Int32Array;
}

export interface TransposeConvS16Call extends CallBase, TransposeConvGeometry, TransposeConvQuant {
  kernel: 'tfg_transpose_conv_s16';
  bias?: BigInt64Array;
}

function transposeGeometry(graph: Graph, node: Node, fail: LoweringContext['fail']): TransposeConvGeometry {
  const n = node as NodeOf<'TransposeConv2D'>;
  const x = graph.tensors[n.inputs[0]];
  const w = graph.tensors[n.inputs[1]];
  const y = graph.tensors[n.outputs[0]];
  const input = dims4(x.shape, x.name, fail);
  const filter = dims4(w.shape, w.name, fail);
  const outputDims = dims4(y.shape, y.name, fail);
  if (filter.c !== input.c || outputDims.c !== filter.n) fail('KERNEL_BAD_SHAPE', `filter [${w.shape}] does not map ${input.c} input channels to ${outputDims.c} output channels`);
  const a = n.attrs;
  const pad = transposeConvPadding(a, filter.h, filter.w);
  if (pad.top < 0 || pad.left < 0) fail('KERNEL_BAD_SHAPE', `negative padding ${pad.top} / ${pad.left}`);
  return { input, filter, outputDims, stride: { h: a.strideH, w: a.strideW }, padding: { h: pad.top, w: pad.left } };
}

/** The geometry for the memory planner: the same checks, the same typed error. */
const plannerGeometry = (graph: Graph, node: Node): TransposeConvGeometry =>
  transposeGeometry(graph, node, (code, message) => {
    throw new KernelLoweringError(code, message, { node: node.name });
  });

const TRANSPOSE_CONV_SCRATCH: ScratchFunction<TransposeConvGeometry> = {
  name: 'tfg_transpose_conv_s8_get_buffer_size',
  byPath: false,
  args: '&input_dims, &filter_dims',
  literalArgs: (g) => `${cLiteral('tfg_dims', cDims(g.input))}, ${cLiteral('tfg_dims', cDims(g.filter))}`,
  bytes: (g) => (g.filter.h * g.filter.w * g.filter.c * 2 + 3) & ~3,
};

/** The parameter structs both kernels take (dilation 1: TRANSPOSE_CONV has none). */
function emitParams(call: TransposeConvGeometry & TransposeConvQuant, out: LayerWriter): void {
  const params = {
    input_offset: call.inputOffset,
    output_offset: call.outputOffset,
    stride: cTile(call.stride),
    padding: cTile(call.padding),
    dilation: cTile({ h: 1, w: 1 }),
    activation: cClamp(call.activation),
  };
  out.line(`static const tfg_conv_params params = ${cStruct(params)};`);
  out.line(`static const tfg_dims input_dims = ${cDims(call.input)};`);
  out.line(`static const tfg_dims filter_dims = ${cDims(call.filter)};`);
  out.line(`static const tfg_dims output_dims = ${cDims(call.outputDims)};`);
}

/** Vector ints of both kernels: dims, offsets, stride, padding, clamp (test/common/tfg_vector_s16.c reads them). */
const vectorInts = (call: TransposeConvGeometry & TransposeConvQuant): number[] => [
  ...dimsInts(call.input),
  ...dimsInts(call.filter),
  ...dimsInts(call.outputDims),
  call.inputOffset,
  call.outputOffset,
  call.stride.h,
  call.stride.w,
  call.padding.h,
  call.padding.w,
  call.activation.min,
  call.activation.max,
];

export const transposeConvS16Family = defineFamily<TransposeConvS16Call, TransposeConvGeometry>({
  name: 'transpose-conv-s16',
  ops: ['TransposeConv2D'],
  takes: takesInt16,
  kernels: { tfg_transpose_conv_s16: 36 },
  lower(ctx) {
    const node = ctx.node as NodeOf<'TransposeConv2D'>;
    const geometry = transposeGeometry(ctx.graph, node, ctx.fail);
    const x = symmetricInt16(ctx, node.inputs[0]);
    const y = symmetricInt16(ctx, node.outputs[0]);
    const w = ctx.tensor(node.inputs[1]);
    const weights = typedConstant(ctx, w, 'int8', 'weights');
    const { multipliers, shifts } = perChannel(x.quant.scale[0], w.quant, y.quant.scale[0], geometry.outputDims.c, w.name, ctx.fail);
    const b = node.inputs[2];
    const bias = b !== undefined && b >= 0 ? typedConstant(ctx, ctx.tensor(b), 'int64', 'bias (16x8 TRANSPOSE_CONV takes int64)') : undefined;
    const quant = { inputOffset: 0, outputOffset: 0, activation: ctx.clamp(node.attrs.activation, y), weights, multipliers, shifts };
    return { kernel: 'tfg_transpose_conv_s16', node: node.name, output: node.outputs[0], inputs: [node.inputs[0]], ...geometry, ...quant, bias };
  },
  geometry: plannerGeometry,
  emit(call, out) {
    const filter = out.constant('filter', 'int8_t', call.weights, `${call.node}: weights`);
    const mult = out.constant('multiplier', 'int32_t', call.multipliers, `${call.node}: per-channel multipliers`);
    const shift = out.constant('shift', 'int32_t', call.shifts, `${call.node}: per-channel shifts`);
    const bias = call.bias !== undefined ? out.constant('bias', 'int64_t', call.bias, `${call.node}: int64 bias`) : '0';
    out.line(`static const tfg_per_channel_quant_params quant = ${cStruct({ multiplier: mult, shift })};`);
    emitParams(call, out);
    out.line(
      `return tfg_transpose_conv_s16(&params, &quant, &input_dims, ${cPtr(out.at(call.inputs[0]), 'int16_t', false)}, &filter_dims, ${filter}, ${bias}, &output_dims, ${cPtr(out.at(call.output), 'int16_t', true)});`,
    );
  },
  vector: (call, inputs) => ({ ints: vectorInts(call), blobs: [blobOf(inputs[0]), blobOf(call.weights), blobOf(call.bias), blobOf(call.multipliers), blobOf(call.shifts)] }),
});

export const transposeConvFamily = defineFamily<TransposeConvCall, TransposeConvGeometry>({
  name: 'transpose-conv',
  ops: ['TransposeConv2D'],
  kernels: { tfg_transpose_conv_s8: 35 },
  lower(ctx) {
    const node = ctx.node as NodeOf<'TransposeConv2D'>;
    const geometry = transposeGeometry(ctx.graph, node, ctx.fail);
    const x = ctx.activation(node.inputs[0]);
    const y = ctx.activation(node.outputs[0]);
    const w = ctx.tensor(node.inputs[1]);
    const weights = int8Constant(w, ctx.fail);
    const { multipliers, shifts } = perChannel(x.quant.scale[0], w.quant, y.quant.scale[0], geometry.outputDims.c, w.name, ctx.fail);
    const quant = { inputOffset: -x.quant.zeroPoint[0], outputOffset: y.quant.zeroPoint[0], activation: ctx.clamp(node.attrs.activation, y), weights, multipliers, shifts };
    return { kernel: 'tfg_transpose_conv_s8', node: node.name, output: node.outputs[0], inputs: [node.inputs[0]], ...geometry, ...quant, bias: optionalBias(ctx, 2) };
  },
  geometry: plannerGeometry,
  scratch: { tfg_transpose_conv_s8: TRANSPOSE_CONV_SCRATCH },
  emit(call, out) {
    const a = emitWeightArrays(call, out);
    out.line(`static const tfg_per_channel_quant_params quant = ${cStruct({ multiplier: a.mult, shift: a.shift })};`);
    emitParams(call, out);
    scratchContext(out, sizeQuery(TRANSPOSE_CONV_SCRATCH));
    out.line(`return tfg_transpose_conv_s8(&ctx, &params, &quant, &input_dims, ${out.at(call.inputs[0])}, &filter_dims, ${a.filter}, ${a.bias}, &output_dims, ${out.at(call.output)});`);
  },
  vector: (call, inputs) => ({ ints: vectorInts(call), blobs: [blobOf(inputs[0]), blobOf(call.weights), blobOf(call.bias), blobOf(call.multipliers), blobOf(call.shifts)] }),
});
