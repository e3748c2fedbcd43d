import { Graph, tensorBytes } from '@tinyforge/ir';
import { KernelPath } from '@tinyforge/kernels-cmsis';
import { nodeMemory } from '../lower/node-memory';

export interface ReorderResult {
  order: number[];
  /** Peak live bytes (the plain lower bound) of `order`. */
  peak: number;
  /** False when the graph had too many orders to search and the given order was kept. */
  searched: boolean;
}

/**
 * The execution order with the lowest peak of live bytes, by dynamic programming over the sets of nodes already
 * run (the bytes resident after a set do not depend on the order within it). Chains have one set per step;
 * graphs with a few parallel branches (ResNet skips) only a few more. Above `maxStates` the given order is kept.
 */
export function reorderForPeak(graph: Graph, maxStates = 20000, paths?: readonly KernelPath[]): ReorderResult {
  const n = graph.nodes.length;
  const producer = new Int32Array(graph.tensors.length).fill(-1);
  graph.nodes.forEach((node, i) => node.outputs.forEach((t) => (producer[t] = i)));
  const consumersOf: number[][] = graph.tensors.map(() => []);
  graph.nodes.forEach((node, i) => node.inputs.forEach((t) => t >= 0 && !consumersOf[t].includes(i) && consumersOf[t].push(i)));
  const isOutput = new Set(graph.outputs);
  // Constants and op state (its own static region) take no arena memory.
  const size = (t: number): number => (graph.tensors[t].data === undefined && graph.tensors[t].state === undefined ? tensorBytes(graph.tensors[t]) : 0);
  const deps = graph.nodes.map((node) => [...new Set(node.inputs.filter((t) => t >= 0 && producer[t] >= 0).map((t) => producer[t]))]);
  const produced = graph.nodes.map((node) => node.outputs.reduce((s, t) => s + size(t), 0));
  const scratch = graph.nodes.map((node) => nodeMemory(graph, node, paths).scratchBytes);
  const inputBytes = graph.inputs.reduce((s, t) => s + size(t), 0);
  const original = graph.nodes.map((_, i) => i);
  const originalPeak = orderPeak(original);

  interface State {
    done: bigint;
    resident: number;
    peak: number;
    order: number[];
  }
  let layer = new Map<bigint, State>();
  layer.set(0n, { done: 0n, resident: inputBytes, peak: inputBytes, order: [] });
  let states = 1;
  for (let k = 0; k < n; k++) {
    const next = new Map<bigint, State>();
    for (const st of layer.values()) {
      for (let v = 0; v < n; v++) {
        const bit = 1n << BigInt(v);
        if (st.done & bit || !deps[v].every((d) => st.done & (1n << BigInt(d)))) continue;
        const done = st.done | bit;
        const peak = Math.max(st.peak, st.resident + produced[v] + scratch[v]);
        let resident = st.resident + produced[v];
        for (const t of new Set(graph.nodes[v].inputs)) {
          if (t < 0 || size(t) === 0 || isOutput.has(t)) continue;
          if (consumersOf[t].every((c) => done & (1n << BigInt(c)))) resident -= size(t);
        }
        const prev = next.get(done);
        if (prev === undefined || peak < prev.peak) next.set(done, { done, resident, peak, order: [...st.order, v] });
      }
    }
    states += next.size;
    if (states > maxStates) return { order: original, peak: originalPeak, searched: false };
    layer = next;
  }
  const best = [...layer.values()][0];
  if (best === undefined || best.peak >= originalPeak) return { order: original, peak: originalPeak, searched: true };
  return { order: best.order, peak: best.peak, searched: true };

  function orderPeak(order: number[]): number {
    let resident = inputBytes;
    let peak = resident;
    const done = new Set<number>();
    for (const v of order) {
      done.add(v);
      peak = Math.max(peak, resident + produced[v] + scratch[v]);
      resident += produced[v];
      for (const t of new Set(graph.nodes[v].inputs)) {
        if (t < 0 || size(t) === 0 || isOutput.has(t)) continue;
        if (consumersOf[t].every((c) => done.has(c))) resident -= size(t);
      }
    }
    return peak;
  }
}
