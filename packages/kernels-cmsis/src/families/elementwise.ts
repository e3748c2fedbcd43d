/** What the broadcasting element-wise families (add.ts, mul.ts) share: operands, dims, emission, in-place rule. */
import { QuantTensor, CallBase, Dims4, LayerWriter, LoweringContext } from './family';
import { cDims, dimsInts } from './c-text';
import { broadcastDims } from './lowering';

export interface BroadcastOperands {
  a: QuantTensor;
  b: QuantTensor;
  y: QuantTensor;
  shared: CallBase & { input1: Dims4; input2: Dims4; outputDims: Dims4 };
}

/** Both inputs and the output, right-aligned to rank 4 (any rank up to 4; lower ranks are leading 1s). */
export function broadcastOperands(ctx: LoweringContext, kernel: string): BroadcastOperands {
  const { node } = ctx;
  const a = ctx.activation(node.inputs[0]);
  const b = ctx.activation(node.inputs[1]);
  const y = ctx.activation(node.outputs[0]);
  const outputDims = broadcastDims(y.shape, 4, y.name, ctx.fail);
  const input1 = broadcastDims(a.shape, y.shape.length, a.name, ctx.fail);
  const input2 = broadcastDims(b.shape, y.shape.length, b.name, ctx.fail);
  return { a, b, y, shared: { kernel, node: node.name, output: node.outputs[0], inputs: [node.inputs[0], node.inputs[1]], input1, input2, outputDims } };
}

/** The dims structs and the call, after the family's `params` struct. */
export function emitBroadcastCall(call: CallBase & { input1: Dims4; input2: Dims4; outputDims: Dims4 }, out: LayerWriter): void {
  out.line(`static const tfg_dims input1_dims = ${cDims(call.input1)};`);
  out.line(`static const tfg_dims input2_dims = ${cDims(call.input2)};`);
  out.line(`static const tfg_dims output_dims = ${cDims(call.outputDims)};`);
  out.line(`return ${call.kernel}(&params, &input1_dims, ${out.at(call.inputs[0])}, &input2_dims, ${out.at(call.inputs[1])}, &output_dims, ${out.at(call.output)});`);
}

export const broadcastDimsInts = (call: { input1: Dims4; input2: Dims4; outputDims: Dims4 }): number[] => [
  ...dimsInts(call.input1),
  ...dimsInts(call.input2),
  ...dimsInts(call.outputDims),
];
