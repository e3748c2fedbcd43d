import { DType, dtypeBytes, Graph, Node, Tensor } from '@tinyforge/ir';
import { onnx } from '@tinyforge/onnx-proto';
import { ModelFormatError } from '../errors';
import { NHWC_TO_NCHW, onnxShapeFromIr, transposeData } from './layout';
import { onnxFromDtype } from './proto-values';

export type AttrValue = number | number[] | string | { float: number };

/** State of one export: names, initializers, nodes and the type of every value written. */
export class ExportContext {
  readonly nodes: onnx.INodeProto[] = [];
  readonly initializers: onnx.ITensorProto[] = [];
  /** ONNX value name → its ONNX shape and type (for value_info). */
  readonly types = new Map<string, { dims: number[]; dtype: DType }>();
  /** IR tensor index → ONNX value name, for tensors already written. */
  private readonly written = new Map<number, string>();
  private readonly used = new Set<string>();
  /** Values holding a C·H·W-flattened activation where the IR has H·W·C (inverse of the reader's flatten rule). */
  readonly chwColumns = new Map<number, { c: number; h: number; w: number }>();
  /** Nodes written by the graph's boundary instead (a declared layout's conversion), not by their exporter. */
  readonly skipped = new Set<Node>();
  current: Node | undefined;

  constructor(
    readonly graph: Graph,
    readonly opset: number,
  ) {}

  fail(message: string): ModelFormatError {
    const node = this.current;
    return new ModelFormatError('FORMAT_UNSUPPORTED', node ? `${node.op}: ${message}` : message, node ? { node: node.name } : {});
  }

  fresh(base: string): string {
    let name = base || 'value';
    for (let k = 1; this.used.has(name); k++) name = `${base}_${k}`;
    this.used.add(name);
    return name;
  }

  tensor(index: number): Tensor {
    return this.graph.tensors[index];
  }

  /** The ONNX name of an IR tensor; a constant is written as an initializer in ONNX layout (4-D → NCHW). */
  value(index: number): string {
    const known = this.written.get(index);
    if (known !== undefined) return known;
    const t = this.tensor(index);
    if (t.data === undefined) throw this.fail(`tensor '${t.name}' is read before it is written`);
    const data = t.shape.length === 4 ? transposeData(t.data, t.shape, NHWC_TO_NCHW, dtypeBytes(t.dtype)) : t.data;
    const name = this.initializer(t.name, onnxShapeFromIr(t.shape), t.dtype, data);
    this.written.set(index, name);
    return name;
  }

  /** Give an IR tensor an ONNX name chosen before it is written (a graph input or output in its declared layout). */
  alias(index: number, name: string): void {
    this.written.set(index, name);
  }

  /** Name the ONNX output of an IR tensor (declared with its ONNX shape). */
  output(index: number): string {
    const t = this.tensor(index);
    const aliased = this.written.get(index);
    if (aliased !== undefined && this.tensor(index).data === undefined) return aliased;
    const name = this.fresh(t.name);
    this.written.set(index, name);
    this.types.set(name, { dims: onnxShapeFromIr(t.shape), dtype: t.dtype });
    return name;
  }

  initializer(base: string, dims: number[], dtype: DType, data: Uint8Array): string {
    const name = this.fresh(base);
    this.initializers.push({ name, dims, dataType: onnxFromDtype(dtype), rawData: data });
    return name;
  }

  int64s(base: string, values: number[]): string {
    return this.initializer(base, [values.length], 'int64', new Uint8Array(BigInt64Array.from(values.map((v) => BigInt(v))).buffer));
  }

  floatScalar(base: string, value: number): string {
    return this.initializer(base, [], 'float32', new Uint8Array(Float32Array.of(value).buffer));
  }

  /** An intermediate value the writer adds (declared for value_info). */
  temp(base: string, dims: number[], dtype: DType): string {
    const name = this.fresh(base);
    this.types.set(name, { dims, dtype });
    return name;
  }

  emit(opType: string, inputs: string[], outputs: string[], attrs: Record<string, AttrValue> = {}, suffix?: string): void {
    const base = this.current?.name ?? opType;
    const name = this.fresh(suffix === undefined ? base : `${base}/${suffix}`);
    const attribute = Object.entries(attrs).map(([key, v]) => attributeProto(key, v));
    this.nodes.push({ name, opType, input: inputs, output: outputs, attribute });
  }
}

function attributeProto(name: string, v: AttrValue): onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'number') return { name, type: T.INT, i: v };
  if (typeof v === 'string') return { name, type: T.STRING, s: Buffer.from(v, 'utf8') };
  if (Array.isArray(v)) return { name, type: T.INTS, ints: v };
  return { name, type: T.FLOAT, f: v.float };
}

export function onnxDtypeOf(dtype: DType): number {
  return onnxFromDtype(dtype);
}
