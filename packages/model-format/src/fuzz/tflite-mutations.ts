/**
 * Structure-aware mutations of a TFLite file (its table tree, tflite-tree.ts): shapes, ranks, types, buffer /
 * opcode / tensor indices, cycles, vector lengths near 2^31, subgraph counts, quantization arrays and axes,
 * options, arity, external and misaligned buffers, hostile names. Each kind names what it did, for replay reports.
 */
import { SeededRandom } from '@tinyforge/ir';
import { BUFFER, METADATA, MODEL, OPERATOR, OPERATOR_CODE, QUANTIZATION, SUBGRAPH, TENSOR } from '../tflite/schema';
import { FbTable, FbValue, float32Vector, int32Vector, int64Vector, scalar, scalarValue, tableOf, tablesOf, vectorValues } from './tflite-tree';
import { HOSTILE_NAMES } from './hostile-names';

/** The tree being mutated, with its external-data tail. */
export interface TfliteMutantState {
  model: FbTable;
  /** Bytes appended after the flatbuffer (for external buffers); offsets into it are relative to its start. */
  trailing: number[];
  /** External buffers to point at `trailing` once the flatbuffer's length is known: buffer → (offset delta, size). */
  external: Array<{ buffer: FbTable; delta: number; size: number }>;
}

type TreeMutation = (s: TfliteMutantState, r: SeededRandom) => string | undefined;

const BIG = [0x7fffffff, 0x7ffffff0, 0x40000000, 0x10000000, 0xffffffff, 65536];
const INT_EXTREMES = [0, 1, -1, 2, 3, 7, 255, 256, 65535, 65536, 2 ** 31 - 1, -(2 ** 31), 1 << 24, 16384];
const SCALE_EXTREMES = [0, -1, -0, NaN, Infinity, -Infinity, 1e-45, 1.4e-45, 1e-38, 1e-30, 1e-10, 3.4e38, 1e38, 1e30, 1e10, 65536, 1];
const ZERO_POINT_EXTREMES = [255, 256, -129, 128, -128, 127, 1, -1, 2 ** 31, -(2 ** 31), 2 ** 31 - 1, 2 ** 53, 32767, -32768, 65535];

const sg0 = (s: TfliteMutantState): FbTable | undefined => tablesOf(s.model, MODEL.subgraphs)[0];
const tensorsOf = (s: TfliteMutantState): FbTable[] => tablesOf(sg0(s), SUBGRAPH.tensors);
const opsOf = (s: TfliteMutantState): FbTable[] => tablesOf(sg0(s), SUBGRAPH.operators);
const buffersOf = (s: TfliteMutantState): FbTable[] => tablesOf(s.model, MODEL.buffers);
const codesOf = (s: TfliteMutantState): FbTable[] => tablesOf(s.model, MODEL.operatorCodes);

function pickTable(r: SeededRandom, list: FbTable[], where?: (t: FbTable) => boolean): [FbTable, number] | undefined {
  const candidates = list.map((t, i) => [t, i] as [FbTable, number]).filter(([t]) => where === undefined || where(t));
  return candidates.length === 0 ? undefined : r.pick(candidates);
}

function setVector(t: FbTable, id: number, values: number[]): void {
  t.fields.set(id, int32Vector(values));
}

function lengthOverride(v: FbValue | undefined, r: SeededRandom): string | undefined {
  if (v === undefined || (v.t !== 'vector' && v.t !== 'tables')) return undefined;
  const n = v.t === 'vector' ? v.bytes.length / v.elemSize : v.tables.length;
  const len = r.pick([...BIG, n + 1, n + 7, Math.max(0, n - 1)]);
  v.lengthOverride = len;
  return `length ${n} -> ${len}`;
}

function utf8(s: string | Uint8Array): Uint8Array {
  return typeof s === 'string' ? new TextEncoder().encode(s) : s;
}

/** A tensor with data (a constant). */
const hasData = (s: TfliteMutantState) => (t: FbTable): boolean => {
  const b = buffersOf(s)[scalarValue(t.fields.get(TENSOR.buffer))];
  const d = b?.fields.get(BUFFER.data);
  return d !== undefined && d.t === 'vector' && d.bytes.length > 0;
};

const MUTATIONS: Record<string, TreeMutation> = {
  'shape-dim': (s, r) => {
    const p = pickTable(r, tensorsOf(s), (t) => vectorValues(t.fields.get(TENSOR.shape)).length > 0);
    if (!p) return undefined;
    const shape = vectorValues(p[0].fields.get(TENSOR.shape));
    const i = r.int(0, shape.length - 1);
    const v = r.pick([...INT_EXTREMES, shape[i] * 2, shape[i] + 1, shape[i] - 1]);
    shape[i] = v;
    setVector(p[0], TENSOR.shape, shape);
    return `tensor ${p[1]} dim ${i} = ${v}`;
  },
  'shape-rank': (s, r) => {
    const p = pickTable(r, tensorsOf(s));
    if (!p) return undefined;
    const shape = vectorValues(p[0].fields.get(TENSOR.shape));
    const next = r.next() < 0.5 && shape.length > 0 ? shape.slice(0, r.int(0, shape.length - 1)) : [...shape, ...Array.from({ length: r.int(1, 6) }, () => r.pick([1, 1, 2, 0]))];
    setVector(p[0], TENSOR.shape, next);
    return `tensor ${p[1]} rank ${shape.length} -> ${next.length}`;
  },
  'shape-length': (s, r) => {
    const p = pickTable(r, tensorsOf(s), (t) => t.fields.has(TENSOR.shape));
    return p && `tensor ${p[1]} shape ${lengthOverride(p[0].fields.get(TENSOR.shape), r)}`;
  },
  'tensor-type': (s, r) => {
    const p = pickTable(r, tensorsOf(s));
    if (!p) return undefined;
    const type = r.pick([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 127, -1]);
    p[0].fields.set(TENSOR.type, scalar(1, type));
    return `tensor ${p[1]} type ${type}`;
  },
  'tensor-buffer': (s, r) => {
    const p = pickTable(r, tensorsOf(s));
    if (!p) return undefined;
    const n = buffersOf(s).length;
    const other = pickTable(r, tensorsOf(s), hasData(s));
    const v = r.pick([0, n - 1, n, n + 1, 2 ** 31 - 1, -1, other ? scalarValue(other[0].fields.get(TENSOR.buffer)) : 1]);
    p[0].fields.set(TENSOR.buffer, scalar(4, v));
    return `tensor ${p[1]} buffer ${v}`;
  },
  'tensor-variable': (s, r) => {
    const p = pickTable(r, tensorsOf(s));
    if (!p) return undefined;
    p[0].fields.set(TENSOR.isVariable, scalar(1, 1));
    return `tensor ${p[1]} is_variable`;
  },
  'tensor-name': (s, r) => {
    const p = pickTable(r, tensorsOf(s));
    if (!p) return undefined;
    const name = r.pick(HOSTILE_NAMES);
    p[0].fields.set(TENSOR.name, { t: 'string', bytes: utf8(name) });
    return `tensor ${p[1]} name ${JSON.stringify(String(name).slice(0, 20))}`;
  },
  'tensor-sparsity': (s, r) => {
    const p = pickTable(r, tensorsOf(s));
    if (!p) return undefined;
    p[0].fields.set(TENSOR.sparsity, { t: 'table', table: { kind: 'raw', fields: new Map() } });
    return `tensor ${p[1]} sparse`;
  },
  'tensor-shape-signature': (s, r) => {
    const p = pickTable(r, tensorsOf(s), (t) => vectorValues(t.fields.get(TENSOR.shape)).length > 0);
    if (!p) return undefined;
    const sig = vectorValues(p[0].fields.get(TENSOR.shape));
    sig[0] = -1;
    setVector(p[0], TENSOR.shapeSignature, sig);
    return `tensor ${p[1]} shape_signature [-1, ...]`;
  },
  'quant-scale': (s, r) => {
    const p = pickTable(r, tensorsOf(s), (t) => vectorValues(tableOf(t, TENSOR.quantization)?.fields.get(QUANTIZATION.scale), 'f32').length > 0);
    if (!p) return undefined;
    const q = tableOf(p[0], TENSOR.quantization)!;
    const scale = vectorValues(q.fields.get(QUANTIZATION.scale), 'f32');
    const i = r.int(0, scale.length - 1);
    const v = r.next() < 0.3 ? scale[i] * r.pick([1e-6, 1e6, 2 ** 20, 2 ** -20, 1e30, 1e-30]) : r.pick(SCALE_EXTREMES);
    scale[i] = v;
    q.fields.set(QUANTIZATION.scale, float32Vector(scale));
    return `tensor ${p[1]} scale[${i}] = ${v}`;
  },
  'quant-zero-point': (s, r) => {
    const p = pickTable(r, tensorsOf(s), (t) => vectorValues(tableOf(t, TENSOR.quantization)?.fields.get(QUANTIZATION.zeroPoint), 'i64').length > 0);
    if (!p) return undefined;
    const q = tableOf(p[0], TENSOR.quantization)!;
    const zp = vectorValues(q.fields.get(QUANTIZATION.zeroPoint), 'i64');
    const i = r.int(0, zp.length - 1);
    const v = r.pick(ZERO_POINT_EXTREMES);
    zp[i] = v;
    q.fields.set(QUANTIZATION.zeroPoint, int64Vector(zp));
    return `tensor ${p[1]} zero_point[${i}] = ${v}`;
  },
  'quant-axis': (s, r) => {
    const p = pickTable(r, tensorsOf(s), (t) => tableOf(t, TENSOR.quantization) !== undefined);
    if (!p) return undefined;
    const v = r.pick([-1, 1, 2, 3, 4, 8, 2 ** 31 - 1, -(2 ** 31)]);
    tableOf(p[0], TENSOR.quantization)!.fields.set(QUANTIZATION.quantizedDimension, scalar(4, v));
    return `tensor ${p[1]} quantized_dimension ${v}`;
  },
  'quant-count': (s, r) => {
    const p = pickTable(r, tensorsOf(s), (t) => tableOf(t, TENSOR.quantization) !== undefined);
    if (!p) return undefined;
    const q = tableOf(p[0], TENSOR.quantization)!;
    const n = r.pick([0, 1, 2, 3, 8, 1000]);
    const which = r.pick(['scale', 'zero_point', 'both']);
    if (which !== 'zero_point') q.fields.set(QUANTIZATION.scale, float32Vector(Array.from({ length: n }, () => 0.01 * r.int(1, 10))));
    if (which !== 'scale') q.fields.set(QUANTIZATION.zeroPoint, int64Vector(Array.from({ length: n }, () => r.pick([0, 0, 1, -128]))));
    return `tensor ${p[1]} ${which} count ${n}`;
  },
  'quant-add': (s, r) => {
    const p = pickTable(r, tensorsOf(s), (t) => vectorValues(tableOf(t, TENSOR.quantization)?.fields.get(QUANTIZATION.scale), 'f32').length === 0);
    if (!p) return undefined;
    const scale = r.pick(SCALE_EXTREMES);
    const zp = r.pick([0, ...ZERO_POINT_EXTREMES]);
    p[0].fields.set(TENSOR.quantization, { t: 'table', table: { kind: 'Quantization', fields: new Map<number, FbValue>([[QUANTIZATION.scale, float32Vector([scale])], [QUANTIZATION.zeroPoint, int64Vector([zp])]]) } });
    return `tensor ${p[1]} quantized (${scale}, ${zp})`;
  },
  'quant-remove': (s, r) => {
    const p = pickTable(r, tensorsOf(s), (t) => tableOf(t, TENSOR.quantization) !== undefined);
    if (!p) return undefined;
    p[0].fields.delete(TENSOR.quantization);
    return `tensor ${p[1]} quantization removed`;
  },
  'quant-details': (s, r) => {
    const p = pickTable(r, tensorsOf(s), (t) => tableOf(t, TENSOR.quantization) !== undefined);
    if (!p) return undefined;
    const q = tableOf(p[0], TENSOR.quantization)!;
    q.fields.set(QUANTIZATION.detailsType, scalar(1, r.pick([1, 2, 255])));
    q.fields.set(QUANTIZATION.details, { t: 'table', table: { kind: 'raw', fields: new Map() } });
    return `tensor ${p[1]} custom quantization`;
  },
  'op-opcode-index': (s, r) => {
    const p = pickTable(r, opsOf(s));
    if (!p) return undefined;
    const n = codesOf(s).length;
    const v = r.pick([n, n + 1, 2 ** 31 - 1, -1, 0, n - 1]);
    p[0].fields.set(OPERATOR.opcodeIndex, scalar(4, v));
    return `operator ${p[1]} opcode_index ${v}`;
  },
  'op-input': (s, r) => {
    const p = pickTable(r, opsOf(s), (t) => vectorValues(t.fields.get(OPERATOR.inputs)).length > 0);
    if (!p) return undefined;
    const ops = opsOf(s);
    const inputs = vectorValues(p[0].fields.get(OPERATOR.inputs));
    const n = tensorsOf(s).length;
    const later = ops.slice(p[1]).map((o) => vectorValues(o.fields.get(OPERATOR.outputs))[0]).filter((t) => t !== undefined);
    const i = r.int(0, inputs.length - 1);
    const choice = r.pick(['minus-one', 'minus-two', 'n', 'big', 'random', 'own-output', 'later-output']);
    const v =
      choice === 'minus-one' ? -1 : choice === 'minus-two' ? -2 : choice === 'n' ? n : choice === 'big' ? 2 ** 31 - 1 : choice === 'random' ? r.int(0, n - 1) : choice === 'own-output' ? (vectorValues(p[0].fields.get(OPERATOR.outputs))[0] ?? 0) : r.pick(later.length > 0 ? later : [0]);
    inputs[i] = v;
    setVector(p[0], OPERATOR.inputs, inputs);
    return `operator ${p[1]} input ${i} = ${v} (${choice})`;
  },
  'op-output': (s, r) => {
    const p = pickTable(r, opsOf(s), (t) => vectorValues(t.fields.get(OPERATOR.outputs)).length > 0);
    if (!p) return undefined;
    const n = tensorsOf(s).length;
    const graphInputs = vectorValues(sg0(s)!.fields.get(SUBGRAPH.inputs));
    const constant = pickTable(r, tensorsOf(s), hasData(s));
    const other = pickTable(r, opsOf(s));
    const v = r.pick([-1, n, 2 ** 31 - 1, graphInputs[0] ?? 0, constant?.[1] ?? 0, vectorValues(other?.[0].fields.get(OPERATOR.outputs))[0] ?? 0]);
    const outputs = vectorValues(p[0].fields.get(OPERATOR.outputs));
    outputs[0] = v;
    setVector(p[0], OPERATOR.outputs, outputs);
    return `operator ${p[1]} output = ${v}`;
  },
  'op-arity-drop': (s, r) => {
    const p = pickTable(r, opsOf(s), (t) => vectorValues(t.fields.get(OPERATOR.inputs)).length > 0);
    if (!p) return undefined;
    const inputs = vectorValues(p[0].fields.get(OPERATOR.inputs));
    inputs.splice(r.int(0, inputs.length - 1), 1);
    setVector(p[0], OPERATOR.inputs, inputs);
    return `operator ${p[1]} has ${inputs.length} inputs`;
  },
  'op-arity-add': (s, r) => {
    const p = pickTable(r, opsOf(s));
    if (!p) return undefined;
    const inputs = vectorValues(p[0].fields.get(OPERATOR.inputs));
    const k = r.pick([1, 1, 2, 5, 1000]);
    for (let i = 0; i < k; i++) inputs.push(r.pick([-1, inputs[0] ?? 0, r.int(0, Math.max(0, tensorsOf(s).length - 1))]));
    setVector(p[0], OPERATOR.inputs, inputs);
    return `operator ${p[1]} has ${inputs.length} inputs`;
  },
  'op-outputs-extra': (s, r) => {
    const p = pickTable(r, opsOf(s));
    if (!p) return undefined;
    const outputs = vectorValues(p[0].fields.get(OPERATOR.outputs));
    outputs.push(r.int(0, Math.max(0, tensorsOf(s).length - 1)));
    setVector(p[0], OPERATOR.outputs, outputs);
    return `operator ${p[1]} has ${outputs.length} outputs`;
  },
  'op-vector-length': (s, r) => {
    const p = pickTable(r, opsOf(s));
    if (!p) return undefined;
    const id = r.pick([OPERATOR.inputs, OPERATOR.outputs]);
    return `operator ${p[1]} ${id === OPERATOR.inputs ? 'inputs' : 'outputs'} ${lengthOverride(p[0].fields.get(id), r)}`;
  },
  'op-options-type': (s, r) => {
    const p = pickTable(r, opsOf(s));
    if (!p) return undefined;
    const v = r.int(0, 130);
    p[0].fields.set(OPERATOR.builtinOptionsType, scalar(1, v));
    if (!p[0].fields.has(OPERATOR.builtinOptions)) p[0].fields.set(OPERATOR.builtinOptions, { t: 'table', table: { kind: 'raw', fields: new Map() } });
    return `operator ${p[1]} options type ${v}`;
  },
  'op-options-field': (s, r) => {
    const p = pickTable(r, opsOf(s), (t) => (tableOf(t, OPERATOR.builtinOptions)?.fields.size ?? 0) > 0 || tableOf(t, OPERATOR.builtinOptions) !== undefined);
    if (!p) return undefined;
    const options = tableOf(p[0], OPERATOR.builtinOptions)!;
    const ids = [...options.fields.keys()];
    const id = ids.length > 0 && r.next() < 0.8 ? r.pick(ids) : r.int(0, 7);
    const old = options.fields.get(id);
    const size = old?.t === 'scalar' ? old.size : r.pick([1, 4] as const);
    const v = r.pick(INT_EXTREMES);
    options.fields.set(id, r.next() < 0.2 && size === 4 ? scalar(4, r.pick(SCALE_EXTREMES), true) : scalar(size, v));
    return `operator ${p[1]} options field ${id} = ${v}`;
  },
  'op-options-drop': (s, r) => {
    const p = pickTable(r, opsOf(s), (t) => t.fields.has(OPERATOR.builtinOptions));
    if (!p) return undefined;
    p[0].fields.delete(OPERATOR.builtinOptions);
    return `operator ${p[1]} options dropped`;
  },
  'op-order-swap': (s, r) => {
    const ops = opsOf(s);
    if (ops.length < 2) return undefined;
    const i = r.int(0, ops.length - 2);
    const j = r.int(i + 1, ops.length - 1);
    [ops[i], ops[j]] = [ops[j], ops[i]];
    return `operators ${i} <-> ${j}`;
  },
  'op-duplicate': (s, r) => {
    const ops = opsOf(s);
    const p = pickTable(r, ops);
    if (!p) return undefined;
    ops.splice(p[1] + 1, 0, p[0]);
    return `operator ${p[1]} twice`;
  },
  'op-delete': (s, r) => {
    const ops = opsOf(s);
    const p = pickTable(r, ops);
    if (!p) return undefined;
    ops.splice(p[1], 1);
    return `operator ${p[1]} deleted`;
  },
  'op-custom-options': (s, r) => {
    const p = pickTable(r, opsOf(s));
    if (!p) return undefined;
    p[0].fields.set(OPERATOR.customOptions, { t: 'vector', elemSize: 1, bytes: Uint8Array.from({ length: r.int(0, 64) }, () => r.int(0, 255)) });
    return `operator ${p[1]} custom options`;
  },
  'op-intermediates': (s, r) => {
    const p = pickTable(r, opsOf(s));
    if (!p) return undefined;
    setVector(p[0], OPERATOR.intermediates, [r.int(-1, tensorsOf(s).length + 2)]);
    return `operator ${p[1]} intermediates`;
  },
  'opcode-builtin': (s, r) => {
    const p = pickTable(r, codesOf(s));
    if (!p) return undefined;
    const v = r.pick([r.int(0, 210), 32, 0, 3, 4, 9, 22, 34, 40, 44, 27, 16, 67, 127, 1000, -1]);
    p[0].fields.set(OPERATOR_CODE.builtinCode, scalar(4, v));
    p[0].fields.set(OPERATOR_CODE.deprecatedBuiltinCode, scalar(1, Math.min(Math.max(v, 0), 127)));
    if (v === 32) p[0].fields.set(OPERATOR_CODE.customCode, { t: 'string', bytes: utf8(r.pick(HOSTILE_NAMES)) });
    return `operator code ${p[1]} builtin ${v}`;
  },
  'opcode-deprecated': (s, r) => {
    const p = pickTable(r, codesOf(s));
    if (!p) return undefined;
    const v = r.int(-128, 127);
    p[0].fields.set(OPERATOR_CODE.deprecatedBuiltinCode, scalar(1, v));
    return `operator code ${p[1]} deprecated code ${v}`;
  },
  'opcode-version': (s, r) => {
    const p = pickTable(r, codesOf(s));
    if (!p) return undefined;
    const v = r.pick([0, -1, 99, 2 ** 31 - 1]);
    p[0].fields.set(OPERATOR_CODE.version, scalar(4, v));
    return `operator code ${p[1]} version ${v}`;
  },
  'graph-input': (s, r) => {
    const sg = sg0(s);
    if (!sg) return undefined;
    const inputs = vectorValues(sg.fields.get(SUBGRAPH.inputs));
    const n = tensorsOf(s).length;
    const constant = pickTable(r, tensorsOf(s), hasData(s));
    const choice = r.pick(['duplicate', 'constant', 'out-of-range', 'empty', 'intermediate', 'minus-one']);
    const intermediate = vectorValues(opsOf(s)[0]?.fields.get(OPERATOR.outputs))[0] ?? 0;
    const next =
      choice === 'duplicate' ? [...inputs, ...inputs] : choice === 'constant' ? [...inputs, constant?.[1] ?? 0] : choice === 'out-of-range' ? [n] : choice === 'empty' ? [] : choice === 'intermediate' ? [...inputs, intermediate] : [-1];
    setVector(sg, SUBGRAPH.inputs, next);
    return `graph inputs ${choice}`;
  },
  'graph-output': (s, r) => {
    const sg = sg0(s);
    if (!sg) return undefined;
    const outputs = vectorValues(sg.fields.get(SUBGRAPH.outputs));
    const inputs = vectorValues(sg.fields.get(SUBGRAPH.inputs));
    const constant = pickTable(r, tensorsOf(s), hasData(s));
    const choice = r.pick(['input', 'constant', 'duplicate', 'out-of-range', 'empty']);
    const next = choice === 'input' ? [inputs[0] ?? 0] : choice === 'constant' ? [constant?.[1] ?? 0] : choice === 'duplicate' ? [...outputs, ...outputs] : choice === 'out-of-range' ? [tensorsOf(s).length + 3] : [];
    setVector(sg, SUBGRAPH.outputs, next);
    return `graph outputs ${choice}`;
  },
  'graph-input-constant': (s, r) => {
    const sg = sg0(s);
    const input = vectorValues(sg?.fields.get(SUBGRAPH.inputs))[0];
    const tensor = input === undefined ? undefined : tensorsOf(s)[input];
    const donor = pickTable(r, tensorsOf(s), hasData(s));
    if (!tensor || !donor) return undefined;
    tensor.fields.set(TENSOR.buffer, donor[0].fields.get(TENSOR.buffer)!);
    return `graph input ${input} carries the data of tensor ${donor[1]}`;
  },
  'subgraph-count': (s, r) => {
    const v = s.model.fields.get(MODEL.subgraphs);
    if (v?.t !== 'tables' || v.tables.length === 0) return undefined;
    const k = r.pick([0, 1, 2, 4]);
    if (k === 0) v.tables = [];
    else for (let i = 0; i < k; i++) v.tables.push(v.tables[0]);
    return `${v.tables.length} subgraphs`;
  },
  'vector-length': (s, r) => {
    const choice = r.pick(['subgraphs', 'tensors', 'operators', 'buffers', 'operator_codes']);
    const v =
      choice === 'subgraphs' ? s.model.fields.get(MODEL.subgraphs) : choice === 'tensors' ? sg0(s)?.fields.get(SUBGRAPH.tensors) : choice === 'operators' ? sg0(s)?.fields.get(SUBGRAPH.operators) : choice === 'buffers' ? s.model.fields.get(MODEL.buffers) : s.model.fields.get(MODEL.operatorCodes);
    const what = lengthOverride(v, r);
    return what && `${choice} ${what}`;
  },
  'buffer-data-length': (s, r) => {
    const p = pickTable(r, buffersOf(s), (b) => b.fields.get(BUFFER.data) !== undefined);
    if (!p) return undefined;
    const d = p[0].fields.get(BUFFER.data)!;
    if (d.t !== 'vector') return undefined;
    const n = d.bytes.length;
    const m = r.pick([0, 1, n - 1, n + 1, n * 2, Math.floor(n / 2)]);
    const next = new Uint8Array(Math.max(0, m));
    next.set(d.bytes.subarray(0, Math.min(n, m)));
    p[0].fields.set(BUFFER.data, { ...d, bytes: next });
    return `buffer ${p[1]} ${n} -> ${m} bytes`;
  },
  'buffer-external': (s, r) => {
    const p = pickTable(r, buffersOf(s), (b) => {
      const d = b.fields.get(BUFFER.data);
      return d?.t === 'vector' && d.bytes.length > 0;
    });
    if (!p) return undefined;
    const d = p[0].fields.get(BUFFER.data)!;
    if (d.t !== 'vector') return undefined;
    const where = r.pick(['aligned', 'odd', 'offset-2', 'past-end', 'header', 'overlap']);
    const start = s.trailing.length;
    const pad = where === 'odd' ? r.int(1, 3) : 0;
    for (let i = 0; i < pad; i++) s.trailing.push(0);
    for (const byte of d.bytes) s.trailing.push(byte);
    p[0].fields.delete(BUFFER.data);
    const size = d.bytes.length;
    if (where === 'offset-2' || where === 'header') {
      p[0].fields.set(BUFFER.offset, scalar(8, where === 'offset-2' ? 2 : 1));
      p[0].fields.set(BUFFER.size, scalar(8, size));
    } else {
      s.external.push({ buffer: p[0], delta: where === 'past-end' ? start + (1 << 20) : where === 'overlap' ? start + pad - 7 : start + pad, size });
      p[0].fields.set(BUFFER.offset, scalar(8, 1 << 30));
      p[0].fields.set(BUFFER.size, scalar(8, size));
    }
    return `buffer ${p[1]} external (${where})`;
  },
  'buffer-misalign': (s, r) => {
    const p = pickTable(r, buffersOf(s), (b) => b.fields.get(BUFFER.data) !== undefined);
    if (!p) return undefined;
    const d = p[0].fields.get(BUFFER.data)!;
    if (d.t !== 'vector') return undefined;
    d.misalign = r.int(1, 3);
    return `buffer ${p[1]} data misaligned by ${d.misalign}`;
  },
  'buffer-shared': (s, r) => {
    const a = pickTable(r, tensorsOf(s), hasData(s));
    const b = pickTable(r, tensorsOf(s), hasData(s));
    if (!a || !b || a[1] === b[1]) return undefined;
    a[0].fields.set(TENSOR.buffer, b[0].fields.get(TENSOR.buffer)!);
    return `tensors ${a[1]} and ${b[1]} share a buffer`;
  },
  'model-version': (s, r) => {
    const v = r.pick([0, 1, 2, 4, 2 ** 31 - 1]);
    s.model.fields.set(MODEL.version, scalar(4, v));
    return `schema version ${v}`;
  },
  'model-description': (s, r) => {
    s.model.fields.set(MODEL.description, { t: 'string', bytes: utf8(r.pick(HOSTILE_NAMES)) });
    return 'hostile description';
  },
  metadata: (s, r) => {
    const name = r.pick(HOSTILE_NAMES);
    const buffers = buffersOf(s);
    const index = r.next() < 0.5 ? buffers.length : r.pick([buffers.length + 5, -1, 0]);
    if (index === buffers.length) buffers.push({ kind: 'Buffer', fields: new Map<number, FbValue>([[BUFFER.data, { t: 'vector', elemSize: 1, bytes: utf8(r.pick(HOSTILE_NAMES)) }]]) });
    const list = tablesOf(s.model, MODEL.metadata);
    list.push({ kind: 'Metadata', fields: new Map<number, FbValue>([[METADATA.name, { t: 'string', bytes: utf8(name) }], [METADATA.buffer, scalar(4, index)]]) });
    s.model.fields.set(MODEL.metadata, { t: 'tables', tables: list });
    return `metadata (buffer ${index})`;
  },
  'signature-def': (s, r) => {
    const map = (name: Uint8Array | string, index: number): FbTable => ({ kind: 'TensorMap', fields: new Map<number, FbValue>([[0, { t: 'string', bytes: utf8(name) }], [1, scalar(4, index)]]) });
    const def: FbTable = {
      kind: 'SignatureDef',
      fields: new Map<number, FbValue>([
        [0, { t: 'tables', tables: [map(r.pick(HOSTILE_NAMES), r.pick([0, -1, 1 << 30]))] }],
        [2, { t: 'string', bytes: utf8('serving_default') }],
        [4, scalar(4, r.pick([0, 1, 7]))],
      ]),
    };
    s.model.fields.set(MODEL.signatureDefs, { t: 'tables', tables: [def] });
    return 'signature def';
  },
  'operators-empty': (s) => {
    const sg = sg0(s);
    if (!sg) return undefined;
    sg.fields.set(SUBGRAPH.operators, { t: 'tables', tables: [] });
    return 'no operators';
  },
  'subgraph-name': (s, r) => {
    const sg = sg0(s);
    if (!sg) return undefined;
    sg.fields.set(SUBGRAPH.name, { t: 'string', bytes: utf8(r.pick(HOSTILE_NAMES)) });
    return 'hostile subgraph name';
  },
};

export const TFLITE_TREE_MUTATIONS: readonly string[] = Object.keys(MUTATIONS);

/** Apply mutation `kind`; returns what it did, or undefined when the model has nothing it applies to. */
export function applyTreeMutation(kind: string, state: TfliteMutantState, r: SeededRandom): string | undefined {
  return MUTATIONS[kind](state, r);
}
