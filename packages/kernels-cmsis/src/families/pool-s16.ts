/** Average and max pooling on int16 (tfg_avgpool_s16 / tfg_maxpool_s16): the int8 kernels' arithmetic. No scratch. */
import { NodeOf, explicitPadding } from '@tinyforge/ir';
import { blobOf, cClamp, cDims, cPtr, cStruct, cTile, dimsInts } from './c-text';
import { CallBase, Clamp, Dims4, HW, defineFamily } from './family';
import { dims4 } from './lowering';
import { takesInt16 } from './s16-common';

export interface PoolS16Call extends CallBase {
  kernel: 'tfg_avgpool_s16' | 'tfg_maxpool_s16';
  input: Dims4;
  filter: HW;
  outputDims: Dims4;
  stride: HW;
  padding: HW;
  activation: Clamp;
}

export const poolS16Family = defineFamily<PoolS16Call>({
  name: 'pool-s16',
  ops: ['AveragePool2D', 'MaxPool2D'],
  takes: takesInt16,
  kernels: { tfg_avgpool_s16: 23, tfg_maxpool_s16: 23 },
  lower(ctx) {
    const node = ctx.node as NodeOf<'AveragePool2D'> | NodeOf<'MaxPool2D'>;
    const x = ctx.quantized(node.inputs[0], ['int16']);
    const y = ctx.quantized(node.outputs[0], ['int16']);
    if (Math.fround(x.quant.scale[0]) !== Math.fround(y.quant.scale[0]) || x.quant.zeroPoint[0] !== y.quant.zeroPoint[0]) {
      ctx.fail('KERNEL_BAD_QUANTIZATION', 'pooling needs the same quantization on input and output');
    }
    const input = dims4(x.shape, x.name, ctx.fail);
    const a = node.attrs;
    const pad = explicitPadding(input.h, input.w, a.filterH, a.filterW, a.strideH, a.strideW, 1, 1, a.padding);
    return {
      kernel: node.op === 'AveragePool2D' ? 'tfg_avgpool_s16' : 'tfg_maxpool_s16',
      node: node.name,
      output: node.outputs[0],
      inputs: [node.inputs[0]],
      input,
      filter: { h: a.filterH, w: a.filterW },
      outputDims: dims4(y.shape, y.name, ctx.fail),
      stride: { h: a.strideH, w: a.strideW },
      padding: { h: pad.top, w: pad.left },
      activation: ctx.clamp(a.activation, y),
    };
  },
  emit(call, out) {
    out.line(`static const tfg_pool_params params = ${cStruct({ stride: cTile(call.stride), padding: cTile(call.padding), activation: cClamp(call.activation) })};`);
    out.line(`static const tfg_dims input_dims = ${cDims(call.input)};`);
    out.line(`static const tfg_dims filter_dims = ${cDims({ n: 1, h: call.filter.h, w: call.filter.w, c: 1 })};`);
    out.line(`static const tfg_dims output_dims = ${cDims(call.outputDims)};`);
    out.line(
      `return ${call.kernel}(&params, &input_dims, ${cPtr(out.at(call.inputs[0]), 'int16_t', false)}, &filter_dims, &output_dims, ${cPtr(out.at(call.output), 'int16_t', true)});`,
    );
  },
  vector: (call, inputs) => ({
    ints: [
      call.kernel === 'tfg_avgpool_s16' ? 1 : 0,
      ...dimsInts(call.input),
      call.filter.h,
      call.filter.w,
      ...dimsInts(call.outputDims),
      call.stride.h,
      call.stride.w,
      call.padding.h,
      call.padding.w,
      call.activation.min,
      call.activation.max,
    ],
    blobs: [blobOf(inputs[0])],
  }),
});
