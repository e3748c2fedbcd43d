/**
 * 16x8 convolution (Conv2D with int16 activations): tfg_convolve_s16, TFLite's ConvPerChannel for int16 input with
 * an int64 (or int32) bias, channel groups where the filter is narrower than the input. Scratch: one receptive field
 * of int16, so that each output channel is one long dot product (SMLALD on int16 pairs on the DSP path).
 */
import { Graph, Node, NodeOf } from '@tinyforge/ir';
import { perChannelMultipliers } from '@tinyforge/interpreter';
import { blobOf, cClamp, cDims, cLiteral, cPtr, cStruct, cTile, dimsInts, scratchContext, sizeQuery } from './c-text';
import { convGeometry, ConvGeometry } from './conv';
import { CallBase, Clamp, Dims4, LayerWriter, LoweringContext, QuantTensor, ScratchFunction, defineFamily } from './family';
import { Bias16, bias16, symmetricInt16, takesInt16, typedConstant } from './s16-common';

/** What the 16x8 conv, depthwise and fully connected calls share: weights, bias, requantization, clamp. */
export interface Weighted16 {
  activation: Clamp;
  weights: Int8Array;
  bias: Bias16;
  multipliers: Int32Array;
  shifts: Int32Array;
}

export interface ConvS16Call extends CallBase, ConvGeometry, Weighted16 {
  kernel: 'tfg_convolve_s16';
}

/** Weights, bias, per-channel multipliers (or FULLY_CONNECTED's per-tensor form) and clamp of a 16x8 layer. */
export function lowerWeighted16(ctx: LoweringContext, channels: number, int32BiasAllowed: boolean, multipliers = perChannelMultipliers): Weighted16 & { x: QuantTensor; y: QuantTensor } {
  const { node } = ctx;
  const x = symmetricInt16(ctx, node.inputs[0]);
  const y = symmetricInt16(ctx, node.outputs[0]);
  const w = ctx.tensor(node.inputs[1]);
  const weights = typedConstant(ctx, w, 'int8', 'weights');
  const wq = w.quant;
  if (wq === undefined || (wq.scale.length !== 1 && wq.scale.length !== channels)) ctx.fail('KERNEL_BAD_QUANTIZATION', `weights '${w.name}' need 1 or ${channels} scales`);
  if (wq!.zeroPoint.some((z) => z !== 0)) ctx.fail('KERNEL_BAD_QUANTIZATION', `weights '${w.name}' must be symmetric`);
  const m = multipliers(x.quant.scale[0], wq!.scale, y.quant.scale[0], channels);
  const attrs = node.attrs as { activation: Parameters<LoweringContext['clamp']>[0] };
  return { x, y, weights, bias: bias16(ctx, 2, int32BiasAllowed), multipliers: m.multipliers, shifts: m.shifts, activation: ctx.clamp(attrs.activation, y) };
}

/** The weight arrays and `static const` quant and bias structs of a 16x8 layer; returns the filter's C name. */
export function emitWeighted16(call: CallBase & Weighted16, out: LayerWriter): string {
  const filter = out.constant('filter', 'int8_t', call.weights, `${call.node}: weights`);
  const mult = out.constant('multiplier', 'int32_t', call.multipliers, `${call.node}: per-channel multipliers`);
  const shift = out.constant('shift', 'int32_t', call.shifts, `${call.node}: per-channel shifts`);
  const b64 = call.bias.b64 !== undefined ? out.constant('bias', 'int64_t', call.bias.b64, `${call.node}: int64 bias`) : '0';
  const b32 = call.bias.b32 !== undefined ? out.constant('bias', 'int32_t', call.bias.b32, `${call.node}: int32 bias`) : '0';
  out.line(`static const tfg_per_channel_quant_params quant = ${cStruct({ multiplier: mult, shift })};`);
  out.line(`static const tfg_bias_s16 bias = ${cStruct({ b64, b32 })};`);
  return filter;
}

/** Vector ints for the bias kind (0 none, 1 int64, 2 int32) and the blobs after the input. */
export const weighted16Blobs = (call: Weighted16): { biasKind: number; blobs: Uint8Array[] } => ({
  biasKind: call.bias.b64 !== undefined ? 1 : call.bias.b32 !== undefined ? 2 : 0,
  blobs: [blobOf(call.weights), blobOf(call.bias.b64 ?? call.bias.b32), blobOf(call.multipliers), blobOf(call.shifts)],
});

/** What the scratch size depends on: the filter (one receptive field). */
interface ConvS16Geometry {
  input: Dims4;
  filter: Dims4;
}

const CONV_S16_SCRATCH: ScratchFunction<ConvS16Geometry> = {
  name: 'tfg_convolve_s16_get_buffer_size',
  byPath: false,
  args: '&input_dims, &filter_dims',
  literalArgs: (g) => `${cLiteral('tfg_dims', cDims(g.input))}, ${cLiteral('tfg_dims', cDims(g.filter))}`,
  bytes: (g) => (g.filter.h * g.filter.w * g.filter.c * 2 + 3) & ~3,
};

function geometry(graph: Graph, node: Node): ConvS16Geometry {
  const [n, h, w, c] = graph.tensors[node.inputs[0]].shape;
  const [fn, fh, fw, fc] = graph.tensors[node.inputs[1]].shape;
  return { input: { n, h, w, c }, filter: { n: fn, h: fh, w: fw, c: fc } };
}

export const convS16Family = defineFamily<ConvS16Call, ConvS16Geometry>({
  name: 'conv-s16',
  ops: ['Conv2D'],
  takes: takesInt16,
  kernels: { tfg_convolve_s16: 17 },
  lower(ctx) {
    const node = ctx.node as NodeOf<'Conv2D'>;
    const geometry = convGeometry(ctx.graph, node, ctx.fail);
    const { x: _x, y: _y, ...weighted } = lowerWeighted16(ctx, geometry.outputDims.c, true);
    if (geometry.filter.c < 1 || geometry.input.c % geometry.filter.c !== 0) ctx.fail('KERNEL_BAD_SHAPE', `input channels ${geometry.input.c} do not split into groups of ${geometry.filter.c}`);
    return { kernel: 'tfg_convolve_s16', node: node.name, output: node.outputs[0], inputs: [node.inputs[0]], ...geometry, ...weighted };
  },
  geometry,
  scratch: { tfg_convolve_s16: CONV_S16_SCRATCH },
  emit(call, out) {
    const filter = emitWeighted16(call, out);
    const params = { input_offset: 0, output_offset: 0, stride: cTile(call.stride), padding: cTile(call.padding), dilation: cTile(call.dilation), activation: cClamp(call.activation) };
    out.line(`static const tfg_conv_params params = ${cStruct(params)};`);
    out.line(`static const tfg_dims input_dims = ${cDims(call.input)};`);
    out.line(`static const tfg_dims filter_dims = ${cDims(call.filter)};`);
    out.line(`static const tfg_dims output_dims = ${cDims(call.outputDims)};`);
    scratchContext(out, sizeQuery(CONV_S16_SCRATCH));
    out.line(
      `return tfg_convolve_s16(&ctx, &params, &quant, &input_dims, ${cPtr(out.at(call.inputs[0]), 'int16_t', false)}, &filter_dims, ${filter}, &bias, &output_dims, ${cPtr(out.at(call.output), 'int16_t', true)});`,
    );
  },
  vector(call, inputs) {
    const { biasKind, blobs } = weighted16Blobs(call);
    return {
      ints: [
        ...dimsInts(call.input),
        ...dimsInts(call.filter),
        ...dimsInts(call.outputDims),
        call.stride.h,
        call.stride.w,
        call.padding.h,
        call.padding.w,
        call.dilation.h,
        call.dilation.w,
        call.activation.min,
        call.activation.max,
        biasKind,
      ],
      blobs: [blobOf(inputs[0]), ...blobs],
    };
  },
});
