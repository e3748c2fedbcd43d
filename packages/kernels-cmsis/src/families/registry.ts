/**
 * The kernel families, one table: IR op → family (lowering, scratch, in-place rule) and C kernel → family
 * (emission, vector format). Adding an operator adds a family here or an op to a family's `ops`.
 */
import { Graph, Node, OpType } from '@tinyforge/ir';
import { AddCall, addFamily } from './add';
import { ConcatCall, concatenationFamily } from './concatenation';
import { ConvCall, convFamily } from './conv';
import { ConvGroupedCall, convGroupedFamily } from './conv-grouped';
import { DepthwiseCall, depthwiseFamily } from './depthwise';
import { depthwiseOneChannelFamily } from './depthwise-one-channel';
import { CallBase, KernelFamily } from './family';
import { FullyConnectedCall, fullyConnectedFamily } from './fully-connected';
import { LutCall, lutFamily } from './lut';
import { MeanCall, meanFamily } from './mean';
import { MulCall, mulFamily } from './mul';
import { PadCall, padFamily } from './pad';
import { PoolCall, poolFamily } from './pool';
import { QuantizeCall, quantizeFamily } from './quantize';
import { ReshapeCall, reshapeFamily } from './reshape';
import { SoftmaxCall, softmaxFamily } from './softmax';
import { TransposeCall, transposeFamily } from './transpose';
import { ActivationS16Call, activationS16Family } from './activation-s16';
import { ConvS16Call, convS16Family } from './conv-s16';
import { DepthwiseS16Call, depthwiseS16Family } from './depthwise-s16';
import { ElementwiseS16Call, elementwiseS16Family } from './elementwise-s16';
import { Float32Call, float32Family } from './float32';
import { GatherAnyCall, gatherAnyFamily } from './gather-any';
import { FullyConnectedS16Call, fullyConnectedS16Family } from './fully-connected-s16';
import { GruCall, gruFamily } from './gru';
import { LayoutAnyCall, layoutAnyFamily } from './layout-any';
import { LstmCall, lstmFamily } from './lstm';
import { MeanS16Call, meanS16Family } from './mean-s16';
import { PoolS16Call, poolS16Family } from './pool-s16';
import { RequantizeCall, requantizeFamily } from './requantize';
import { SoftmaxS16Call, softmaxS16Family } from './softmax-s16';
import { SignalCall, signalFamily } from './signal';
import { SvdfCall, svdfFamily } from './svdf';
import { TransposeConvCall, TransposeConvS16Call, transposeConvFamily, transposeConvS16Family } from './transpose-conv';

export type KernelCall =
  | ConvCall
  | DepthwiseCall
  | FullyConnectedCall
  | PoolCall
  | AddCall
  | MulCall
  | SoftmaxCall
  | ReshapeCall
  | LutCall
  | QuantizeCall
  | PadCall
  | TransposeCall
  | ConcatCall
  | MeanCall
  | ConvS16Call
  | DepthwiseS16Call
  | FullyConnectedS16Call
  | ElementwiseS16Call
  | ActivationS16Call
  | SoftmaxS16Call
  | PoolS16Call
  | MeanS16Call
  | RequantizeCall
  | LayoutAnyCall
  | Float32Call
  | LstmCall
  | GruCall
  | SvdfCall
  | GatherAnyCall
  | SignalCall
  | TransposeConvCall
  | TransposeConvS16Call
  | ConvGroupedCall;

/** A family as the generic code sees it: any call of the union, geometry opaque. */
export type AnyKernelFamily = KernelFamily<KernelCall, unknown>;

/** Every family. Where two list the same op, the first whose `takes` accepts the node lowers it. */
export const KERNEL_FAMILIES: readonly AnyKernelFamily[] = [
  // Plain int32 arithmetic, casts and the audio front end's Signal ops: before the quantized families list Add/Mul.
  signalFamily,
  // 16-bit activations and float32 layers first: each takes only its element type, the int8 families the rest.
  convS16Family,
  transposeConvS16Family,
  depthwiseS16Family,
  fullyConnectedS16Family,
  elementwiseS16Family,
  activationS16Family,
  softmaxS16Family,
  poolS16Family,
  meanS16Family,
  requantizeFamily,
  layoutAnyFamily,
  gatherAnyFamily,
  float32Family,
  lstmFamily,
  gruFamily,
  svdfFamily,
  convGroupedFamily,
  convFamily,
  transposeConvFamily,
  // One input channel: the Conv2D it equals (the depthwise kernel's channel-multiplier loop is far slower).
  depthwiseOneChannelFamily,
  depthwiseFamily,
  fullyConnectedFamily,
  poolFamily,
  addFamily,
  mulFamily,
  softmaxFamily,
  lutFamily,
  quantizeFamily,
  padFamily,
  transposeFamily,
  concatenationFamily,
  meanFamily,
  reshapeFamily,
] as unknown as readonly AnyKernelFamily[];

const byOp = new Map<OpType, AnyKernelFamily[]>();
const byKernel = new Map<string, AnyKernelFamily>();
for (const family of KERNEL_FAMILIES) {
  for (const op of family.ops) byOp.set(op, [...(byOp.get(op) ?? []), family]);
  for (const kernel of Object.keys(family.kernels)) {
    if (byKernel.has(kernel)) throw new Error(`kernel ${kernel} is in families ${byKernel.get(kernel)!.name} and ${family.name}`);
    byKernel.set(kernel, family);
  }
}
for (const [op, families] of byOp) {
  if (families.slice(0, -1).some((f) => f.takes === undefined)) throw new Error(`op ${op}: every family but the last that lists it needs \`takes\``);
}

/** The family that lowers `node`, or undefined when no kernel implements its op. */
export function familyForNode(graph: Graph, node: Node): AnyKernelFamily | undefined {
  return byOp.get(node.op)?.find((f) => f.takes === undefined || f.takes(graph, node));
}

/** The family a call belongs to (by its C kernel). */
export function familyForCall(call: CallBase): AnyKernelFamily {
  const family = byKernel.get(call.kernel);
  if (family === undefined) throw new Error(`no kernel family calls ${call.kernel}`);
  return family;
}
