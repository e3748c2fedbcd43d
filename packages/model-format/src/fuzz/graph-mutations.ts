/**
 * Mutations at the level of the graph IR, written back as a model file: "valid-looking" mutants whose shapes are
 * re-inferred after the change, so that they pass the readers' structural checks and reach validation,
 * quantization, code generation and both engines — extreme scales and zero points, huge paddings, zero channels,
 * constant or duplicate graph inputs, extra inputs, long chains and wide graphs.
 */
import { cloneGraph, Graph, inferOutputShapes, isConstant, Node, SeededRandom, Tensor, tensorBytes } from '@tinyforge/ir';
import { HOSTILE_NAMES } from './hostile-names';

type GraphMutation = (g: Graph, r: SeededRandom) => string | undefined;

/** Longest chain a fuzz case appends (see 'ir-chain'). */
export const FUZZ_CHAIN_MAX = 1000;

const SCALES = [1e-45, 1.4e-45, 1e-38, 1e-20, 1e-10, 1e-6, 1e6, 1e10, 1e20, 3.4e38, 1e38, 0.5, 2, 1024];
const ZERO_POINTS = [255, -129, 128, -128, 127, 2 ** 31, -(2 ** 31), 2 ** 31 - 1, 32767, -32768, 1, -1, 3];

/** Re-infer every output shape in node order after a change; stops quietly where inference fails. */
export function reinferShapes(g: Graph): void {
  for (const node of g.nodes) {
    try {
      const shapes = inferOutputShapes(g, node);
      node.outputs.forEach((t, k) => {
        if (shapes[k] !== undefined) g.tensors[t].shape = shapes[k];
      });
    } catch {
      return;
    }
  }
}

const quantized = (g: Graph): number[] => g.tensors.map((t, i) => (t.quant !== undefined ? i : -1)).filter((i) => i >= 0);
const activations = (g: Graph): number[] => g.tensors.map((t, i) => (!isConstant(t) ? i : -1)).filter((i) => i >= 0);

function addTensor(g: Graph, t: Tensor): number {
  g.tensors.push(t);
  return g.tensors.length - 1;
}

function int32Constant(g: Graph, name: string, values: number[]): number {
  return addTensor(g, { name, shape: [values.length], dtype: 'int32', data: new Uint8Array(Int32Array.from(values).buffer) });
}

/** A node whose single output is the graph's first output: new ops are appended after it. */
function chainTail(g: Graph): number | undefined {
  return g.outputs[0];
}

const MUTATIONS: Record<string, GraphMutation> = {
  'ir-quant-extreme': (g, r) => {
    const list = quantized(g);
    if (list.length === 0) return undefined;
    const t = g.tensors[r.pick(list)];
    const q = t.quant!;
    const i = r.int(0, q.scale.length - 1);
    if (r.next() < 0.5) q.scale[i] = r.pick(SCALES);
    else q.zeroPoint[i] = r.pick(ZERO_POINTS);
    return `'${t.name}' scale[${i}] ${q.scale[i]} zero point ${q.zeroPoint[i]}`;
  },
  'ir-weight-zero-point': (g, r) => {
    const list = g.tensors.map((t, i) => (isConstant(t) && t.dtype === 'int8' && t.quant !== undefined ? i : -1)).filter((i) => i >= 0);
    if (list.length === 0) return undefined;
    const t = g.tensors[r.pick(list)];
    t.quant!.zeroPoint = t.quant!.zeroPoint.map(() => r.pick([1, -1, 3, 127, -128]));
    return `constant '${t.name}' zero point ${t.quant!.zeroPoint[0]}`;
  },
  'ir-bias-scale': (g, r) => {
    const list = g.tensors.map((t, i) => (isConstant(t) && t.dtype === 'int32' && t.quant !== undefined ? i : -1)).filter((i) => i >= 0);
    if (list.length === 0) return undefined;
    const t = g.tensors[r.pick(list)];
    const k = r.pick([0.5, 2, 1e-9, 1e9, 1.0000001]);
    t.quant!.scale = t.quant!.scale.map((s) => s * k);
    return `bias '${t.name}' scale x${k}`;
  },
  'ir-per-axis': (g, r) => {
    const list = g.tensors.map((t, i) => (isConstant(t) && t.quant !== undefined && t.quant.scale.length > 1 ? i : -1)).filter((i) => i >= 0);
    if (list.length === 0) return undefined;
    const t = g.tensors[r.pick(list)];
    const q = t.quant!;
    const choice = r.pick(['axis', 'one-scale', 'drop-one']);
    if (choice === 'axis') q.axis = r.int(0, t.shape.length - 1);
    else if (choice === 'one-scale') {
      q.scale = [q.scale[0]];
      q.zeroPoint = [q.zeroPoint[0]];
    } else {
      q.scale = q.scale.slice(1);
      q.zeroPoint = q.zeroPoint.slice(1);
    }
    return `'${t.name}' per-axis ${choice}`;
  },
  'ir-input-shape': (g, r) => {
    if (g.inputs.length === 0) return undefined;
    const t = g.tensors[g.inputs[0]];
    if (t.shape.length === 0) return undefined;
    const i = r.int(0, t.shape.length - 1);
    t.shape[i] = r.pick([0, 1, 2, t.shape[i] * 2, t.shape[i] * 16, t.shape[i] + 1, 4096]);
    reinferShapes(g);
    return `input dim ${i} = ${t.shape[i]} (shapes re-inferred)`;
  },
  'ir-zero-channels': (g) => {
    if (g.inputs.length === 0) return undefined;
    const t = g.tensors[g.inputs[0]];
    if (t.shape.length === 0) return undefined;
    t.shape[t.shape.length - 1] = 0;
    reinferShapes(g);
    return 'input with 0 channels (shapes re-inferred)';
  },
  'ir-pad-huge': (g, r) => {
    const pads = g.nodes.filter((n) => n.op === 'Pad');
    const tail = chainTail(g);
    const amount = r.pick([1024, 4096, 8192, 16384, 65536]);
    if (pads.length > 0) {
      const node = r.pick(pads);
      const rank = g.tensors[node.inputs[0]].shape.length;
      node.inputs[1] = int32Constant(g, `${node.name}_huge_pads`, Array.from({ length: rank * 2 }, (_, k) => (k < 2 || k >= rank * 2 - 2 ? 0 : amount)));
    } else {
      // No Pad: pad a 4-D activation (the output when it is one) into a new graph output.
      const rank4 = activations(g).filter((t) => g.tensors[t].shape.length === 4);
      const from = tail !== undefined && g.tensors[tail].shape.length === 4 ? tail : rank4.length > 0 ? r.pick(rank4) : undefined;
      if (from === undefined) return undefined;
      const x = g.tensors[from];
      const out = addTensor(g, { name: 'fuzz_pad', shape: [], dtype: x.dtype, quant: x.quant && { ...x.quant, scale: [...x.quant.scale], zeroPoint: [...x.quant.zeroPoint] } });
      const padding = int32Constant(g, 'fuzz_pads', [0, 0, amount, amount, amount, amount, 0, 0]);
      let at = 0;
      g.nodes.forEach((n, i) => n.outputs.includes(from) && (at = i + 1));
      g.nodes.splice(at, 0, { name: 'fuzz_pad', op: 'Pad', attrs: {}, inputs: [from, padding], outputs: [out] } as unknown as Node);
      if (from === tail) g.outputs[0] = out;
      else g.outputs.push(out);
    }
    reinferShapes(g);
    return `pad by ${amount} (shapes re-inferred)`;
  },
  'ir-constant-input': (g) => {
    if (g.inputs.length === 0) return undefined;
    const t = g.tensors[g.inputs[0]];
    t.data = new Uint8Array(Math.min(tensorBytes(t), 1 << 24));
    return `graph input '${t.name}' carries constant data`;
  },
  'ir-duplicate-input': (g) => {
    if (g.inputs.length === 0) return undefined;
    g.inputs.push(g.inputs[0]);
    return 'graph input listed twice';
  },
  'ir-duplicate-output': (g) => {
    if (g.outputs.length === 0) return undefined;
    g.outputs.push(g.outputs[0]);
    return 'graph output listed twice';
  },
  'ir-extra-input': (g, r) => {
    if (g.nodes.length === 0) return undefined;
    const node = r.pick(g.nodes);
    const k = r.pick([1, 2, 100]);
    for (let i = 0; i < k; i++) node.inputs.push(node.inputs[0]);
    return `node '${node.name}' gets ${k} extra inputs`;
  },
  'ir-attr': (g, r) => {
    const withAttrs = g.nodes.filter((n) => Object.keys(n.attrs as object).length > 0);
    if (withAttrs.length === 0) return undefined;
    const node = r.pick(withAttrs);
    const attrs = node.attrs as unknown as Record<string, unknown>;
    const key = r.pick(Object.keys(attrs));
    const old = attrs[key];
    if (typeof old === 'number') attrs[key] = r.pick([0, -1, 1, 2, 3, 7, 1 << 16, 2 ** 31 - 1, -(2 ** 31), 0.5, NaN, old * 2]);
    else if (typeof old === 'string') attrs[key] = r.pick(['same', 'valid', 'none', 'relu', 'relu6', 'tanh', 'sign_bit', 'bogus']);
    else if (typeof old === 'boolean') attrs[key] = !old;
    else if (Array.isArray(old)) attrs[key] = old.length > 0 && r.next() < 0.5 ? old.map(() => r.pick([0, -1, 5, 1 << 20])) : [...old, 1];
    else if (typeof old === 'object' && old !== null) attrs[key] = { top: r.pick([0, -1, 1000]), bottom: 0, left: r.pick([0, 9999]), right: 0 };
    reinferShapes(g);
    return `node '${node.name}' ${key}: ${JSON.stringify(old)} -> ${JSON.stringify(attrs[key])}`;
  },
  'ir-dtype': (g, r) => {
    const list = activations(g).filter((i) => g.tensors[i].dtype !== 'float32' || r.next() < 0.2);
    if (list.length === 0) return undefined;
    const t = g.tensors[r.pick(list)];
    const old = t.dtype;
    t.dtype = r.pick(['uint8', 'int16', 'int32', 'int8', 'float32', 'int64', 'bool'] as const);
    if (t.dtype !== 'float32' && t.quant === undefined && r.next() < 0.7) t.quant = { scale: [0.05], zeroPoint: [0], axis: 0 };
    return `'${t.name}' ${old} -> ${t.dtype}`;
  },
  'ir-hostile-name': (g, r) => {
    const name = r.pick(HOSTILE_NAMES);
    const text = typeof name === 'string' ? name : new TextDecoder().decode(name);
    if (r.next() < 0.5 && g.nodes.length > 0) r.pick(g.nodes).name = text;
    else if (g.tensors.length > 0) r.pick(g.tensors).name = text;
    if (r.next() < 0.3) g.name = text;
    return `hostile name ${JSON.stringify(text.slice(0, 20))}`;
  },
  'ir-chain': (g, r) => {
    const tail = chainTail(g);
    if (tail === undefined) return undefined;
    // Up to a length the whole pipeline (quantize, codegen, gcc, both engines) takes within a fuzz case's bound;
    // chains to 100k operators are the scale benchmark's (`npm run bench -- scale`).
    const length = Math.round(Math.exp(r.uniform(Math.log(10), Math.log(FUZZ_CHAIN_MAX))));
    const view = r.next() < 0.5;
    appendChain(g, tail, length, view);
    return `chain of ${length} ${view ? 'reshapes' : 'relus'} appended`;
  },
  'ir-wide': (g, r) => {
    const tail = chainTail(g);
    if (tail === undefined) return undefined;
    const branches = r.pick([16, 100, 400]);
    appendWide(g, tail, branches);
    return `${branches} parallel branches appended`;
  },
  'ir-swap-nodes': (g, r) => {
    if (g.nodes.length < 2) return undefined;
    const i = r.int(0, g.nodes.length - 2);
    const j = r.int(i + 1, g.nodes.length - 1);
    [g.nodes[i], g.nodes[j]] = [g.nodes[j], g.nodes[i]];
    return `nodes ${i} <-> ${j}`;
  },
};

/** Append `length` single-input ops after tensor `from` (reshapes: views; else relus) and make the last the output. */
export function appendChain(g: Graph, from: number, length: number, views: boolean): void {
  let x = from;
  const t0 = g.tensors[from];
  const flat = [1, t0.shape.reduce((a, b) => a * b, 1)];
  const shapeConst = int32Constant(g, 'chain_shape_flat', flat);
  const backConst = int32Constant(g, 'chain_shape_back', t0.shape);
  for (let i = 0; i < length; i++) {
    const src = g.tensors[x];
    const shape = views ? (i % 2 === 0 ? flat : [...t0.shape]) : [...src.shape];
    const out = addTensor(g, { name: `chain_${i}`, shape, dtype: src.dtype, quant: src.quant && { ...src.quant } });
    const node = views
      ? { name: `chain_${i}`, op: 'Reshape', attrs: {}, inputs: [x, i % 2 === 0 ? shapeConst : backConst], outputs: [out] }
      : { name: `chain_${i}`, op: 'Relu', attrs: {}, inputs: [x], outputs: [out] };
    g.nodes.push(node as unknown as Node);
    x = out;
  }
  g.outputs[0] = x;
}

/**
 * Append `branches` parallel relus reading tensor `from`, joined on the last axis by a tree of concatenations of
 * at most 8 inputs each (what the C kernel takes).
 */
export function appendWide(g: Graph, from: number, branches: number): void {
  const src = g.tensors[from];
  const axis = Math.max(0, src.shape.length - 1);
  const like = (name: string, shape: number[]): number => addTensor(g, { name, shape, dtype: src.dtype, quant: src.quant && { ...src.quant } });
  let level: number[] = [];
  for (let i = 0; i < branches; i++) {
    const out = like(`branch_${i}`, [...src.shape]);
    g.nodes.push({ name: `branch_${i}`, op: 'Relu', attrs: {}, inputs: [from], outputs: [out] } as unknown as Node);
    level.push(out);
  }
  for (let depth = 0; level.length > 1; depth++) {
    const next: number[] = [];
    for (let i = 0; i < level.length; i += 8) {
      const part = level.slice(i, i + 8);
      if (part.length === 1) {
        next.push(part[0]);
        continue;
      }
      const shape = [...g.tensors[part[0]].shape];
      if (shape.length > 0) shape[axis] = part.reduce((n, t) => n + g.tensors[t].shape[axis], 0);
      const name = `join_${depth}_${i / 8}`;
      const joined = like(name, shape);
      g.nodes.push({ name, op: 'Concatenation', attrs: { axis, activation: 'none' }, inputs: part, outputs: [joined] } as unknown as Node);
      next.push(joined);
    }
    level = next;
  }
  g.outputs[0] = level[0];
}

export const GRAPH_MUTATIONS: readonly string[] = Object.keys(MUTATIONS);

/** A mutated copy of `graph` (kind `kind`), with what was done; undefined when the kind does not apply. */
export function mutateGraph(graph: Graph, kind: string, r: SeededRandom): { graph: Graph; description: string } | undefined {
  const g = cloneGraph(graph);
  const description = MUTATIONS[kind](g, r);
  return description === undefined ? undefined : { graph: g, description };
}
