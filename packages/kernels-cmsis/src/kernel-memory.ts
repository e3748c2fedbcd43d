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
 * The kernel paths a build for `core` may run: its own and plain C (the host tests of generated code compile the
 * same C for the host). Without a core, every path, so that one plan serves every build.
 */
export function kernelPathsFor(core?: { dsp: boolean; mve: boolean }): readonly KernelPath[] {
  if (core === undefined) return KERNEL_PATHS;
  return core.mve ? ['mve', 'plain'] : core.dsp ? ['dsp', 'plain'] : ['plain'];
}

/**
 * From the graph alone: the most any kernel of the node's family asks for (its C `_get_buffer_size`) on any of
 * `paths` (default: every path, so that one plan serves every build). Nodes without a kernel need nothing. The
 * generated code also asks the kernel at run time and fails (TFG_ARG_ERROR) if the plan gave too little, e.g. when
 * code planned for one core is built for another.
 */
export function kernelMemory(graph: Graph, node: Node, paths: readonly KernelPath[] = KERNEL_PATHS): KernelMemory {
  const family = familyForNode(graph, node);
  if (family === undefined) return { scratchBytes: 0 };
  let scratchBytes = 0;
  const functions = Object.values(family.scratch ?? {});
  if (functions.length > 0 && family.geometry !== undefined) {
    const g = family.geometry(graph, node);
    for (const fn of functions) for (const path of paths) scratchBytes = Math.max(scratchBytes, fn!.bytes(g, path));
  }
  const inPlace = family.inPlace?.(graph, node);
  return inPlace === undefined ? { scratchBytes } : { scratchBytes, inPlace };
}

/** Scratch bytes one call's kernel asks for on `path` (its C `_get_buffer_size` there); 0 where it takes none. */
export function callScratchBytes(call: KernelCall, path: KernelPath): number {
  const fn = familyForCall(call).scratch?.[call.kernel];
  return fn === undefined ? 0 : fn.bytes(call, path);
}
