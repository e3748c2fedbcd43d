/** What a memory planner needs from the kernels: each node's scratch bytes and in-place rule, by its family. */
import { Graph, Node } from '@tinyforge/ir';
import { InPlace, KERNEL_PATHS, KernelPath } from './families/family';
import { KernelCall, familyForCall, familyForNode } from './families/registry';

export interface KernelMemory {
  /** Scratch bytes to reserve for the node's kernel call; 0 for none. */
  scratchBytes: number;
  /** Which input the output may share memory with, and how. */
  inPlace?: InPlace;
}

/**
 * From the graph alone: the most any kernel of the node's family asks for (its C `_get_buffer_size`) on any path,
 * so that one plan serves every build (today the DSP build needs the most). Nodes without a kernel need nothing.
 * The generated code also asks the kernel at run time and fails if the plan gave too little.
 */
export function kernelMemory(graph: Graph, node: Node): KernelMemory {
  const family = familyForNode(graph, node);
  if (family === undefined) return { scratchBytes: 0 };
  let scratchBytes = 0;
  const functions = Object.values(family.scratch ?? {});
  if (functions.length > 0 && family.geometry !== undefined) {
    const g = family.geometry(graph, node);
    for (const fn of functions) for (const path of KERNEL_PATHS) scratchBytes = Math.max(scratchBytes, fn!.bytes(g, path));
  }
  const inPlace = family.inPlace?.(graph, node);
  return inPlace === undefined ? { scratchBytes } : { scratchBytes, inPlace };
}

/** Scratch bytes one call's kernel asks for on `path` (its C `_get_buffer_size` there); 0 where it takes none. */
export function callScratchBytes(call: KernelCall, path: KernelPath): number {
  const fn = familyForCall(call).scratch?.[call.kernel];
  return fn === undefined ? 0 : fn.bytes(call, path);
}
