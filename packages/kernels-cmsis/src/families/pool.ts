/** Average and max pooling (AveragePool2D, MaxPool2D): same quantization in and out, as TFLite requires. */
import { Graph, Node, NodeOf, explicitPadding } from '@tinyforge/ir';
import { blobOf, cClamp, cDims, cLiteral, cStruct, cTile, dimsInts, scratchContext, sizeQuery } from './c-text';
import { CallBase, Clamp, Dims4, HW, ScratchFunction, defineFamily } from './family';
import { dims4 } from './lowering';

export interface PoolCall extends CallBase {
  kernel: 'tfg_avgpool_s8' | 'tfg_maxpool_s8';
  input: Dims4;
  filter: HW;
  outputDims: Dims4;
  stride: HW;
  padding: HW;
  activation: Clamp;
}

/** tfg_avgpool_s8_get_buffer_size: none on any path; max pooling has no size function (and takes none). */
const AVGPOOL_SCRATCH: ScratchFunction<Pick<PoolCall, 'outputDims'>> = {
  name: 'tfg_avgpool_s8_get_buffer_size',
  byPath: false,
  args: '&output_dims',
  literalArgs: (g) => cLiteral('tfg_dims', cDims(g.outputDims)),
  bytes: () => 0,
};

function geometry(graph: Graph, node: Node): Pick<PoolCall, 'outputDims'> {
  const [n, h, w, c] = graph.tensors[node.outputs[0]].shape;
  return { outputDims: { n, h, w, c } };
}

export const poolFamily = defineFamily<PoolCall, Pick<PoolCall, 'outputDims'>>({
  name: 'pool',
  ops: ['AveragePool2D', 'MaxPool2D'],
  kernels: { tfg_avgpool_s8: 4, tfg_maxpool_s8: 5 },
  lower(ctx) {
    const node = ctx.node as NodeOf<'AveragePool2D'> | NodeOf<'MaxPool2D'>;
    const x = ctx.activation(node.inputs[0]);
    const y = ctx.activation(node.outputs[0]);
    if (x.quant.scale[0] !== y.quant.scale[0] || x.quant.zeroPoint[0] !== y.quant.zeroPoint[0]) {
      ctx.fail('KERNEL_BAD_QUANTIZATION', 'pooling needs the same quantization on input and output');
    }
    const input = dims4(x.shape, x.name, ctx.fail);
    const outputDims = dims4(y.shape, y.name, ctx.fail);
    const a = node.attrs;
    const pad = explicitPadding(input.h, input.w, a.filterH, a.filterW, a.strideH, a.strideW, 1, 1, a.padding);
    return {
      kernel: node.op === 'AveragePool2D' ? 'tfg_avgpool_s8' : 'tfg_maxpool_s8',
      node: node.name,
      output: node.outputs[0],
      inputs: [node.inputs[0]],
      input,
      filter: { h: a.filterH, w: a.filterW },
      outputDims,
      stride: { h: a.strideH, w: a.strideW },
      padding: { h: pad.top, w: pad.left },
      activation: ctx.clamp(a.activation, y),
    };
  },
  geometry,
  scratch: { tfg_avgpool_s8: AVGPOOL_SCRATCH },
  emit(call, out) {
    out.line(`static const tfg_pool_params params = ${cStruct({ stride: cTile(call.stride), padding: cTile(call.padding), activation: cClamp(call.activation) })};`);
    out.line(`static const tfg_dims input_dims = ${cDims(call.input)};`);
    out.line(`static const tfg_dims filter_dims = ${cDims({ n: 1, h: call.filter.h, w: call.filter.w, c: 1 })};`);
    out.line(`static const tfg_dims output_dims = ${cDims(call.outputDims)};`);
    scratchContext(out, call.kernel === 'tfg_avgpool_s8' ? sizeQuery(AVGPOOL_SCRATCH) : undefined);
    out.line(`return ${call.kernel}(&ctx, &params, &input_dims, ${out.at(call.inputs[0])}, &filter_dims, &output_dims, ${out.at(call.output)});`);
  },
  vector: (call, inputs) => ({
    ints: [
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
