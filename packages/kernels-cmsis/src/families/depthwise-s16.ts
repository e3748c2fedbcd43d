/** 16x8 depthwise convolution (DepthwiseConv2D with int16 activations): tfg_depthwise_conv_s16, int64 bias only. */
import { NodeOf } from '@tinyforge/ir';
import { blobOf, cClamp, cDims, cPtr, cStruct, cTile, dimsInts } from './c-text';
import { convGeometry, ConvGeometry } from './conv';
import { emitWeighted16, lowerWeighted16, Weighted16, weighted16Blobs } from './conv-s16';
import { CallBase, defineFamily } from './family';
import { takesInt16 } from './s16-common';

export interface DepthwiseS16Call extends CallBase, ConvGeometry, Weighted16 {
  kernel: 'tfg_depthwise_conv_s16';
  channelMultiplier: number;
}

export const depthwiseS16Family = defineFamily<DepthwiseS16Call>({
  name: 'depthwise-s16',
  ops: ['DepthwiseConv2D'],
  takes: takesInt16,
  kernels: { tfg_depthwise_conv_s16: 18 },
  lower(ctx) {
    const node = ctx.node as NodeOf<'DepthwiseConv2D'>;
    const geometry = convGeometry(ctx.graph, node, ctx.fail);
    const { x: _x, y: _y, ...weighted } = lowerWeighted16(ctx, geometry.outputDims.c, false);
    const m = node.attrs.depthMultiplier;
    if (geometry.outputDims.c !== geometry.input.c * m) ctx.fail('KERNEL_BAD_SHAPE', `filter has ${geometry.outputDims.c} channels, expected ${geometry.input.c} × ${m}`);
    return { kernel: 'tfg_depthwise_conv_s16', node: node.name, output: node.outputs[0], inputs: [node.inputs[0]], ...geometry, ...weighted, channelMultiplier: m };
  },
  emit(call, out) {
    const filter = emitWeighted16(call, out);
    const params = {
      input_offset: 0,
      output_offset: 0,
      ch_mult: call.channelMultiplier,
      stride: cTile(call.stride),
      padding: cTile(call.padding),
      dilation: cTile(call.dilation),
      activation: cClamp(call.activation),
    };
    out.line(`static const tfg_dw_conv_params params = ${cStruct(params)};`);
    out.line(`static const tfg_dims input_dims = ${cDims(call.input)};`);
    out.line(`static const tfg_dims filter_dims = ${cDims(call.filter)};`);
    out.line(`static const tfg_dims output_dims = ${cDims(call.outputDims)};`);
    out.line(
      `return tfg_depthwise_conv_s16(&params, &quant, &input_dims, ${cPtr(out.at(call.inputs[0]), 'int16_t', false)}, &filter_dims, ${filter}, bias.b64, &output_dims, ${cPtr(out.at(call.output), 'int16_t', true)});`,
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
        call.channelMultiplier,
      ],
      blobs: [blobOf(inputs[0]), ...blobs],
    };
  },
});
