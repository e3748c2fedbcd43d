/**
 * IR node → kernel call, by the node's kernel family (families/registry.ts), with TFLite Micro's prepare-step
 * arithmetic: offsets from zero points, per-channel multipliers, SAME/VALID padding, clamps.
 */
import { DType, FusedActivation, Graph, Node, Quantization, Tensor } from '@tinyforge/ir';
import { quantizedActivationRange } from '@tinyforge/interpreter';
import { KernelLoweringError } from './errors';
import { Clamp, KernelErrorCode, LoweringContext } from './families/family';
import { KernelCall, familyForNode } from './families/registry';

export function lowerNode(graph: Graph, node: Node): KernelCall {
  const fail = (code: KernelErrorCode, message: string): never => {
    throw new KernelLoweringError(code, message, { node: node.name });
  };
  const tensor = (i: number): Tensor => {
    const t = graph.tensors[i];
    if (t === undefined) fail('KERNEL_BAD_SHAPE', `tensor index ${i} out of range`);
    return t as Tensor;
  };
  const activation = (i: number): Tensor & { quant: Quantization } => {
    const t = tensor(i);
    if (t.dtype !== 'int8') fail('KERNEL_UNSUPPORTED_TYPE', `tensor '${t.name}' is ${t.dtype}, kernels take int8`);
    if (t.quant === undefined || t.quant.scale.length !== 1) fail('KERNEL_BAD_QUANTIZATION', `tensor '${t.name}' needs one per-tensor scale`);
    return t as Tensor & { quant: Quantization };
  };
  const quantized = (i: number, dtypes: readonly DType[]): Tensor & { quant: Quantization } => {
    const t = tensor(i);
    if (!dtypes.includes(t.dtype)) fail('KERNEL_UNSUPPORTED_TYPE', `tensor '${t.name}' is ${t.dtype}, this kernel takes ${dtypes.join(' or ')}`);
    if (t.quant === undefined || t.quant.scale.length !== 1) fail('KERNEL_BAD_QUANTIZATION', `tensor '${t.name}' needs one per-tensor scale`);
    return t as Tensor & { quant: Quantization };
  };
  const clamp = (fused: FusedActivation, out: Tensor & { quant: Quantization }): Clamp => {
    const dtype = out.dtype === 'int16' ? 'int16' : 'int8';
    const c = quantizedActivationRange(fused, dtype, out.quant.scale[0], out.quant.zeroPoint[0]);
    if (c === undefined) fail('KERNEL_UNSUPPORTED_OP', `fused activation '${fused}' has no ${dtype} clamp`);
    return c as Clamp;
  };
  const family = familyForNode(graph, node);
  if (family === undefined) return fail('KERNEL_UNSUPPORTED_OP', `no kernel for ${node.op}`);
  const ctx: LoweringContext = { graph, node, fail, tensor, activation, quantized, clamp };
  return family.lower(ctx);
}
