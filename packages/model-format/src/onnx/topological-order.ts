import { onnx } from '@tinyforge/onnx-proto';
import { ModelFormatError } from '../errors';

/**
 * The nodes in an order where every value is produced before it is read. Exporters do not always store nodes so
 * (keras2onnx does not; onnxruntime sorts them itself), so the reader sorts them, keeping the stored order among
 * nodes that are ready together. Inputs no node produces (graph inputs, initializers, or values nothing produces,
 * which the importer reports) do not constrain the order. A cycle is FORMAT_MALFORMED naming its nodes.
 */
export function topologicalOrder(nodes: readonly onnx.NodeProto[], file: string | undefined): onnx.NodeProto[] {
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => {
    for (const o of n.output) if (o !== '' && !producer.has(o)) producer.set(o, i);
  });
  const dependsOn = nodes.map((n) => [...new Set(n.input.map((v) => producer.get(v)).filter((p): p is number => p !== undefined))]);
  if (dependsOn.every((deps, i) => deps.every((p) => p < i))) return [...nodes];

  const waiting = dependsOn.map((deps) => deps.length);
  const readers: number[][] = nodes.map(() => []);
  dependsOn.forEach((deps, i) => deps.forEach((p) => readers[p].push(i)));
  const ready = new MinHeap();
  waiting.forEach((w, i) => w === 0 && ready.push(i));
  const order: onnx.NodeProto[] = [];
  while (ready.size > 0) {
    const i = ready.pop();
    order.push(nodes[i]);
    for (const r of readers[i]) if (--waiting[r] === 0) ready.push(r);
  }
  if (order.length === nodes.length) return order;
  const cycle = findCycle(dependsOn, waiting);
  const name = (i: number): string => nodes[i].name || `${nodes[i].opType}_${i}`;
  throw new ModelFormatError('FORMAT_MALFORMED', `the graph has a cycle: ${cycle.map(name).map((n) => `'${n}'`).join(' → ')} (each reads the next one's output)`, {
    file,
    node: name(cycle[0]),
  });
}

/** A cycle among the nodes still waiting: follow dependencies that are still waiting until one repeats. */
function findCycle(dependsOn: number[][], waiting: number[]): number[] {
  let at = waiting.findIndex((w) => w > 0);
  const seen = new Map<number, number>();
  const path: number[] = [];
  while (!seen.has(at)) {
    seen.set(at, path.length);
    path.push(at);
    at = dependsOn[at].find((p) => waiting[p] > 0)!;
  }
  return [...path.slice(seen.get(at)!), at];
}

/** Node indices, smallest first (so that ready nodes keep their stored order). */
class MinHeap {
  private readonly items: number[] = [];

  get size(): number {
    return this.items.length;
  }

  push(v: number): void {
    const a = this.items;
    a.push(v);
    for (let i = a.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (a[parent] <= a[i]) break;
      [a[parent], a[i]] = [a[i], a[parent]];
      i = parent;
    }
  }

  pop(): number {
    const a = this.items;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l] < a[m]) m = l;
        if (r < a.length && a[r] < a[m]) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    return top;
  }
}
