/**
 * Structure-aware mutations of an ONNX model (its decoded protobuf): dims, data types, raw data lengths, external
 * data, node inputs and outputs (unknown, repeated, cycles, two producers), operator types and domains,
 * attributes (missing, wrong type, extreme values, duplicated), opsets, graph inputs and outputs, initializers,
 * node order, hostile names, long chains and repeated input names.
 */
import { SeededRandom } from '@tinyforge/ir';
import { onnx } from '@tinyforge/onnx-proto';
import { FUZZ_CHAIN_MAX } from './graph-mutations';
import { HOSTILE_NAMES } from './hostile-names';

type OnnxMutation = (m: onnx.ModelProto, r: SeededRandom) => string | undefined;

const DIMS = [0, -1, -5, 1, 2, 3, 65536, 2 ** 31 - 1, 2 ** 40, 16384];
const INTS = [0, -1, 1, 2, 3, 7, -(2 ** 31), 2 ** 31 - 1, 2 ** 40, 1 << 20];

const text = (name: string | Uint8Array): string => (typeof name === 'string' ? name : new TextDecoder().decode(name));
const graphOf = (m: onnx.ModelProto): onnx.GraphProto | undefined => (m.graph ?? undefined) as onnx.GraphProto | undefined;
const nodesOf = (m: onnx.ModelProto): onnx.NodeProto[] => (graphOf(m)?.node ?? []) as onnx.NodeProto[];
const initializersOf = (m: onnx.ModelProto): onnx.TensorProto[] => (graphOf(m)?.initializer ?? []) as onnx.TensorProto[];
const allNames = (m: onnx.ModelProto): string[] => [
  ...((graphOf(m)?.input ?? []) as onnx.ValueInfoProto[]).map((v) => v.name),
  ...initializersOf(m).map((t) => t.name),
  ...nodesOf(m).flatMap((n) => n.output),
];

function valueInfoDims(v: onnx.ValueInfoProto | undefined): onnx.TensorShapeProto.Dimension[] {
  return ((v?.type?.tensorType?.shape?.dim ?? []) as onnx.TensorShapeProto.Dimension[]);
}

function attr(name: string, fields: Partial<onnx.AttributeProto>): onnx.AttributeProto {
  return onnx.AttributeProto.create({ name, ...fields } as onnx.AttributeProto.$Shape);
}

const MUTATIONS: Record<string, OnnxMutation> = {
  'onnx-initializer-dims': (m, r) => {
    const list = initializersOf(m).filter((t) => t.dims.length > 0);
    if (list.length === 0) return undefined;
    const t = r.pick(list);
    const i = r.int(0, t.dims.length - 1);
    t.dims[i] = r.pick(DIMS);
    return `initializer '${t.name}' dim ${i} = ${String(t.dims[i])}`;
  },
  'onnx-initializer-rank': (m, r) => {
    const t = r.pick(initializersOf(m));
    if (!t) return undefined;
    if (r.next() < 0.5 && t.dims.length > 0) t.dims.pop();
    else for (let k = r.int(1, 8); k > 0; k--) t.dims.push(1);
    return `initializer '${t.name}' rank ${t.dims.length}`;
  },
  'onnx-initializer-type': (m, r) => {
    const t = r.pick(initializersOf(m));
    if (!t) return undefined;
    t.dataType = r.int(0, 24);
    return `initializer '${t.name}' data type ${t.dataType}`;
  },
  'onnx-raw-data-length': (m, r) => {
    const list = initializersOf(m).filter((t) => t.rawData.length > 0);
    if (list.length === 0) return undefined;
    const t = r.pick(list);
    const n = t.rawData.length;
    const k = r.pick([0, 1, n - 1, n + 1, Math.floor(n / 2), n * 2]);
    const next = new Uint8Array(Math.max(0, k));
    next.set(t.rawData.subarray(0, Math.min(n, k)));
    t.rawData = next;
    return `initializer '${t.name}' raw data ${n} -> ${k} bytes`;
  },
  'onnx-typed-data': (m, r) => {
    const t = r.pick(initializersOf(m));
    if (!t) return undefined;
    const choice = r.pick(['float-and-raw', 'int64', 'int32', 'double', 'string']);
    if (choice === 'float-and-raw') t.floatData = [1, 2, 3];
    else if (choice === 'int64') t.int64Data = [1, -1, 2 ** 40];
    else if (choice === 'int32') t.int32Data = [7];
    else if (choice === 'double') t.doubleData = [0.5];
    else t.stringData = [new Uint8Array([65])];
    return `initializer '${t.name}' also has ${choice} data`;
  },
  'onnx-external-data': (m, r) => {
    const t = r.pick(initializersOf(m));
    if (!t) return undefined;
    t.dataLocation = 1;
    t.externalData = [onnx.StringStringEntryProto.create({ key: 'location', value: r.pick(['weights.bin', '../../etc/passwd', '/dev/zero']) })];
    if (r.next() < 0.5) t.rawData = new Uint8Array(0);
    return `initializer '${t.name}' external`;
  },
  'onnx-segment': (m, r) => {
    const t = r.pick(initializersOf(m));
    if (!t) return undefined;
    t.segment = onnx.TensorProto.Segment.create({ begin: 0, end: r.pick([1, 2 ** 40]) });
    return `initializer '${t.name}' segment`;
  },
  'onnx-sparse-initializer': (m) => {
    const g = graphOf(m);
    if (!g) return undefined;
    g.sparseInitializer = [onnx.SparseTensorProto.create({ dims: [4] })];
    return 'sparse initializer';
  },
  'onnx-input-dims': (m, r) => {
    const g = graphOf(m);
    const v = (g?.input ?? [])[0] as onnx.ValueInfoProto | undefined;
    const dims = valueInfoDims(v);
    if (dims.length === 0) return undefined;
    const d = r.pick(dims);
    if (r.next() < 0.2) {
      d.dimParam = 'N';
      d.dimValue = 0;
    } else d.dimValue = r.pick(DIMS);
    return `input '${v!.name}' dim ${String(d.dimValue)} ${d.dimParam}`;
  },
  'onnx-input-type': (m, r) => {
    const v = ((graphOf(m)?.input ?? []) as onnx.ValueInfoProto[])[0];
    if (!v?.type?.tensorType) return undefined;
    v.type.tensorType.elemType = r.int(0, 24);
    return `input '${v.name}' element type ${v.type.tensorType.elemType}`;
  },
  'onnx-node-input-unknown': (m, r) => {
    const n = r.pick(nodesOf(m).filter((x) => x.input.length > 0));
    if (!n) return undefined;
    const i = r.int(0, n.input.length - 1);
    n.input[i] = r.pick(['does_not_exist', '', text(r.pick(HOSTILE_NAMES))]);
    return `node '${n.name}' input ${i} = ${JSON.stringify(n.input[i].slice(0, 20))}`;
  },
  'onnx-node-input-repeat': (m, r) => {
    const n = r.pick(nodesOf(m).filter((x) => x.input.length > 0));
    if (!n) return undefined;
    const k = r.pick([1, 2, 10, 1000, 5000, 20000, 100000]);
    for (let i = 0; i < k; i++) n.input.push(n.input[0]);
    return `node '${n.name}' input 0 repeated ${k} more times`;
  },
  'onnx-node-input-drop': (m, r) => {
    const n = r.pick(nodesOf(m).filter((x) => x.input.length > 0));
    if (!n) return undefined;
    n.input.splice(r.int(0, n.input.length - 1), 1);
    return `node '${n.name}' has ${n.input.length} inputs`;
  },
  'onnx-node-output': (m, r) => {
    const nodes = nodesOf(m);
    const n = r.pick(nodes.filter((x) => x.output.length > 0));
    if (!n) return undefined;
    const names = allNames(m);
    const choice = r.pick(['another-producer', 'graph-input', 'initializer', 'empty', 'extra']);
    if (choice === 'extra') n.output.push(`${n.output[0]}_extra`);
    else n.output[0] = choice === 'empty' ? '' : choice === 'graph-input' ? names[0] : choice === 'initializer' ? (initializersOf(m)[0]?.name ?? names[0]) : r.pick(nodes).output[0];
    return `node '${n.name}' output ${choice}`;
  },
  'onnx-cycle': (m, r) => {
    const nodes = nodesOf(m);
    if (nodes.length < 2) return undefined;
    const i = r.int(0, nodes.length - 2);
    const j = r.int(i + 1, nodes.length - 1);
    if (nodes[i].input.length === 0 || nodes[j].output.length === 0) return undefined;
    nodes[i].input[0] = nodes[j].output[0];
    return `node ${i} reads the output of node ${j}`;
  },
  'onnx-op-type': (m, r) => {
    const n = r.pick(nodesOf(m));
    if (!n) return undefined;
    n.opType = r.pick(['Conv', 'Relu', 'Gemm', 'MatMul', 'Add', 'Reshape', 'Flatten', 'MaxPool', 'AveragePool', 'Softmax', 'Pad', 'Concat', 'Transpose', 'Loop', 'If', 'Scan', 'NotAnOp', '', text(r.pick(HOSTILE_NAMES))]);
    return `node '${n.name}' op ${JSON.stringify(n.opType.slice(0, 20))}`;
  },
  'onnx-domain': (m, r) => {
    const n = r.pick(nodesOf(m));
    if (!n) return undefined;
    n.domain = r.pick(['com.microsoft', 'ai.onnx.ml', 'custom', text(r.pick(HOSTILE_NAMES))]);
    return `node '${n.name}' domain`;
  },
  'onnx-attribute-drop': (m, r) => {
    const n = r.pick(nodesOf(m).filter((x) => x.attribute.length > 0));
    if (!n) return undefined;
    const a = n.attribute.splice(r.int(0, n.attribute.length - 1), 1)[0];
    return `node '${n.name}' without attribute ${a.name}`;
  },
  'onnx-attribute-type': (m, r) => {
    const n = r.pick(nodesOf(m).filter((x) => x.attribute.length > 0));
    if (!n) return undefined;
    const a = r.pick(n.attribute as onnx.AttributeProto[]);
    a.type = r.int(0, 14);
    return `node '${n.name}' attribute ${a.name} type ${a.type}`;
  },
  'onnx-attribute-value': (m, r) => {
    const n = r.pick(nodesOf(m).filter((x) => x.attribute.length > 0));
    if (!n) return undefined;
    const a = r.pick(n.attribute as onnx.AttributeProto[]);
    if (a.ints.length > 0) a.ints = a.ints.map(() => r.pick(INTS));
    else if (a.floats.length > 0) a.floats = a.floats.map(() => r.pick([NaN, Infinity, -1, 0, 1e38]));
    else if (a.type === onnx.AttributeProto.AttributeType.FLOAT) a.f = r.pick([NaN, Infinity, -1, 0, 1e38]);
    else if (a.type === onnx.AttributeProto.AttributeType.STRING) a.s = new TextEncoder().encode(r.pick(['SAME_UPPER', 'SAME_LOWER', 'VALID', 'NOTSET', 'bogus']));
    else a.i = r.pick(INTS);
    return `node '${n.name}' attribute ${a.name} changed`;
  },
  'onnx-attribute-length': (m, r) => {
    const n = r.pick(nodesOf(m).filter((x) => (x.attribute as onnx.AttributeProto[]).some((a) => a.ints.length > 0)));
    if (!n) return undefined;
    const a = r.pick((n.attribute as onnx.AttributeProto[]).filter((x) => x.ints.length > 0));
    if (r.next() < 0.5) a.ints.pop();
    else a.ints.push(...a.ints);
    return `node '${n.name}' attribute ${a.name} has ${a.ints.length} values`;
  },
  'onnx-attribute-duplicate': (m, r) => {
    const n = r.pick(nodesOf(m).filter((x) => x.attribute.length > 0));
    if (!n) return undefined;
    const a = r.pick(n.attribute as onnx.AttributeProto[]);
    n.attribute.push(attr(a.name, { type: onnx.AttributeProto.AttributeType.INT, i: 3 }));
    return `node '${n.name}' attribute ${a.name} twice`;
  },
  'onnx-attribute-add': (m, r) => {
    const n = r.pick(nodesOf(m));
    if (!n) return undefined;
    const name = r.pick(['group', 'dilations', 'strides', 'pads', 'axis', 'auto_pad', 'ceil_mode', 'transA', 'perm', 'allowzero', text(r.pick(HOSTILE_NAMES))]);
    n.attribute.push(attr(name, r.next() < 0.5 ? { type: onnx.AttributeProto.AttributeType.INT, i: r.pick(INTS) } : { type: onnx.AttributeProto.AttributeType.INTS, ints: [r.pick(INTS), r.pick(INTS)] }));
    return `node '${n.name}' attribute ${name.slice(0, 20)} added`;
  },
  'onnx-opset': (m, r) => {
    const entry = (m.opsetImport as onnx.OperatorSetIdProto[])[0];
    const v = r.pick([0, 1, 6, 7, 10, 13, 21, 22, 99, -1]);
    if (entry) entry.version = v;
    else m.opsetImport = [onnx.OperatorSetIdProto.create({ domain: '', version: v })];
    if (r.next() < 0.2) m.opsetImport = [];
    return `opset ${v}`;
  },
  'onnx-ir-version': (m, r) => {
    m.irVersion = r.pick([0, 1, 3, 11, 99, -1]);
    return `ir_version ${String(m.irVersion)}`;
  },
  'onnx-graph-input': (m, r) => {
    const g = graphOf(m);
    if (!g || g.input.length === 0) return undefined;
    const choice = r.pick(['duplicate', 'drop', 'shadow-initializer', 'no-type']);
    const first = g.input[0] as onnx.ValueInfoProto;
    if (choice === 'duplicate') g.input.push(first);
    else if (choice === 'drop') g.input.splice(0, 1);
    else if (choice === 'shadow-initializer') {
      const t = r.pick(initializersOf(m));
      if (!t) return undefined;
      g.input.push(onnx.ValueInfoProto.create({ name: t.name, type: first.type }));
    } else first.type = null;
    return `graph input ${choice}`;
  },
  'onnx-graph-output': (m, r) => {
    const g = graphOf(m);
    if (!g || g.output.length === 0) return undefined;
    const choice = r.pick(['input', 'initializer', 'unknown', 'duplicate', 'empty']);
    const o = g.output[0] as onnx.ValueInfoProto;
    if (choice === 'duplicate') g.output.push(o);
    else if (choice === 'empty') g.output = [];
    else o.name = choice === 'input' ? ((g.input[0] as onnx.ValueInfoProto | undefined)?.name ?? '') : choice === 'initializer' ? (initializersOf(m)[0]?.name ?? '') : 'nowhere';
    return `graph output ${choice}`;
  },
  'onnx-initializer-duplicate': (m, r) => {
    const g = graphOf(m);
    const t = r.pick(initializersOf(m));
    if (!g || !t) return undefined;
    g.initializer.push(onnx.TensorProto.create({ ...t, dims: [1], rawData: new Uint8Array(4), dataType: 1 } as onnx.TensorProto.$Shape));
    return `initializer '${t.name}' twice`;
  },
  'onnx-node-order': (m, r) => {
    const nodes = nodesOf(m);
    if (nodes.length < 2) return undefined;
    const i = r.int(0, nodes.length - 2);
    const j = r.int(i + 1, nodes.length - 1);
    [nodes[i], nodes[j]] = [nodes[j], nodes[i]];
    return `nodes ${i} <-> ${j}`;
  },
  'onnx-node-delete': (m, r) => {
    const nodes = nodesOf(m);
    if (nodes.length === 0) return undefined;
    const i = r.int(0, nodes.length - 1);
    nodes.splice(i, 1);
    return `node ${i} deleted`;
  },
  'onnx-node-duplicate': (m, r) => {
    const nodes = nodesOf(m);
    const n = r.pick(nodes);
    if (!n) return undefined;
    nodes.push(onnx.NodeProto.create({ ...n, name: `${n.name}_copy` } as onnx.NodeProto.$Shape));
    return `node '${n.name}' twice`;
  },
  'onnx-hostile-name': (m, r) => {
    const name = text(r.pick(HOSTILE_NAMES));
    const choice = r.pick(['node', 'graph', 'tensor', 'doc', 'producer', 'metadata']);
    const g = graphOf(m);
    const n = r.pick(nodesOf(m));
    if (choice === 'node' && n) n.name = name;
    else if (choice === 'graph' && g) g.name = name;
    else if (choice === 'tensor' && n && n.output.length > 0) {
      const old = n.output[0];
      for (const other of nodesOf(m)) other.input = other.input.map((x) => (x === old ? name : x));
      for (const o of (g?.output ?? []) as onnx.ValueInfoProto[]) if (o.name === old) o.name = name;
      n.output[0] = name;
    } else if (choice === 'doc' && g) g.docString = name;
    else if (choice === 'producer') m.producerName = name;
    else m.metadataProps = [onnx.StringStringEntryProto.create({ key: name, value: name })];
    return `hostile ${choice} name`;
  },
  'onnx-chain': (m, r) => {
    const g = graphOf(m);
    const out = g?.output[0] as onnx.ValueInfoProto | undefined;
    if (!g || !out) return undefined;
    // Up to a length the whole pipeline (quantize, codegen, gcc, both engines) takes within a fuzz case's bound;
    // chains to 100k operators are the scale benchmark's (`npm run bench -- scale`).
    const length = Math.round(Math.exp(r.uniform(Math.log(10), Math.log(FUZZ_CHAIN_MAX))));
    let x = out.name;
    for (let i = 0; i < length; i++) {
      const y = `chain_${i}`;
      g.node.push(onnx.NodeProto.create({ name: y, opType: r.next() < 0.5 ? 'Relu' : 'Identity', input: [x], output: [y] } as onnx.NodeProto.$Shape));
      x = y;
    }
    out.name = x;
    return `chain of ${length} appended`;
  },
  'onnx-wide': (m, r) => {
    const g = graphOf(m);
    const out = g?.output[0] as onnx.ValueInfoProto | undefined;
    if (!g || !out) return undefined;
    const branches = r.pick([16, 100, 400]);
    const names: string[] = [];
    for (let i = 0; i < branches; i++) {
      names.push(`branch_${i}`);
      g.node.push(onnx.NodeProto.create({ name: `branch_${i}`, opType: 'Relu', input: [out.name], output: [`branch_${i}`] } as onnx.NodeProto.$Shape));
    }
    g.node.push(onnx.NodeProto.create({ name: 'joined', opType: 'Concat', input: names, output: ['joined'], attribute: [attr('axis', { type: onnx.AttributeProto.AttributeType.INT, i: 1 })] } as onnx.NodeProto.$Shape));
    out.name = 'joined';
    return `${branches} branches appended`;
  },
  'onnx-value-info': (m, r) => {
    const g = graphOf(m);
    const n = r.pick(nodesOf(m).filter((x) => x.output.length > 0));
    if (!g || !n) return undefined;
    g.valueInfo.push(onnx.ValueInfoProto.create({ name: n.output[0], type: onnx.TypeProto.create({ tensorType: onnx.TypeProto.Tensor.create({ elemType: r.int(0, 16), shape: onnx.TensorShapeProto.create({ dim: [onnx.TensorShapeProto.Dimension.create({ dimValue: r.pick(DIMS) })] }) }) }) }));
    return `value_info for '${n.output[0]}'`;
  },
  'onnx-no-graph': (m) => {
    m.graph = null;
    return 'no graph';
  },
};

export const ONNX_PROTO_MUTATIONS: readonly string[] = Object.keys(MUTATIONS);

/** Apply mutation `kind` to a decoded model (in place); returns what it did, or undefined when it does not apply. */
export function applyOnnxMutation(kind: string, model: onnx.ModelProto, r: SeededRandom): string | undefined {
  return MUTATIONS[kind](model, r);
}
