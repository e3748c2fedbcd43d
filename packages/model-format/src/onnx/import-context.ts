import { DType, dtypeBytes, elementCount, Graph, inferOutputShapes, IrValidationError, Node, OpAttrMap, OpType, Quantization, TinyforgeError } from '@tinyforge/ir';
import { onnx } from '@tinyforge/onnx-proto';
import { LIMITS, ModelFormatError, ModelFormatErrorCode } from '../errors';
import { irShapeFromOnnx, isDataPreservingPerm, NCHW_TO_NHWC, NHWC_TO_NCHW, onnxShapeFromIr, permute, transposeData } from './layout';
import { OnnxConstant } from './proto-values';

/** Columns of a flattened NHWC activation, in H·W·C order where ONNX expects C·H·W (see flatten rule in import-shape.ts). */
export interface HwcColumns {
  c: number;
  h: number;
  w: number;
}

/**
 * State of one import: the IR graph being built, what each ONNX value name maps to, and the node being converted
 * (so that every error names node, op and opset).
 */
export class ImportContext {
  readonly graph: Graph = { name: 'onnx', tensors: [], nodes: [], inputs: [], outputs: [], metadata: { sourceFormat: 'onnx', props: {} } };
  /** ONNX value name → IR tensor index. */
  readonly values = new Map<string, number>();
  /** ONNX constants (initializers, Constant nodes) in ONNX layout; materialized into the IR on first generic use. */
  readonly constants = new Map<string, OnnxConstant>();
  /** Values whose columns are H·W·C-ordered where the ONNX model has C·H·W. */
  readonly hwcColumns = new Map<string, HwcColumns>();
  /** ONNX value name → the nodes that read it. */
  readonly readers = new Map<string, onnx.INodeProto[]>();
  /** ONNX names of the graph outputs (their IR layout must follow the rule, never the flatten shortcut). */
  readonly graphOutputs = new Set<string>();
  private readonly nodeNames = new Set<string>();
  private readonly tensorNames = new Set<string>();
  node: onnx.INodeProto = {};
  nodeName = '';
  /** The highest input position the current node's importer looked at (inputs past it are not the op's). */
  highestInputRead = -1;

  constructor(
    readonly opset: number,
    readonly file: string | undefined,
  ) {}

  where(): { file?: string; node?: string } {
    return this.nodeName === '' ? { file: this.file } : { file: this.file, node: this.nodeName };
  }

  error(code: ModelFormatErrorCode, message: string): ModelFormatError {
    const prefix = this.nodeName === '' ? '' : `${this.node.opType} (opset ${this.opset}): `;
    return new ModelFormatError(code, prefix + message, this.where());
  }

  unsupported(message: string): ModelFormatError {
    return this.error('FORMAT_UNSUPPORTED', message);
  }

  begin(node: onnx.INodeProto, index: number): void {
    this.node = node;
    this.highestInputRead = -1;
    let name = node.name || `${node.opType}_${index}`;
    for (let k = 1; this.nodeNames.has(name); k++) name = `${node.name || node.opType}_${index}_${k}`;
    this.nodeName = name;
  }

  /** A name not used by any tensor yet (inserted tensors derive theirs from the node). */
  tensorName(base: string): string {
    let name = base;
    for (let k = 1; this.tensorNames.has(name); k++) name = `${base}_${k}`;
    this.tensorNames.add(name);
    return name;
  }

  inputName(i: number): string | undefined {
    this.highestInputRead = Math.max(this.highestInputRead, i);
    const name = this.node.input?.[i];
    return name === undefined || name === '' ? undefined : name;
  }

  outputName(i = 0): string {
    const name = this.node.output?.[i];
    if (name === undefined || name === '') throw this.error('FORMAT_MALFORMED', `has no output ${i}`);
    return name;
  }

  /** The constant behind input i, if it is one. */
  constant(i: number): OnnxConstant | undefined {
    const name = this.inputName(i);
    return name === undefined ? undefined : this.constants.get(name);
  }

  requireConstant(i: number, what: string): OnnxConstant {
    const c = this.constant(i);
    if (c === undefined) {
      if (this.inputName(i) === undefined) throw this.error('FORMAT_MALFORMED', `missing ${what} (input ${i})`);
      throw this.unsupported(`${what} (input ${i} '${this.inputName(i)}') must be a constant`);
    }
    return c;
  }

  /** IR tensor for input i; constants are materialized in IR layout (4-D → NHWC). */
  input(i: number, what = `input ${i}`): number {
    const name = this.inputName(i);
    if (name === undefined) throw this.error('FORMAT_MALFORMED', `missing ${what}`);
    const known = this.values.get(name);
    if (known !== undefined) return known;
    const c = this.constants.get(name);
    if (c === undefined) throw this.error('FORMAT_MALFORMED', `${what} '${name}' is not produced by any earlier node, initializer or graph input`);
    const index = this.materialize(c);
    this.values.set(name, index);
    return index;
  }

  /** An ONNX constant as an IR constant in IR layout (4-D → NHWC). */
  materialize(c: OnnxConstant): number {
    return this.addConstant(c.name, irShapeFromOnnx(c.dims), c.dtype, c.dims.length === 4 ? transposeData(c.data, c.dims, NCHW_TO_NHWC, dtypeBytes(c.dtype)) : c.data);
  }

  addTensor(name: string, shape: number[], dtype: DType, data?: Uint8Array, quant?: Quantization): number {
    const t = { name: this.tensorName(name), shape, dtype } as Graph['tensors'][number];
    if (data !== undefined) t.data = data;
    if (quant !== undefined) t.quant = quant;
    this.graph.tensors.push(t);
    return this.graph.tensors.length - 1;
  }

  addConstant(name: string, shape: number[], dtype: DType, data: Uint8Array, quant?: Quantization): number {
    return this.addTensor(name, shape, dtype, data, quant);
  }

  int32Constant(name: string, values: readonly number[], shape: number[] = [values.length]): number {
    return this.addConstant(this.tensorName(name), shape, 'int32', new Uint8Array(Int32Array.from(values).buffer));
  }

  /** Append an IR node producing a new tensor; its shape comes from IR shape inference. */
  emit<K extends OpType>(op: K, attrs: OpAttrMap[K], inputs: number[], outName: string, options: { dtype?: DType; quant?: Quantization; suffix?: string } = {}): number {
    const dtype = options.dtype ?? this.graph.tensors[inputs[0]].dtype;
    const out = this.addTensor(outName, [], dtype, undefined, options.quant);
    let name = options.suffix === undefined ? this.nodeName : `${this.nodeName}/${options.suffix}`;
    for (let k = 1; this.nodeNames.has(name); k++) name = `${this.nodeName}/${options.suffix ?? op}_${k}`;
    this.nodeNames.add(name);
    const node = { name, op, attrs, inputs, outputs: [out] } as unknown as Node;
    try {
      this.graph.tensors[out].shape = inferOutputShapes(this.graph, node)[0];
    } catch (e) {
      if (e instanceof IrValidationError) throw this.error('FORMAT_MALFORMED', e.message.replace(/^.*?node '[^']*': /, ''));
      throw e;
    }
    // Output sizes follow from attributes (Tile's repeats, a transposed convolution's strides): bound them too.
    const elements = elementCount(this.graph.tensors[out].shape);
    if (!(elements <= LIMITS.maxTensorElements)) throw this.error('FORMAT_LIMIT', `${op} output ${JSON.stringify(this.graph.tensors[out].shape)} has more than ${LIMITS.maxTensorElements} elements`);
    this.graph.nodes.push(node);
    return out;
  }

  /**
   * A graph input's or output's conversion between its declared axis order and the IR's NHWC: a Transpose node of its
   * own (named `nodeName`), which foldTransposes later merges with the model's own transposes or turns into a Reshape.
   */
  boundaryTranspose(x: number, perm: readonly number[], outName: string, nodeName: string): number {
    const current = this.nodeName;
    this.nodeName = nodeName;
    try {
      return this.emit('Transpose', {}, [x, this.int32Constant(`${nodeName}/perm`, perm)], outName);
    } finally {
      this.nodeName = current;
    }
  }

  bind(onnxName: string, index: number): void {
    this.values.set(onnxName, index);
  }

  irShape(index: number): number[] {
    return this.graph.tensors[index].shape;
  }

  onnxShape(index: number): number[] {
    return onnxShapeFromIr(this.irShape(index));
  }

  /**
   * Reshape an IR value to an ONNX shape with ONNX's (row-major NCHW) semantics: bring a 4-D input to NCHW order, reshape,
   * and bring a 4-D result back to NHWC. Transposes that move only size-1 dimensions are folded into the reshape.
   */
  reshapeOnnx(x: number, onnxDims: number[], outName: string): number {
    let source = x;
    const inShape = this.irShape(x);
    if (inShape.length === 4 && !isDataPreservingPerm(inShape, NHWC_TO_NCHW)) {
      source = this.emit('Transpose', {}, [x, this.int32Constant(`${outName}/to_nchw_perm`, NHWC_TO_NCHW)], `${outName}/nchw`, { suffix: 'to_nchw' });
    }
    if (onnxDims.length === 4 && !isDataPreservingPerm(onnxDims, NCHW_TO_NHWC)) {
      const nchw = this.emit('Reshape', {}, [source, this.int32Constant(`${outName}/shape`, onnxDims)], `${outName}/nchw`, { suffix: 'reshape' });
      return this.emit('Transpose', {}, [nchw, this.int32Constant(`${outName}/to_nhwc_perm`, NCHW_TO_NHWC)], outName, { suffix: 'to_nhwc' });
    }
    const irDims = irShapeFromOnnx(onnxDims);
    if (source === x && sameShape(inShape, irDims)) return this.emit('Identity', {}, [x], outName);
    return this.emit('Reshape', {}, [source, this.int32Constant(`${outName}/shape`, irDims)], outName);
  }

  /** Wrap anything thrown while converting into a ModelFormatError naming the node. */
  wrap(e: unknown): ModelFormatError {
    if (e instanceof ModelFormatError) return e;
    if (e instanceof TinyforgeError) return this.error('FORMAT_MALFORMED', e.message);
    return this.error('FORMAT_MALFORMED', `cannot be converted: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export { permute };
