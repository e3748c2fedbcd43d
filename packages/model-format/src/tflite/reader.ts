import { constantInts, DType, dtypeBytes, Graph, Node, Quantization, Tensor, validateGraph } from '@tinyforge/ir';
import { LIMITS, ModelFormatError, UnsupportedCollector } from '../errors';
import { graphProblemsError } from '../graph-problems';
import { applyIoLayouts } from './io-layouts';
import { FlatBufferReader, Table } from './flatbuffer-reader';
import { makeNode, opReader, OperatorContext } from './read-ops';
import {
  BUFFER,
  BUILTIN,
  builtinName,
  METADATA,
  MODEL,
  OPERATOR,
  OPERATOR_CODE,
  optionsTypeName,
  QUANTIZATION,
  SUBGRAPH,
  TENSOR,
  TENSOR_TYPE,
  TENSOR_TYPE_OF,
  tensorTypeName,
  TFLITE_IDENTIFIER,
  TFLITE_SCHEMA_VERSION,
} from './schema';

export interface ReadTfliteOptions {
  /** File name used in error messages. */
  file?: string;
}

const DTYPE_OF: Record<number, DType> = Object.fromEntries(Object.entries(TENSOR_TYPE_OF).map(([dtype, code]) => [code, dtype as DType]));

interface OperatorCode {
  builtin: number;
  custom?: string;
}

/**
 * Read a single-subgraph TFLite flatbuffer into the IR. Any bytes give either a graph that passes `validateGraph`
 * or a ModelFormatError (FORMAT_UNKNOWN, FORMAT_BOUNDS, FORMAT_MALFORMED, FORMAT_UNSUPPORTED, FORMAT_LIMIT).
 */
export function readTflite(bytes: Uint8Array, options: ReadTfliteOptions = {}): Graph {
  return new TfliteReader(bytes, options.file).read();
}

class TfliteReader {
  private readonly r: FlatBufferReader;
  private buffers: Table[] = [];
  private readonly unsupported = new UnsupportedCollector();
  /** Tensors without elements, refused once an operator or the graph is seen to use one. */
  private readonly emptyTensors = new Map<number, { label: string; shape: number[]; offset: number }>();

  constructor(
    private readonly bytes: Uint8Array,
    private readonly file?: string,
  ) {
    this.r = new FlatBufferReader(bytes, file);
  }

  private error(code: 'FORMAT_MALFORMED' | 'FORMAT_UNSUPPORTED' | 'FORMAT_LIMIT', message: string, offset: number): never {
    throw new ModelFormatError(code, message, { file: this.file, offset });
  }

  read(): Graph {
    const id = this.bytes.length >= 8 ? String.fromCharCode(...this.bytes.subarray(4, 8)) : '';
    if (id !== TFLITE_IDENTIFIER) {
      throw new ModelFormatError('FORMAT_UNKNOWN', `not a TFLite file (identifier ${JSON.stringify(id)}, expected "TFL3")`, {
        file: this.file,
        offset: 4,
      });
    }
    const model = this.r.root();
    const version = model.uint32(MODEL.version, 0);
    if (version !== TFLITE_SCHEMA_VERSION) this.error('FORMAT_UNSUPPORTED', `schema version ${version} (expected 3)`, model.pos);
    this.buffers = model.tables(MODEL.buffers, 'buffers') ?? [];
    const codes = (model.tables(MODEL.operatorCodes, 'operator_codes') ?? []).map((t) => this.operatorCode(t));
    const subgraphs = model.tables(MODEL.subgraphs, 'subgraphs') ?? [];
    if (subgraphs.length === 0) this.error('FORMAT_MALFORMED', 'model has no subgraph', model.pos);
    // Further subgraphs are the bodies of control flow (WHILE, IF, CALL_ONCE), which is not supported: refuse
    // rather than silently run only the first.
    if (subgraphs.length > 1) this.error('FORMAT_UNSUPPORTED', `the model has ${subgraphs.length} subgraphs; tinyforge reads single-subgraph models (control flow is not supported)`, model.pos);
    const sg = subgraphs[0];

    const tensorTables = sg.tables(SUBGRAPH.tensors, 'tensors') ?? [];
    if (tensorTables.length > LIMITS.maxTensors) this.error('FORMAT_LIMIT', `${tensorTables.length} tensors exceed the limit`, sg.pos);
    const tensors = tensorTables.map((t, i) => this.tensor(t, i));
    const ref = (list: number[], what: string, allowOmitted: boolean, offset: number): number[] => {
      for (const t of list) {
        if (!Number.isInteger(t) || t >= tensors.length || t < (allowOmitted ? -1 : 0)) {
          this.error('FORMAT_MALFORMED', `${what} refers to tensor ${t}, but there are ${tensors.length}`, offset);
        }
      }
      return list;
    };

    const opTables = sg.tables(SUBGRAPH.operators, 'operators') ?? [];
    if (opTables.length > LIMITS.maxNodes) this.error('FORMAT_LIMIT', `${opTables.length} operators exceed the limit`, sg.pos);
    const names = new NameAllocator();
    let edges = 0;
    const nodes: Node[] = [];
    opTables.forEach((op, i) => {
      const inputs = ref(op.int32s(OPERATOR.inputs, 'operator inputs') ?? [], `operator ${i} input`, true, op.pos);
      if (inputs.length > LIMITS.maxNodeInputs) this.error('FORMAT_LIMIT', `operator ${i} has ${inputs.length} inputs, above the limit ${LIMITS.maxNodeInputs}`, op.pos);
      edges += inputs.length;
      if (edges > LIMITS.maxEdges) this.error('FORMAT_LIMIT', `more than ${LIMITS.maxEdges} operator inputs in all`, op.pos);
      const outputs = ref(op.int32s(OPERATOR.outputs, 'operator outputs') ?? [], `operator ${i} output`, false, op.pos);
      const name = names.allocate(outputs.length > 0 ? tensors[outputs[0]].name : '', `op_${i}`);
      const node = this.operator(op, i, codes, tensors, inputs, outputs, name);
      if (node !== undefined) nodes.push(node);
    });
    // Every unsupported operator and tensor type at once (TensorType and builtins by name).
    this.unsupported.throwIfAny({ file: this.file });

    const graph: Graph = {
      name: sg.string(SUBGRAPH.name, 'subgraph name') || 'main',
      tensors,
      nodes,
      inputs: ref(sg.int32s(SUBGRAPH.inputs, 'subgraph inputs') ?? [], 'graph input', false, sg.pos),
      outputs: ref(sg.int32s(SUBGRAPH.outputs, 'subgraph outputs') ?? [], 'graph output', false, sg.pos),
      metadata: { sourceFormat: 'tflite', props: this.metadataProps(model) },
    };
    for (const t of [...graph.inputs, ...graph.outputs, ...nodes.flatMap((n) => [...n.inputs, ...n.outputs])]) {
      const empty = this.emptyTensors.get(t);
      if (empty !== undefined) this.error('FORMAT_UNSUPPORTED', `${empty.label} has shape [${empty.shape.join(', ')}]: tensors without elements are not supported`, empty.offset);
    }
    applyIoLayouts(graph);
    const description = model.string(MODEL.description, 'description');
    if (description !== undefined && description !== '') graph.metadata.producer = description;

    const problems = validateGraph(graph);
    if (problems.length > 0) throw graphProblemsError(problems, this.file);
    return graph;
  }

  private operatorCode(t: Table): OperatorCode {
    // Newer files set builtin_code; older ones only the byte-sized deprecated field. The larger is authoritative.
    const builtin = Math.max(t.int8(OPERATOR_CODE.deprecatedBuiltinCode, 0), t.int32(OPERATOR_CODE.builtinCode, 0));
    return builtin === BUILTIN.CUSTOM ? { builtin, custom: t.string(OPERATOR_CODE.customCode, 'custom_code') ?? '' } : { builtin };
  }

  private tensor(t: Table, index: number): Tensor {
    const name = t.string(TENSOR.name, `tensor ${index} name`) ?? '';
    const label = `tensor ${index} '${name}'`;
    const shape = t.int32s(TENSOR.shape, `${label} shape`) ?? [];
    if (shape.length > LIMITS.maxRank) this.error('FORMAT_LIMIT', `${label} has rank ${shape.length}`, t.pos);
    if (shape.some((d) => d < 0)) this.error('FORMAT_UNSUPPORTED', `${label} has dynamic shape [${shape.join(', ')}]`, t.pos);
    // A tensor without elements is refused where an operator or the graph uses it; the converter also writes such
    // tensors as an integer LSTM's unused intermediates, which are never read.
    if (shape.some((d) => d === 0) && t.uint32(TENSOR.buffer, 0) === 0) this.emptyTensors.set(index, { label, shape, offset: t.pos });
    const elements = shape.reduce((p, d) => p * d, 1);
    if (elements > LIMITS.maxTensorElements) this.error('FORMAT_LIMIT', `${label} has ${elements} elements`, t.pos);
    const typeCode = t.int8(TENSOR.type, TENSOR_TYPE.FLOAT32);
    const dtype = DTYPE_OF[typeCode];
    if (dtype === undefined) {
      // Reported with every other unsupported feature once all tensors and operators are read.
      this.unsupported.add('tensor type', tensorTypeName(typeCode), `tensor ${index} '${shortName(name)}'`, { offset: t.pos });
      return { name, shape, dtype: 'int8' };
    }
    if (elements * dtypeBytes(dtype) > LIMITS.maxTensorBytes) this.error('FORMAT_LIMIT', `${label} needs ${elements * dtypeBytes(dtype)} bytes, above the limit ${LIMITS.maxTensorBytes}`, t.pos);
    if (t.has(TENSOR.sparsity)) this.unsupported.add('feature', 'sparse tensors', `tensor ${index} '${shortName(name)}'`, { offset: t.pos });

    const tensor: Tensor = { name, shape, dtype };
    const quant = this.quantization(t, label, shape);
    if (quant !== undefined) tensor.quant = quant;
    const data = this.bufferData(t.uint32(TENSOR.buffer, 0), label, t.pos);
    if (t.bool(TENSOR.isVariable, false)) {
      // A variable tensor is op state that persists across invocations; TFLite Micro resets it to zero (the zero point
      // for int8) and ignores any buffer it has, so its data is not kept.
      tensor.state = 'persistent';
      return tensor;
    }
    if (data !== undefined) {
      const expected = elements * dtypeBytes(dtype);
      if (data.length !== expected) {
        this.error('FORMAT_MALFORMED', `${label}: buffer holds ${data.length} bytes, shape and type need ${expected}`, t.pos);
      }
      // A copy in a buffer of its own: `data` may be a view of the file's Buffer at any (misaligned) offset, and a
      // Node Buffer's slice() would be such a view again.
      tensor.data = new Uint8Array(data);
    }
    return tensor;
  }

  private quantization(t: Table, label: string, shape: number[]): Quantization | undefined {
    const q = t.table(TENSOR.quantization, `${label} quantization`);
    if (q === undefined) return undefined;
    if (q.uint8(QUANTIZATION.detailsType, 0) !== 0) this.error('FORMAT_UNSUPPORTED', `${label} uses custom quantization`, q.pos);
    const scale = q.float32s(QUANTIZATION.scale, `${label} scale`) ?? [];
    if (scale.length === 0) return undefined; // min/max only (float tensors): nothing the IR keeps
    const zeroPoint = q.int64s(QUANTIZATION.zeroPoint, `${label} zero_point`) ?? [];
    if (zeroPoint.length !== scale.length) {
      this.error('FORMAT_MALFORMED', `${label} has ${scale.length} scales and ${zeroPoint.length} zero points`, q.pos);
    }
    if (scale.some((s) => !Number.isFinite(s) || s < 0)) this.error('FORMAT_MALFORMED', `${label} has an invalid scale`, q.pos);
    const axis = perAxisDimension(scale.length, q.int32(QUANTIZATION.quantizedDimension, 0), shape);
    if (axis === undefined) {
      this.error('FORMAT_MALFORMED', `${label} has ${scale.length} scales along dimension ${q.int32(QUANTIZATION.quantizedDimension, 0)} of [${shape.join(', ')}]`, q.pos);
    }
    return { scale, zeroPoint, axis };
  }

  /** A view of the bytes of buffer `index`, or undefined for an empty buffer. */
  private bufferData(index: number, label: string, offset: number): Uint8Array | undefined {
    if (index === 0) return undefined; // buffer 0 is the empty sentinel
    const b = this.buffers[index] ?? this.error('FORMAT_MALFORMED', `${label} refers to buffer ${index}, but there are ${this.buffers.length}`, offset);
    const inline = b.bytes(BUFFER.data, `buffer ${index}`);
    if (inline !== undefined && inline.length > 0) return inline;
    const start = b.uint64(BUFFER.offset, 0);
    const size = b.uint64(BUFFER.size, 0);
    if (start > 1 && size > 0) {
      this.r.need(start, size, `buffer ${index} (external data)`);
      return this.bytes.subarray(start, start + size);
    }
    return undefined;
  }

  private operator(
    op: Table,
    index: number,
    codes: OperatorCode[],
    tensors: Tensor[],
    inputs: number[],
    outputs: number[],
    name: string,
  ): Node | undefined {
    const codeIndex = op.uint32(OPERATOR.opcodeIndex, 0);
    const code = codes[codeIndex] ?? this.error('FORMAT_MALFORMED', `operator ${index} uses operator code ${codeIndex}, but there are ${codes.length}`, op.pos);
    const outName = outputs.length > 0 ? tensors[outputs[0]].name : '';
    const reader = opReader(code.builtin);
    const label = `operator ${index} (${code.custom === undefined ? builtinName(code.builtin) : code.custom}, output '${outName}')`;
    if (code.custom !== undefined) {
      this.unsupported.add('operator', `custom '${code.custom}'`, `operator ${index} (output '${shortName(outName)}')`, { offset: op.pos });
      return undefined;
    }
    if (reader === undefined) {
      const known = builtinName(code.builtin);
      const what = known.startsWith('unknown') ? `builtin ${code.builtin} (not in the schema)` : `${known} (builtin ${code.builtin})`;
      this.unsupported.add('operator', what, `operator ${index} (output '${shortName(outName)}')`, { offset: op.pos });
      return undefined;
    }
    const optionsType = op.uint8(OPERATOR.builtinOptionsType, 0);
    if (optionsType !== 0 && optionsType !== reader.options.type) {
      this.error('FORMAT_MALFORMED', `${label}: options of type ${optionsTypeName(optionsType)} (${optionsType}), expected ${optionsTypeName(reader.options.type)}`, op.pos);
    }
    const options = optionsType === 0 ? undefined : op.table(OPERATOR.builtinOptions, `${label} options`);
    const ctx: OperatorContext = {
      label,
      file: this.file,
      offset: op.pos,
      inputShape: (i) => (inputs[i] !== undefined && inputs[i] >= 0 ? tensors[inputs[i]].shape : undefined),
      constantInts: (i) => {
        const t = inputs[i] !== undefined && inputs[i] >= 0 ? tensors[inputs[i]] : undefined;
        return t?.data !== undefined && (t.dtype === 'int32' || t.dtype === 'int64') ? constantInts(t) : undefined;
      },
      inputs,
      outputShape: () => (outputs[0] !== undefined ? tensors[outputs[0]].shape : undefined),
    };
    return makeNode(name, reader.convert(options, ctx), inputs, outputs);
  }

  /** String metadata entries (e.g. min_runtime_version); binary ones (conversion metadata) are skipped. */
  private metadataProps(model: Table): Record<string, string> {
    const props: Record<string, string> = {};
    for (const m of model.tables(MODEL.metadata, 'metadata') ?? []) {
      const name = m.string(METADATA.name, 'metadata name') ?? '';
      const data = this.bufferData(m.uint32(METADATA.buffer, 0), `metadata '${name}'`, m.pos);
      const text = data === undefined ? undefined : asText(data);
      if (name !== '' && text !== undefined) props[name] = text;
    }
    return props;
  }
}

/**
 * The axis a tensor's scales lie along, or undefined when they cannot be read. The rule of TFLite Micro, which runs
 * the models this reads:
 * - tensorflow/lite/micro/micro_allocator.cc (InitializeTfLiteTensorFromFlatbuffer) copies quantized_dimension
 *   without checking it, and TFLite Micro's kernels read it only for per-channel filters (conv, depthwise conv and
 *   fully connected check that the filter has dims[quantized_dimension] scales); a bias's quantization is never
 *   read (its scale is input scale × filter scale). So a single scale ignores quantized_dimension, and a 1-D tensor
 *   with one scale per element (person_detect's biases carry quantized_dimension 3, copied from their filters by
 *   the old converter) is per-axis along its only axis.
 * - Otherwise we follow tensorflow/lite/core/interpreter_builder.cc (InterpreterBuilder::ParseQuantization), which
 *   requires 0 <= quantized_dimension < rank and, with more than one scale, scales == dims[quantized_dimension].
 *   (ParseQuantization also range-checks quantized_dimension of single-scale and 1-D tensors, which TFLite Micro
 *   does not; those two cases are accepted here as TFLite Micro accepts them.)
 */
export function perAxisDimension(scales: number, quantizedDimension: number, shape: readonly number[]): number | undefined {
  if (scales === 1) return 0;
  if (shape.length === 1) return shape[0] === scales ? 0 : undefined;
  const ok = quantizedDimension >= 0 && quantizedDimension < shape.length && shape[quantizedDimension] === scales;
  return ok ? quantizedDimension : undefined;
}

/** A tensor name short enough for a list of places (converters' names run to hundreds of characters). */
function shortName(name: string): string {
  return name.length > 48 ? `${name.slice(0, 47)}…` : name;
}

/** Printable ASCII (after trailing NULs are dropped), else undefined. */
function asText(data: Uint8Array): string | undefined {
  let end = data.length;
  while (end > 0 && data[end - 1] === 0) end--;
  if (end === 0 || end > 4096) return undefined;
  for (let i = 0; i < end; i++) if (data[i] < 0x20 || data[i] > 0x7e) return undefined;
  return String.fromCharCode(...data.subarray(0, end));
}

/** Unique node names: the wanted name, else `<name>_<k>` with k counting up per base (linear over many clashes). */
class NameAllocator {
  private readonly taken = new Set<string>();
  private readonly nextSuffix = new Map<string, number>();

  allocate(wanted: string, fallback: string): string {
    const base = wanted !== '' ? wanted : fallback;
    let name = base;
    let k = this.nextSuffix.get(base) ?? 1;
    while (this.taken.has(name)) name = `${base}_${k++}`;
    this.nextSuffix.set(base, k);
    this.taken.add(name);
    return name;
  }
}
