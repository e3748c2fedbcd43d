import { Graph, tensorBytes } from '@tinyforge/ir';
import { KernelPath } from '@tinyforge/kernels-cmsis';
import { nodeMemory } from '../lower/node-memory';

export interface ReorderResult {
  order: number[];
  /** Peak live bytes (the plain lower bound) of `order`. */
  peak: number;
  /** False when some part of the graph had too many orders to search and kept its given order. */
  searched: boolean;
}

/** Nodes in one segment the exact search takes on (its states are subsets of the segment's nodes). */
const MAX_SEGMENT_NODES = 96;

/**
 * The execution order with the lowest peak of live bytes. The graph's own (topological) order is cut wherever at
 * most one tensor crosses from the nodes before to the nodes after: no order of the nodes before changes what is
 * live there, so each segment is ordered on its own. Within a segment (a ResNet block, an inception-style fan-out),
 * dynamic programming over the sets of nodes already run finds the order with the lowest peak (the bytes resident
 * after a set do not depend on the order within it). A segment with more than MAX_SEGMENT_NODES nodes, or more than
 * `maxStates` sets, keeps its given order. Linear in the graph outside the segments searched; each search is
 * bounded by `maxStates`.
 */
export function reorderForPeak(graph: Graph, maxStates = 20000, paths?: readonly KernelPath[]): ReorderResult {
  const n = graph.nodes.length;
  // Constants and op state (its own static region) take no arena memory.
  const size = (t: number): number => (graph.tensors[t].data === undefined && graph.tensors[t].state === undefined ? tensorBytes(graph.tensors[t]) : 0);
  const producer = new Int32Array(graph.tensors.length).fill(-1);
  graph.nodes.forEach((node, i) => node.outputs.forEach((t) => (producer[t] = i)));
  // Consumers of each tensor (each node once), and the last one in the given order.
  const consumers: number[][] = graph.tensors.map(() => []);
  const lastUse = new Int32Array(graph.tensors.length).fill(-1);
  graph.nodes.forEach((node, i) => {
    for (const t of node.inputs) {
      if (t < 0) continue;
      const list = consumers[t];
      if (list[list.length - 1] !== i) list.push(i);
      lastUse[t] = i;
    }
  });
  const isOutput = new Uint8Array(graph.tensors.length);
  for (const t of graph.outputs) isOutput[t] = 1;
  const produced = graph.nodes.map((node) => node.outputs.reduce((s, t) => s + size(t), 0));
  const scratch = graph.nodes.map((node) => nodeMemory(graph, node, paths).scratchBytes);
  const inputBytes = graph.inputs.reduce((s, t) => s + size(t), 0);
  const original = graph.nodes.map((_, i) => i);

  // Bytes resident after each step of the given order, and its peak.
  const residentAfter = new Float64Array(n);
  let resident = inputBytes;
  let originalPeak = inputBytes;
  for (let v = 0; v < n; v++) {
    originalPeak = Math.max(originalPeak, resident + produced[v] + scratch[v]);
    resident += produced[v];
    for (const t of distinctInputs(graph.nodes[v].inputs)) {
      if (size(t) > 0 && !isOutput[t] && lastUse[t] === v) resident -= size(t);
    }
    residentAfter[v] = resident;
  }

  // crossing[k]: activation tensors made at or before step k (graph inputs: before step 0) and read after it.
  const crossing = new Int32Array(n + 1);
  graph.tensors.forEach((_, t) => {
    if (size(t) === 0 || lastUse[t] < 0) return;
    const from = producer[t];
    crossing[Math.max(from, 0)]++;
    crossing[lastUse[t]]--;
  });
  for (let k = 1; k < n; k++) crossing[k] += crossing[k - 1];

  const order: number[] = [];
  let peak = inputBytes;
  let searched = true;
  for (let start = 0; start < n; ) {
    let end = start;
    while (end < n - 1 && crossing[end] > 1) end++;
    const segment = original.slice(start, end + 1);
    const before = start === 0 ? inputBytes : residentAfter[start - 1];
    const best = segment.length > 1 && segment.length <= MAX_SEGMENT_NODES ? searchSegment(segment, before) : undefined;
    if (best === undefined && segment.length > MAX_SEGMENT_NODES) searched = false;
    const chosen = best?.order ?? segment;
    order.push(...chosen);
    peak = Math.max(peak, best?.peak ?? segmentPeak(segment, before));
    start = end + 1;
  }
  if (peak >= originalPeak) return { order: original, peak: originalPeak, searched };
  return { order, peak, searched };

  function distinctInputs(inputs: readonly number[]): number[] {
    return inputs.length <= 1 ? inputs.filter((t) => t >= 0) : [...new Set(inputs)].filter((t) => t >= 0);
  }

  /** Peak of running `segment` in its given order from `before` resident bytes. */
  function segmentPeak(segment: number[], before: number): number {
    let p = 0;
    for (const v of segment) {
      p = Math.max(p, (v === segment[0] ? before : residentAfter[v - 1]) + produced[v] + scratch[v]);
    }
    return p;
  }

  /** The lowest-peak order of one segment by dynamic programming over subsets, or undefined past `maxStates`. */
  function searchSegment(segment: number[], before: number): { order: number[]; peak: number } | undefined {
    const local = new Map(segment.map((v, i) => [v, i]));
    const bit = (i: number): bigint => 1n << BigInt(i);
    const deps = segment.map((v) => {
      let mask = 0n;
      for (const t of graph.nodes[v].inputs) {
        const p = t >= 0 ? local.get(producer[t]) : undefined;
        if (p !== undefined) mask |= bit(p);
      }
      return mask;
    });
    // Tensors a node frees once its other readers in the segment have run (readers after the segment keep them).
    const frees = segment.map((v) =>
      distinctInputs(graph.nodes[v].inputs)
        .filter((t) => size(t) > 0 && !isOutput[t] && lastUse[t] <= segment[segment.length - 1])
        .map((t) => ({ bytes: size(t), readers: consumers[t].reduce((m, c) => (local.has(c) ? m | bit(local.get(c)!) : m), 0n) })),
    );
    interface State {
      done: bigint;
      resident: number;
      peak: number;
      order: number[];
    }
    let layer = new Map<bigint, State>([[0n, { done: 0n, resident: before, peak: 0, order: [] }]]);
    let states = 1;
    for (let k = 0; k < segment.length; k++) {
      const next = new Map<bigint, State>();
      for (const st of layer.values()) {
        for (let i = 0; i < segment.length; i++) {
          const b = bit(i);
          if (st.done & b || (deps[i] & st.done) !== deps[i]) continue;
          const done = st.done | b;
          const v = segment[i];
          const p = Math.max(st.peak, st.resident + produced[v] + scratch[v]);
          const prev = next.get(done);
          if (prev !== undefined && prev.peak <= p) continue;
          if (prev === undefined && ++states > maxStates) return undefined;
          let resident = st.resident + produced[v];
          for (const f of frees[i]) if ((f.readers & done) === f.readers) resident -= f.bytes;
          next.set(done, { done, resident, peak: p, order: [...st.order, v] });
        }
      }
      layer = next;
    }
    const best = [...layer.values()][0];
    return best === undefined ? undefined : { order: best.order, peak: best.peak };
  }
}
