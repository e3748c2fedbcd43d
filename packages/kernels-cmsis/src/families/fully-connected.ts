/**
 * Fully connected (FullyConnected): tfg_fully_connected_s8 (per-tensor weights; TFLM multiplies the two float scales
 * in float32) or tfg_fully_connected_per_channel_s8. Scratch only on the DSP path: the input widened to int16.
 */
import { Graph, Node, NodeOf } from '@tinyforge/ir';
import { quantizeMultiplier } from '@tinyforge/interpreter';
import { blobOf, cClamp, cDims, cLiteral, cStruct, scratchContext, sizeQuery } from './c-text';
import { WeightedOutput, emitWeightArrays, foldedFlag, withBiasFolded } from './conv';
import { CallBase, ScratchFunction, defineFamily } from './family';
import { HEADER_CONSTANTS } from './header-constants';
import { elementCount, int8Constant, optionalBias, perChannel } from './lowering';

/** What the scratch size depends on: the accumulation depth (the weights' [out, in] shape). */
export interface FullyConnectedGeometry {
  depth: number;
  channels: number;
}

export interface FullyConnectedCall extends CallBase, FullyConnectedGeometry, WeightedOutput {
  kernel: 'tfg_fully_connected_s8' | 'tfg_fully_connected_per_channel_s8';
  batches: number;
  /** -weight zero point (0 for TFLite's symmetric weights). */
  filterOffset: number;
  /** `weights` hold the interleaved rows of withInterleavedRows (fc-interleave.ts), the DSP path's layout. */
  interleaved?: boolean;
}

const filterDims = (g: FullyConnectedGeometry) => ({ n: g.depth, h: 1, w: 1, c: g.channels });

const { fcBlockDepth, fcWidenMaxDepth } = HEADER_CONSTANTS;

/** tfg_fully_connected_s8_get_buffer_size on the DSP path: int16 input pairs, none for deep inputs a multiple of 4. */
function dspScratchBytes(depth: number): number {
  if (depth % 4 === 0) return depth <= fcWidenMaxDepth ? depth * 2 : 0;
  return Math.floor(depth / fcBlockDepth) * fcBlockDepth * 2;
}

/** Both kernels size their scratch with tfg_fully_connected_s8_get_buffer_size. */
const FC_SCRATCH: ScratchFunction<FullyConnectedGeometry> = {
  name: 'tfg_fully_connected_s8_get_buffer_size',
  byPath: true,
  args: '&filter_dims',
  literalArgs: (g) => cLiteral('tfg_dims', cDims(filterDims(g))),
  bytes: (g, path) => (path === 'dsp' ? dspScratchBytes(g.depth) : 0),
};

function geometry(graph: Graph, node: Node): FullyConnectedGeometry {
  const [channels, depth] = graph.tensors[node.inputs[1]].shape;
  return { depth, channels };
}

export const fullyConnectedFamily = defineFamily<FullyConnectedCall, FullyConnectedGeometry>({
  name: 'fully-connected',
  ops: ['FullyConnected'],
  kernels: { tfg_fully_connected_s8: 3, tfg_fully_connected_per_channel_s8: 3 },
  lower(ctx) {
    const node = ctx.node as NodeOf<'FullyConnected'>;
    const x = ctx.activation(node.inputs[0]);
    const w = ctx.tensor(node.inputs[1]);
    const y = ctx.activation(node.outputs[0]);
    const weights = int8Constant(w, ctx.fail);
    const bias = optionalBias(ctx, 2);
    const [channels, depth] = w.shape;
    if (w.shape.length !== 2 || elementCount(x.shape) % depth !== 0) {
      ctx.fail('KERNEL_BAD_SHAPE', `weights ${JSON.stringify(w.shape)} do not fit input ${JSON.stringify(x.shape)}`);
    }
    const wq = w.quant;
    if (wq === undefined) return ctx.fail('KERNEL_BAD_QUANTIZATION', `weights '${w.name}' are not quantized`);
    const perChannelWeights = wq.scale.length > 1;
    let multipliers: Int32Array;
    let shifts: Int32Array;
    if (perChannelWeights) {
      ({ multipliers, shifts } = perChannel(x.quant.scale[0], wq, y.quant.scale[0], channels, w.name, ctx.fail));
    } else {
      // TFLM multiplies the two float scales in float32 before widening to double.
      const product = Math.fround(Math.fround(x.quant.scale[0]) * Math.fround(wq.scale[0]));
      const q = quantizeMultiplier(product / Math.fround(y.quant.scale[0]));
      multipliers = Int32Array.of(q.multiplier);
      shifts = Int32Array.of(q.shift);
    }
    return {
      kernel: perChannelWeights ? 'tfg_fully_connected_per_channel_s8' : 'tfg_fully_connected_s8',
      node: node.name,
      output: node.outputs[0],
      inputs: [node.inputs[0]],
      batches: elementCount(x.shape) / depth,
      depth,
      channels,
      inputOffset: -x.quant.zeroPoint[0],
      filterOffset: -wq.zeroPoint[0],
      outputOffset: y.quant.zeroPoint[0],
      activation: ctx.clamp(node.attrs.activation, y),
      weights,
      bias,
      multipliers,
      shifts,
    };
  },
  geometry,
  scratch: { tfg_fully_connected_s8: FC_SCRATCH, tfg_fully_connected_per_channel_s8: FC_SCRATCH },
  // [out, in]: a channel's weights are one run of the depth; a weight zero point keeps the plain bias.
  foldBias: (call) => (call.filterOffset === 0 ? withBiasFolded(call, call.channels, call.depth, 1, call.depth) : undefined),
  emit(call, out) {
    const a = emitWeightArrays(call, out);
    const params = {
      input_offset: call.inputOffset,
      filter_offset: call.filterOffset,
      output_offset: call.outputOffset,
      activation: cClamp(call.activation),
      ...(call.biasFolded ? { folded_bias: 1 } : {}),
      ...(call.interleaved ? { interleaved: 1 } : {}),
    };
    out.line(`static const tfg_fc_params params = ${cStruct(params)};`);
    if (call.kernel === 'tfg_fully_connected_per_channel_s8') {
      out.line(`static const tfg_per_channel_quant_params quant = ${cStruct({ multiplier: a.mult, shift: a.shift })};`);
    } else {
      out.line(`static const tfg_per_tensor_quant_params quant = ${cStruct({ multiplier: call.multipliers[0], shift: call.shifts[0] })};`);
    }
    out.line(`static const tfg_dims input_dims = ${cDims({ n: call.batches, h: 1, w: 1, c: call.depth })};`);
    out.line(`static const tfg_dims filter_dims = ${cDims(filterDims(call))};`);
    out.line(`static const tfg_dims output_dims = ${cDims({ n: call.batches, h: 1, w: 1, c: call.channels })};`);
    scratchContext(out, sizeQuery(FC_SCRATCH));
    out.line(
      `return ${call.kernel}(&ctx, &params, &quant, &input_dims, ${out.at(call.inputs[0])}, &filter_dims, ${a.filter}, ${a.bias}, &output_dims, ${out.at(call.output)});`,
    );
  },
  vector: (call, inputs) => ({
    ints: [
      call.batches,
      call.depth,
      call.channels,
      call.inputOffset,
      call.filterOffset,
      call.outputOffset,
      call.activation.min,
      call.activation.max,
      call.kernel === 'tfg_fully_connected_per_channel_s8' ? 1 : 0,
      foldedFlag(call),
      call.interleaved ? 1 : 0,
    ],
    blobs: [blobOf(inputs[0]), blobOf(call.weights), blobOf(call.bias), blobOf(call.multipliers), blobOf(call.shifts)],
  }),
});
