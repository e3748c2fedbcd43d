import { constantInts, Graph, isDataPreservingPerm, NCHW_TO_NHWC, NHWC_TO_NCHW, Node, permute } from '@tinyforge/ir';
import { onnx } from '@tinyforge/onnx-proto';
import { ModelFormatError } from '../errors';
import { ExportContext } from './export-context';
import { exportNode } from './export-ops';
import { onnxShapeFromIr } from './layout';
import { onnxFromDtype } from './proto-values';

export interface WriteOnnxOptions {
  /** Default-domain opset, 13 by default (raised to 14 when the graph has HardSwish, which 13 lacks). */
  opset?: number;
}

export const ONNX_WRITE_IR_VERSION = 8;

/**
 * Write an IR graph as a standard NCHW ONNX model (as PyTorch exports them: NCHW inputs, OIHW weights), nodes in
 * the IR's (topological) order, every intermediate in value_info, initializers as raw_data. Float graphs and
 * Quantize/Dequantize nodes are supported; int8 compute ops are rejected with FORMAT_UNSUPPORTED naming the node.
 */
export function writeOnnx(graph: Graph, options: WriteOnnxOptions = {}): Uint8Array {
  let opset = options.opset ?? 13;
  if (options.opset === undefined && graph.nodes.some((n) => n.op === 'HardSwish')) opset = 14;
  if (opset < 13 || opset > 21) throw new ModelFormatError('FORMAT_UNSUPPORTED', `the ONNX writer emits opsets 13–21, not ${opset}`);
  if (opset < 14 && graph.nodes.some((n) => n.op === 'HardSwish')) throw new ModelFormatError('FORMAT_UNSUPPORTED', 'HardSwish needs opset 14 or later');
  const ctx = new ExportContext(graph, opset);
  const inputs = graph.inputs.map((i) => (declaredLayout(graph, i) ? declaredInput(ctx, i) : valueInfo(ctx.output(i), graph, i)));
  const finishOutputs = graph.outputs.map((o) => (declaredLayout(graph, o) ? declaredOutput(ctx, o) : () => valueInfo(ctx.value(o), graph, o)));
  for (const node of graph.nodes) if (!ctx.skipped.has(node)) exportNode(ctx, node);
  ctx.current = undefined;
  const outputs = finishOutputs.map((finish) => finish());
  const declared = new Set([...inputs, ...outputs].map((v) => v.name));
  const intermediates = [...ctx.types.entries()]
    .filter(([name]) => !declared.has(name))
    .map(([name, t]) => ({ name, type: { tensorType: { elemType: onnxFromDtype(t.dtype), shape: { dim: t.dims.map((d) => ({ dimValue: d })) } } } }));
  const props = Object.entries(graph.metadata.props)
    .filter(([key]) => !key.startsWith('onnx.'))
    .map(([key, value]) => ({ key, value }));
  const model: onnx.IModelProto = {
    irVersion: ONNX_WRITE_IR_VERSION,
    producerName: 'tinyforge',
    producerVersion: '0.1.0',
    opsetImport: [{ domain: '', version: opset }],
    metadataProps: props,
    graph: { name: graph.name, node: ctx.nodes, initializer: ctx.initializers, input: inputs, output: outputs, valueInfo: intermediates },
  };
  // A plain copy: protobufjs returns a Buffer, possibly a view into a shared pool, whose slice() does not copy.
  return new Uint8Array(onnx.ModelProto.encode(model).finish());
}

/** A 4-D graph input or output that keeps its declared layout in ONNX (one imported from ONNX: Tensor.layout). */
function declaredLayout(graph: Graph, index: number): boolean {
  const t = graph.tensors[index];
  return t.layout !== undefined && t.shape.length === 4;
}

/**
 * An IR node converting between a declared NCHW tensor and the IR's NHWC: a Transpose with `perm`, or a Reshape
 * doing the same where it moves no bytes (foldTransposes makes those).
 */
function convertsLayout(graph: Graph, node: Node, from: number, perm: readonly number[]): boolean {
  if (node.inputs[0] !== from) return false;
  const x = graph.tensors[from];
  const out = graph.tensors[node.outputs[0]].shape;
  if (node.op === 'Reshape') return isDataPreservingPerm(x.shape, perm) && sameDims(permute(x.shape, perm), out);
  return node.op === 'Transpose' && sameDims(constantInts(graph.tensors[node.inputs[1]]), perm);
}

const sameDims = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * A graph input in its declared shape. The writer's NCHW value of it comes from a Transpose, unless every reader only
 * converts it to the IR's NHWC (then their outputs are that value and they are not written).
 */
function declaredInput(ctx: ExportContext, index: number): onnx.IValueInfoProto & { name: string } {
  const graph = ctx.graph;
  const t = graph.tensors[index];
  const name = ctx.fresh(t.name);
  const readers = graph.nodes.filter((n) => n.inputs.includes(index));
  const converters = t.layout === 'NCHW' ? readers.filter((n) => convertsLayout(graph, n, index, NCHW_TO_NHWC)) : [];
  for (const n of converters) {
    ctx.skipped.add(n);
    ctx.alias(n.outputs[0], name);
  }
  if (converters.length < readers.length || graph.outputs.includes(index)) {
    // The IR tensor as the writer's convention reads any 4-D tensor: transpose(IR order, NHWC_TO_NCHW).
    const conventional = ctx.temp(`${t.name}/nchw`, permute(t.shape, NHWC_TO_NCHW), t.dtype);
    ctx.emit('Transpose', [name], [conventional], { perm: [...NHWC_TO_NCHW] }, `${t.name}/declared`);
    ctx.alias(index, conventional);
  }
  return { name, type: { tensorType: { elemType: onnxFromDtype(t.dtype), shape: { dim: t.shape.map((d) => ({ dimValue: d })) } } } };
}

/**
 * A graph output in its declared shape: the producer's value when the producer only converts from the IR's NHWC
 * (it is not written), else a Transpose of the writer's NCHW value. Returns what completes it after the nodes.
 */
function declaredOutput(ctx: ExportContext, index: number): () => onnx.IValueInfoProto & { name: string } {
  const graph = ctx.graph;
  const t = graph.tensors[index];
  const name = ctx.fresh(t.name);
  const info = { name, type: { tensorType: { elemType: onnxFromDtype(t.dtype), shape: { dim: t.shape.map((d) => ({ dimValue: d })) } } } };
  const producer = graph.nodes.find((n) => n.outputs[0] === index);
  const source = producer?.inputs[0];
  if (t.layout === 'NCHW' && producer !== undefined && source !== undefined && !graph.inputs.includes(source) && !graph.outputs.includes(source) && convertsLayout(graph, producer, source, NHWC_TO_NCHW)) {
    ctx.skipped.add(producer);
    ctx.alias(source, name);
    return () => info;
  }
  return () => {
    ctx.emit('Transpose', [ctx.value(index)], [name], { perm: [...NCHW_TO_NHWC] }, `${t.name}/declared`);
    return info;
  };
}

function valueInfo(name: string, graph: Graph, index: number): onnx.IValueInfoProto & { name: string } {
  const t = graph.tensors[index];
  return { name, type: { tensorType: { elemType: onnxFromDtype(t.dtype), shape: { dim: onnxShapeFromIr(t.shape).map((d) => ({ dimValue: d })) } } } };
}
