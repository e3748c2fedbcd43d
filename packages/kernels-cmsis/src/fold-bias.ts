/**
 * Biases folded with the input offset at generation time (the C kernels' folded_bias): bias + input offset × the
 * channel's weight sum is a constant, so the kernels need not add the offset to every input nor sum the weights at
 * run time. Helium's GEMM and depthwise loops take it (their inputs then go straight into VMLADAVA / VMLA); the
 * other paths accept it through plain C, so the decision is per target, once, like the packed filters'.
 */
import { CallBase } from './families/family';
import { familyForCall } from './families/registry';

/** The call with its bias folded where its family can fold it; every other call unchanged. */
export function withFoldedBias<C extends CallBase>(call: C): C {
  const family = familyForCall(call);
  const folded = family.foldBias?.(call as never);
  return (folded ?? call) as C;
}

/** The one decision whether a target's kernels get folded biases: cores with Helium (integer MVE). */
export const foldedBiasPreferred = (core: { dsp: boolean; mve: boolean }): boolean => core.mve;

/** Whether a call's bias is folded. */
export const hasFoldedBias = (call: CallBase): boolean => (call as { biasFolded?: boolean }).biasFolded === true;
