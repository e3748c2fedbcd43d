/**
 * 16x8 fully connected (FullyConnected with int16 activations): tfg_fully_connected_s16, per-tensor weights with
 * TFLite's float32 product of the scales (layerMultipliers) or per-channel ones, int64 or int32 bias.
 */
import { NodeOf, elementCount } from '@tinyforge/ir';
import { layerMultipliers } from '@tinyforge/interpreter';
import { blobOf, cClamp, cPtr } from './c-text';
import { emitWeighted16, lowerWeighted16, Weighted16, weighted16Blobs } from './conv-s16';
import { CallBase, defineFamily } from './family';
import { takesInt16 } from './s16-common';

export interface FullyConnectedS16Call extends CallBase, Weighted16 {
  kernel: 'tfg_fully_connected_s16';
  batches: number;
  depth: number;
  channels: number;
}

export const fullyConnectedS16Family = defineFamily<FullyConnectedS16Call>({
  name: 'fully-connected-s16',
  ops: ['FullyConnected'],
  takes: takesInt16,
  kernels: { tfg_fully_connected_s16: 19 },
  lower(ctx) {
    const node = ctx.node as NodeOf<'FullyConnected'>;
    const w = ctx.tensor(node.inputs[1]);
    const x = ctx.tensor(node.inputs[0]);
    const [channels, depth] = w.shape;
    if (w.shape.length !== 2 || depth < 1 || elementCount(x.shape) % depth !== 0) ctx.fail('KERNEL_BAD_SHAPE', `weights ${JSON.stringify(w.shape)} do not fit input ${JSON.stringify(x.shape)}`);
    const { x: _x, y: _y, ...weighted } = lowerWeighted16(ctx, channels, true, (si, ws, so, c) => layerMultipliers('FullyConnected', si, ws, so, c));
    return { kernel: 'tfg_fully_connected_s16', node: node.name, output: node.outputs[0], inputs: [node.inputs[0]], ...weighted, batches: elementCount(x.shape) / depth, depth, channels };
  },
  emit(call, out) {
    const filter = emitWeighted16(call, out);
    out.line(`static const tfg_activation act = ${cClamp(call.activation)};`);
    out.line(
      `return tfg_fully_connected_s16(&quant, &act, ${call.batches}, ${call.depth}, ${call.channels}, ${cPtr(out.at(call.inputs[0]), 'int16_t', false)}, ${filter}, &bias, ${cPtr(out.at(call.output), 'int16_t', true)});`,
    );
  },
  vector(call, inputs) {
    const { biasKind, blobs } = weighted16Blobs(call);
    return { ints: [call.batches, call.depth, call.channels, call.activation.min, call.activation.max, biasKind], blobs: [blobOf(inputs[0]), ...blobs] };
  },
});
