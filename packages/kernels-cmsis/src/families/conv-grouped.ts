/**
 * Grouped int8 convolution (Conv2D whose filter is narrower than its input, 1 < groups): tfg_convolve_grouped_s8,
 * one kernel call for all groups, each group through tfg_convolve_wrapper_s8 on slabs in scratch. The lowering,
 * geometry and parameter structs are the convolution family's; the scratch is both slabs plus the wrapper's
 * scratch for one group, on every path.
 */
import { Graph, Node, NodeOf, convGroups } from '@tinyforge/ir';
import { cDims, cLiteral, cStruct, cTile, blobOf, scratchContext, sizeQuery } from './c-text';
import { ConvGeometry, WRAPPER_SCRATCH, WeightedOutput, convVectorInts, emitConvDims, emitConvParams, emitWeightArrays, lowerConvolution, plannerGeometry } from './conv';
import { CallBase, KernelPath, ScratchFunction, defineFamily } from './family';

export interface ConvGroupedCall extends CallBase, ConvGeometry, WeightedOutput {
  kernel: 'tfg_convolve_grouped_s8';
}

/** An int8 Conv2D with more than one group (ir's convGroups). */
export function isGroupedInt8Conv(graph: Graph, node: Node): boolean {
  const x = graph.tensors[node.inputs[0]];
  const w = graph.tensors[node.inputs[1]];
  return x?.dtype === 'int8' && w !== undefined && (convGroups(x.shape[3], w.shape) ?? 1) > 1;
}

/** One group's convolution: the input's and the output's channels of one group, the filter's rows of one group. */
function groupGeometry(g: ConvGeometry): ConvGeometry {
  const groups = g.input.c / g.filter.c;
  const perGroup = g.outputDims.c / groups;
  return { ...g, input: { ...g.input, n: 1, c: g.filter.c }, filter: { ...g.filter, n: perGroup }, outputDims: { ...g.outputDims, n: 1, c: perGroup } };
}

const align4 = (n: number): number => Math.ceil(n / 4) * 4;

/** tfg_convolve_grouped_s8_get_buffer_size: the two slabs, then the wrapper's scratch for one group on `path`. */
function groupedBytes(g: ConvGeometry, path: KernelPath): number {
  const one = groupGeometry(g);
  return align4(one.input.h * one.input.w * one.input.c) + align4(one.outputDims.h * one.outputDims.w * one.outputDims.c) + WRAPPER_SCRATCH.bytes(one, path);
}

const GROUPED_SCRATCH: ScratchFunction<ConvGeometry> = {
  name: 'tfg_convolve_grouped_s8_get_buffer_size',
  byPath: true,
  args: '&params, &input_dims, &filter_dims, &output_dims',
  literalArgs: (g) =>
    `${cLiteral('tfg_conv_params', cStruct({ padding: cTile(g.padding) }))}, ${cLiteral('tfg_dims', cDims(g.input))}, ${cLiteral('tfg_dims', cDims(g.filter))}, ${cLiteral('tfg_dims', cDims(g.outputDims))}`,
  bytes: groupedBytes,
};

export const convGroupedFamily = defineFamily<ConvGroupedCall, ConvGeometry>({
  name: 'conv-grouped',
  ops: ['Conv2D'],
  takes: isGroupedInt8Conv,
  kernels: { tfg_convolve_grouped_s8: 37 },
  lower: (ctx) => ({ kernel: 'tfg_convolve_grouped_s8', ...lowerConvolution(ctx, ctx.node as NodeOf<'Conv2D'>) }),
  geometry: plannerGeometry,
  scratch: { tfg_convolve_grouped_s8: GROUPED_SCRATCH },
  emit(call, out) {
    emitConvParams(call, out);
    emitConvDims(call, out);
    const a = emitWeightArrays(call, out);
    out.line(`static const tfg_per_channel_quant_params quant = ${cStruct({ multiplier: a.mult, shift: a.shift })};`);
    scratchContext(out, sizeQuery(GROUPED_SCRATCH));
    out.line(`return tfg_convolve_grouped_s8(&ctx, &params, &quant, &input_dims, ${out.at(call.inputs[0])}, &filter_dims, ${a.filter}, ${a.bias}, &output_dims, ${out.at(call.output)});`);
  },
  vector: (call, inputs) => ({ ints: convVectorInts(call), blobs: [blobOf(inputs[0]), blobOf(call.weights), blobOf(call.bias), blobOf(call.multipliers), blobOf(call.shifts)] }),
});
