import { Graph, Node } from '@tinyforge/ir';
import { kernelMemory, KernelMemory, KernelPath } from '@tinyforge/kernels-cmsis';

/** What the memory planner needs to know about one node's kernel: its scratch bytes and in-place rule. */
export type NodeMemory = KernelMemory;

/**
 * Each kernel family states both (kernels-cmsis; the scratch sizes are its C `_get_buffer_size` functions', the
 * most any of `paths` needs, default every path): the planner asks here and nowhere else.
 */
export function nodeMemory(graph: Graph, node: Node, paths?: readonly KernelPath[]): NodeMemory {
  return kernelMemory(graph, node, paths);
}

export { streamDisplacement } from '@tinyforge/kernels-cmsis';
