import { foldTransposes, Graph, NCHW_TO_NHWC, NHWC_TO_NCHW, shapeToString, validateGraph } from '@tinyforge/ir';
import { onnx } from '@tinyforge/onnx-proto';
import { LIMITS, ModelFormatError, UnsupportedCollector } from '../errors';
import { graphProblemsError } from '../graph-problems';
import { outsideFile } from '../tflite/flatbuffer-reader';
import { Attributes } from './attributes';
import { ImportContext } from './import-context';
import { foldConstantNode } from './import-constants';
import { ONNX_IMPORTERS } from './import-ops';
import { inputLayout, LayoutFinding, outputLayout } from './io-layout';
import { checkDims, decodeTensor, dtypeFromOnnx, toInt, valueInfoShape } from './proto-values';
import { topologicalOrder } from './topological-order';

/**
 * Default-domain opsets the reader accepts. 11–21 is the target; 6–10 differ only in forms we also read (attribute
 * axes/pads/min/max, opset 6's broadcast/axis on arithmetic, BatchNormalization's spatial).
 */
export const ONNX_MIN_OPSET = 6;
export const ONNX_MAX_OPSET = 21;

export interface ReadOnnxOptions {
  /** File name for error messages. */
  file?: string;
}

/**
 * Read an ONNX model into the IR, converting NCHW to NHWC (see layout.ts and import-shape.ts for the rules). For any
 * bytes the result is a valid graph or a ModelFormatError.
 */
export function readOnnx(bytes: Uint8Array, options: ReadOnnxOptions = {}): Graph {
  try {
    return importModel(decodeModel(bytes, options.file), options.file);
  } catch (e) {
    if (e instanceof ModelFormatError) throw e;
    throw new ModelFormatError('FORMAT_MALFORMED', `cannot read ONNX model: ${e instanceof Error ? e.message : String(e)}`, { file: options.file });
  }
}

function decodeModel(bytes: Uint8Array, file: string | undefined): onnx.ModelProto {
  try {
    return onnx.ModelProto.decode(bytes);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    // protobufjs reports "index out of range: <pos> + <len> > <size>"; keep the position.
    const cut = fieldPastEnd(bytes);
    if (cut !== undefined) throw new ModelFormatError('FORMAT_BOUNDS', outsideFile(`field ${cut.field}`, cut.start, cut.end - cut.start, bytes.length), { file, offset: cut.start });
    throw new ModelFormatError('FORMAT_MALFORMED', `not a valid ONNX protobuf (${message})`, { file });
  }
}

/**
 * The first top-level field of a protobuf message that runs past the end of the bytes (a truncated file), found by
 * walking the wire format (protobufjs's nested decoders only say "index out of range").
 */
function fieldPastEnd(bytes: Uint8Array): { field: number; start: number; end: number } | undefined {
  let pos = 0;
  const varint = (): number | undefined => {
    let v = 0;
    for (let shift = 0; shift < 64; shift += 7) {
      if (pos >= bytes.length) return undefined;
      const b = bytes[pos++];
      v += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return v;
    }
    return undefined;
  };
  while (pos < bytes.length) {
    const start = pos;
    const key = varint();
    if (key === undefined) return { field: 0, start, end: bytes.length + 1 };
    const field = Math.floor(key / 8);
    const wire = key % 8;
    let end: number;
    if (wire === 0) {
      if (varint() === undefined) return { field, start, end: bytes.length + 1 };
      continue;
    } else if (wire === 1) end = pos + 8;
    else if (wire === 5) end = pos + 4;
    else if (wire === 2) {
      const len = varint();
      if (len === undefined) return { field, start, end: bytes.length + 1 };
      end = pos + len;
    } else return undefined;
    if (end > bytes.length) return { field, start, end };
    pos = end;
  }
  return undefined;
}

function defaultOpset(model: onnx.ModelProto, file: string | undefined): number {
  const entry = model.opsetImport.find((o) => !o.domain || o.domain === 'ai.onnx');
  if (entry === undefined) throw new ModelFormatError('FORMAT_MALFORMED', 'the model imports no default-domain (ai.onnx) opset', { file });
  const opset = toInt(entry.version);
  if (opset < ONNX_MIN_OPSET || opset > ONNX_MAX_OPSET) {
    throw new ModelFormatError('FORMAT_UNSUPPORTED', `opset ${opset} is not supported (${ONNX_MIN_OPSET}–${ONNX_MAX_OPSET})`, { file });
  }
  return opset;
}

function importModel(model: onnx.ModelProto, file: string | undefined): Graph {
  // Decoded messages are class instances: repeated fields are arrays and scalars have their defaults.
  const g = model.graph as onnx.GraphProto | null;
  if (!g) throw new ModelFormatError('FORMAT_MALFORMED', 'the model has no graph', { file });
  const ctx = new ImportContext(defaultOpset(model, file), file);
  if (g.node.length > LIMITS.maxNodes) throw new ModelFormatError('FORMAT_LIMIT', `${g.node.length} nodes, above the limit ${LIMITS.maxNodes}`, { file });
  if (g.initializer.length + g.input.length > LIMITS.maxTensors) throw new ModelFormatError('FORMAT_LIMIT', `too many tensors (limit ${LIMITS.maxTensors})`, { file });
  if (g.sparseInitializer.length > 0) throw new ModelFormatError('FORMAT_UNSUPPORTED', 'sparse initializers are not supported', { file });

  let edges = 0;
  for (const node of g.node as onnx.NodeProto[]) {
    if (node.input.length > LIMITS.maxNodeInputs) throw new ModelFormatError('FORMAT_LIMIT', `node '${node.name}' has ${node.input.length} inputs, above the limit ${LIMITS.maxNodeInputs}`, { file });
    edges += node.input.length;
    if (edges > LIMITS.maxEdges) throw new ModelFormatError('FORMAT_LIMIT', `more than ${LIMITS.maxEdges} node inputs in all`, { file });
  }
  checkOperators(g.node as onnx.NodeProto[], ctx.opset, file);
  const nodes = topologicalOrder(g.node as onnx.NodeProto[], file);
  // Each node once per name it reads (a name read k times by one node is one entry): linear in the edges.
  for (const node of nodes) {
    for (const name of new Set(node.input)) {
      if (name === '') continue;
      const list = ctx.readers.get(name);
      if (list === undefined) ctx.readers.set(name, [node]);
      else list.push(node);
    }
  }

  for (const init of g.initializer as onnx.TensorProto[]) ctx.constants.set(init.name, decodeTensor(init, { file }));
  for (const v of g.input as onnx.ValueInfoProto[]) if (!ctx.constants.has(v.name)) addGraphInput(ctx, v);
  for (const o of g.output as onnx.ValueInfoProto[]) ctx.graphOutputs.add(o.name);
  nodes.forEach((node, i) => {
    ctx.begin(node, i);
    const importer = ONNX_IMPORTERS[node.opType]!;
    let folded = false;
    try {
      const attributes = new Attributes(node, (m) => ctx.error('FORMAT_MALFORMED', m));
      folded = foldConstantNode(ctx, attributes);
      if (!folded) importer(ctx, attributes);
    } catch (e) {
      throw ctx.wrap(e);
    }
    // An input the importer never looked at is more than the operator takes (a Relu with extra inputs); a node
    // folded into a constant at import read its inputs as constants.
    if (folded) return;
    const extra = node.input.findIndex((name, k) => k > ctx.highestInputRead && name !== '');
    if (extra >= 0) throw ctx.error('FORMAT_MALFORMED', `has ${node.input.length} inputs; input ${extra} '${node.input[extra].slice(0, 60)}' is more than it takes`);
  });
  ctx.begin({}, -1);
  ctx.nodeName = '';

  const producers = new Map(nodes.flatMap((n) => n.output.map((o) => [o, n] as const)));
  for (const o of g.output as onnx.ValueInfoProto[]) {
    const known = ctx.values.get(o.name);
    if (known !== undefined) ctx.graph.outputs.push(graphOutput(ctx, o.name, known, producers));
    else if (ctx.constants.has(o.name)) throw new ModelFormatError('FORMAT_UNSUPPORTED', `graph output '${o.name}' is a constant`, { file });
    else throw new ModelFormatError('FORMAT_MALFORMED', `graph output '${o.name}' is never produced`, { file });
  }
  const graph = foldTransposes(ctx.graph);
  graph.name = g.name || 'onnx';
  graph.metadata.producer = [model.producerName, model.producerVersion].filter((s) => s).join(' ') || undefined;
  if (graph.metadata.producer === undefined) delete graph.metadata.producer;
  for (const p of model.metadataProps as onnx.StringStringEntryProto[]) graph.metadata.props[p.key] = p.value;
  graph.metadata.props['onnx.opset'] = String(ctx.opset);
  graph.metadata.props['onnx.ir_version'] = String(toInt(model.irVersion));
  checkResult(graph, file);
  return graph;
}

/** Every operator the importer lacks, named at once (with the nodes using it) before anything is converted. */
function checkOperators(nodes: readonly onnx.NodeProto[], opset: number, file: string | undefined): void {
  const missing = new UnsupportedCollector();
  nodes.forEach((node, i) => {
    const nodeName = node.name || `${node.opType}_${i}`;
    const where = `node '${nodeName}'`;
    if (node.domain && node.domain !== 'ai.onnx') missing.add('operator', `${node.domain}.${node.opType} (only the default ONNX domain is supported)`, where, { node: nodeName });
    else if (ONNX_IMPORTERS[node.opType] === undefined) missing.add('operator', `${node.opType} (opset ${opset})`, where, { node: nodeName });
  });
  missing.throwIfAny({ file });
}

function addGraphInput(ctx: ImportContext, v: onnx.IValueInfoProto): void {
  const name = v.name ?? '';
  const where = { file: ctx.file };
  const info = valueInfoShape(v);
  if (info === undefined || info.dims === undefined) throw new ModelFormatError('FORMAT_UNSUPPORTED', `graph input '${name}' has no tensor type or no known rank`, where);
  const symbolic: string[] = [];
  const dims = info.dims.map((d, i) => {
    if (d !== undefined) return d;
    if (i !== 0) throw new ModelFormatError('FORMAT_UNSUPPORTED', `graph input '${name}' has a symbolic dimension ${i} (only the batch dimension may be symbolic)`, where);
    symbolic.push(`${name}[0]`);
    return 1;
  });
  checkDims(dims, where, `graph input '${name}'`);
  if (dims.some((d) => d === 0)) throw new ModelFormatError('FORMAT_UNSUPPORTED', `graph input '${name}' has shape [${dims.join(', ')}]: tensors without elements are not supported`, where);
  if (symbolic.length > 0) {
    const prev = ctx.graph.metadata.props['onnx.symbolic_batch_set_to_1'];
    ctx.graph.metadata.props['onnx.symbolic_batch_set_to_1'] = prev ? `${prev},${symbolic.join(',')}` : symbolic.join(',');
  }
  // The input keeps its declared shape; a 4-D one is converted to the IR's NHWC by an explicit Transpose.
  const index = ctx.addTensor(name, dims, dtypeFromOnnx(info.elemType, where, `graph input '${name}'`));
  ctx.graph.inputs.push(index);
  if (dims.length !== 4) {
    ctx.bind(name, index);
    return;
  }
  const found = inputLayout(name, ctx.readers);
  declareLayout(ctx, index, found, 'graph input');
  ctx.bind(name, ctx.boundaryTranspose(index, NCHW_TO_NHWC, `${name}/nhwc`, `${name}/to_nhwc`));
}

/** A graph output in its declared shape: a 4-D one converted back from the IR's NHWC by an explicit Transpose. */
function graphOutput(ctx: ImportContext, name: string, value: number, producers: ReadonlyMap<string, onnx.NodeProto>): number {
  if (ctx.irShape(value).length !== 4) return value;
  ctx.graph.tensors[value].name = ctx.tensorName(`${name}/nhwc`);
  const out = ctx.boundaryTranspose(value, NHWC_TO_NCHW, name, `${name}/to_declared`);
  ctx.graph.tensors[out].name = name;
  declareLayout(ctx, out, outputLayout(name, producers), 'graph output');
  return out;
}

/** Record a 4-D graph input's or output's layout on its tensor, and say so when it had to be assumed. */
function declareLayout(ctx: ImportContext, index: number, found: LayoutFinding, role: string): void {
  const t = ctx.graph.tensors[index];
  t.layout = found.layout;
  if (found.evidence !== undefined) return;
  const warnings = (ctx.graph.metadata.warnings ??= []);
  warnings.push(`${role} '${t.name}' ${shapeToString(t.shape)}: no operator next to it tells its layout; assumed ${found.layout} (ONNX's convention): raw data and image calibration data are read as ${found.layout}`);
}

/** validateGraph on the result: types the IR cannot run are unsupported, anything else is a malformed file. */
function checkResult(graph: Graph, file: string | undefined): void {
  const problems = validateGraph(graph);
  if (problems.length > 0) throw graphProblemsError(problems, file);
}
