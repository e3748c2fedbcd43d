import { explicitPadding, Graph, tensorBytes, VIEW_OPS } from '@tinyforge/ir';
import { MemoryPlan } from './plan';

/** Element-wise ops whose kernels read element i before writing element i (binary, and 16-bit one-input ones). */
const SAME_POSITION_OPS: ReadonlySet<string> = new Set(['Add', 'Sub', 'Mul', 'LeakyRelu', 'Logistic', 'Tanh']);

/**
 * An independent check of a memory plan against the graph: it recomputes lifetimes from the execution order
 * itself, and decides whether two overlapping buffers may share memory by simulating the kernel's row order
 * rather than trusting the planner's rules. Returns every violation found (empty when the plan is sound).
 */
export function checkPlan(graph: Graph, plan: MemoryPlan, scratchBytes: (node: number) => number): string[] {
  const problems: string[] = [];
  const steps = plan.order.length;
  const sorted = [...plan.order].sort((a, b) => a - b);
  if (sorted.some((v, i) => v !== i)) return [`order is not a permutation of the ${graph.nodes.length} nodes`];

  // Lifetimes, recomputed.
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  for (const t of graph.inputs) first.set(t, 0);
  plan.order.forEach((v, step) => {
    const node = graph.nodes[v];
    for (const t of node.inputs) {
      if (t < 0 || graph.tensors[t].data !== undefined || graph.tensors[t].state !== undefined) continue;
      if (!first.has(t)) problems.push(`node '${node.name}' reads '${graph.tensors[t].name}' before it is produced`);
      last.set(t, step);
    }
    for (const t of node.outputs) first.set(t, step);
  });
  for (const t of graph.outputs) last.set(t, steps - 1);
  for (const [t, f] of first) if (!last.has(t)) last.set(t, f);

  interface Span {
    name: string;
    /** Multi-region plans: the buffer's region (offsets are relative to it); buffers of two regions never meet. */
    region: number;
    lo: number;
    hi: number;
    first: number;
    last: number;
    tensor?: number;
  }
  const spans: Span[] = [];
  const seen = new Set<number>();
  const stepOf = new Map(plan.order.map((v, s) => [v, s]));
  problems.push(...checkRegions(plan));
  for (const b of plan.buffers) {
    const lo = b.offset;
    const hi = b.offset + b.size;
    const region = b.region ?? 0;
    if (lo % plan.align !== 0) problems.push(`'${b.name}' at ${lo} is not aligned to ${plan.align}`);
    if (plan.regions !== undefined) {
      const r = plan.regions[region];
      if (r === undefined) problems.push(`'${b.name}' is in region ${b.region}, the plan has ${plan.regions.length}`);
      else if (lo < 0 || hi > r.size) problems.push(`'${b.name}' [${lo}, ${hi}) does not fit region '${r.name}' (${r.size} bytes)`);
    } else if (b.region !== undefined) problems.push(`'${b.name}' names region ${b.region} in a one-arena plan`);
    else if (lo < 0 || hi > plan.arenaSize) problems.push(`'${b.name}' [${lo}, ${hi}) does not fit the ${plan.arenaSize}-byte arena`);
    if (b.kind === 'scratch') {
      const step = stepOf.get(b.node ?? -1) ?? -1;
      if (step < 0) problems.push(`scratch '${b.name}' belongs to no node`);
      else if (b.size < scratchBytes(b.node!)) problems.push(`scratch '${b.name}' has ${b.size} bytes, the kernel needs ${scratchBytes(b.node!)}`);
      spans.push({ name: b.name, region, lo, hi, first: step, last: step });
      continue;
    }
    const t = b.tensor!;
    if (!first.has(t)) {
      problems.push(`'${b.name}' is not a tensor of this graph's activations`);
      continue;
    }
    const bytes = tensorBytes(graph.tensors[t]);
    if (b.size < bytes) problems.push(`'${b.name}' has ${b.size} bytes, the tensor needs ${bytes}`);
    seen.add(t);
    spans.push({ name: b.name, region, lo, hi, first: first.get(t)!, last: last.get(t)!, tensor: t });
  }
  for (const t of first.keys()) if (!seen.has(t)) problems.push(`tensor '${graph.tensors[t].name}' has no place in the plan`);

  problems.push(...checkState(graph, plan));

  const viewRoot = viewClasses(graph);
  const producerOf = new Map<number, number>();
  graph.nodes.forEach((n, i) => n.outputs.forEach((t) => producerOf.set(t, i)));
  // Every pair live at the same time, by a sweep over the steps (each span meets only those still live).
  spans.sort((a, b) => a.first - b.first);
  const active: Span[] = [];
  for (const b of spans) {
    let kept = 0;
    for (const a of active) {
      if (a.last < b.first) continue; // ended: dropped from the live list
      active[kept++] = a;
      if (a.region !== b.region || a.lo >= b.hi || b.lo >= a.hi) continue;
      if (a.tensor !== undefined && b.tensor !== undefined && mayShare(a.tensor, b.tensor, a.lo, b.lo)) continue;
      const where = plan.regions !== undefined ? ` in region '${plan.regions[a.region]?.name}'` : '';
      problems.push(`'${a.name}' [${a.lo}, ${a.hi}) steps ${a.first}–${a.last} overlaps '${b.name}' [${b.lo}, ${b.hi}) steps ${b.first}–${b.last}${where}`);
    }
    active.length = kept;
    active.push(b);
  }
  return problems;

  function mayShare(x: number, y: number, xOffset: number, yOffset: number): boolean {
    // Views of one another: the same bytes by construction.
    if (viewRoot(x) === viewRoot(y)) return xOffset === yOffset;
    // In-place: y written by the node that reads x for the last time (or the other way round).
    return inPlaceOk(x, y, xOffset - yOffset) || inPlaceOk(y, x, yOffset - xOffset);
  }

  /** May `node` write `out` over its input `input`; displacement = offset(input) − offset(out). */
  function inPlaceOk(input: number, out: number, displacement: number): boolean {
    const index = producerOf.get(out);
    const node = index === undefined ? undefined : graph.nodes[index];
    if (node === undefined || node.outputs[0] !== out || !node.inputs.includes(input)) return false;
    const step = stepOf.get(index!)!;
    if (last.get(input) !== step) return false;
    const x = graph.tensors[input].shape;
    const o = graph.tensors[out].shape;
    if (SAME_POSITION_OPS.has(node.op)) {
      // Element i is read before element i is written: only exactly the same bytes (same shape and element type).
      const same = graph.tensors[input].dtype === graph.tensors[out].dtype && x.length === o.length && x.every((d, i) => d === o[i]);
      return displacement === 0 && same;
    }
    if (node.op !== 'Conv2D' && node.op !== 'DepthwiseConv2D') return false;
    if (node.inputs[0] !== input || x[0] !== 1 || o[0] !== 1) return false;
    const w = graph.tensors[node.inputs[1]].shape;
    const a = node.attrs;
    const pad = explicitPadding(x[1], x[2], w[1], w[2], a.strideH, a.strideW, a.dilationH, a.dilationW, a.padding);
    // Simulate the kernel: while it writes output row y, input rows from the first one output row y − 1 reads on
    // must still be intact.
    const inRow = x[2] * x[3];
    const outRow = o[2] * o[3];
    for (let y = 0; y < o[1]; y++) {
      const writeHi = (y + 1) * outRow; // relative to the output's start
      const neededFromRow = Math.max(0, Math.min(x[1], (y - 1) * a.strideH - pad.top));
      const neededLo = displacement + neededFromRow * inRow;
      const neededHi = displacement + x[1] * inRow;
      // Everything written so far, [0, writeHi), must stay clear of the rows still needed.
      if (neededHi > neededLo && 0 < neededHi && neededLo < writeHi) return false;
    }
    return true;
  }
}

/** A multi-region plan: every region's array within its room, aligned, and together the arena size. */
function checkRegions(plan: MemoryPlan): string[] {
  if (plan.regions === undefined) return [];
  const problems: string[] = [];
  for (const r of plan.regions) {
    if (r.size > r.room) problems.push(`region '${r.name}' holds ${r.size} bytes of the arena, more than its ${r.room} bytes`);
    if (r.size % plan.align !== 0) problems.push(`region '${r.name}' has ${r.size} bytes, not a multiple of the alignment ${plan.align}`);
  }
  const total = plan.regions.reduce((s, r) => s + r.size, 0);
  if (total !== plan.arenaSize) problems.push(`the regions hold ${total} bytes together, the plan's arena is ${plan.arenaSize}`);
  return problems;
}

/**
 * The state region: every op state tensor (and nothing else) has one slot of its size, aligned, inside the region,
 * overlapping no other slot; no state tensor is in the arena (the planner's reused region), and no node writes one
 * as its output.
 */
function checkState(graph: Graph, plan: MemoryPlan): string[] {
  const problems: string[] = [];
  const { state } = plan;
  const slots = new Map<number, number>();
  for (const b of state.buffers) {
    const t = graph.tensors[b.tensor];
    if (t === undefined || t.state === undefined) {
      problems.push(`state slot '${b.name}' is not an op state tensor`);
      continue;
    }
    slots.set(b.tensor, (slots.get(b.tensor) ?? 0) + 1);
    if (b.kind !== t.state) problems.push(`state slot '${b.name}' is ${b.kind}, the tensor is ${t.state}`);
    if (b.size < tensorBytes(t)) problems.push(`state slot '${b.name}' has ${b.size} bytes, the tensor needs ${tensorBytes(t)}`);
    if (b.offset % plan.align !== 0) problems.push(`state slot '${b.name}' at ${b.offset} is not aligned to ${plan.align}`);
    if (b.offset < 0 || b.offset + b.size > state.size) problems.push(`state slot '${b.name}' [${b.offset}, ${b.offset + b.size}) does not fit the ${state.size}-byte state region`);
  }
  graph.tensors.forEach((t, i) => {
    if (t.state === undefined) return;
    const n = slots.get(i) ?? 0;
    if (n !== 1) problems.push(`state tensor '${t.name}' has ${n} slots in the state region, expected 1`);
  });
  const sorted = [...state.buffers].sort((a, b) => a.offset - b.offset);
  for (let k = 1; k < sorted.length; k++) {
    const prev = sorted[k - 1];
    if (sorted[k].offset < prev.offset + prev.size) problems.push(`state slots '${prev.name}' and '${sorted[k].name}' overlap`);
  }
  for (const b of plan.buffers) {
    if (b.tensor !== undefined && graph.tensors[b.tensor]?.state !== undefined) problems.push(`state tensor '${b.name}' is placed in the reused arena`);
  }
  for (const n of graph.nodes) {
    for (const t of n.outputs) if (graph.tensors[t]?.state !== undefined) problems.push(`node '${n.name}' writes state tensor '${graph.tensors[t].name}' as its output`);
  }
  return problems;
}

/** Union-find over RESHAPE/SQUEEZE/IDENTITY edges: tensors that are views of the same bytes. */
function viewClasses(graph: Graph): (t: number) => number {
  const parent = graph.tensors.map((_, i) => i);
  const find = (t: number): number => (parent[t] === t ? t : (parent[t] = find(parent[t])));
  for (const n of graph.nodes) {
    if (VIEW_OPS.has(n.op)) parent[find(n.outputs[0])] = find(n.inputs[0]);
  }
  return find;
}
