import { Graph } from '@tinyforge/ir';
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
  const inputs = graph.inputs.map((i) => valueInfo(ctx.output(i), graph, i));
  for (const node of graph.nodes) exportNode(ctx, node);
  ctx.current = undefined;
  const outputNames = graph.outputs.map((o) => ctx.value(o));
  const outputs = graph.outputs.map((o, k) => valueInfo(outputNames[k], graph, o));
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

function valueInfo(name: string, graph: Graph, index: number): onnx.IValueInfoProto & { name: string } {
  const t = graph.tensors[index];
  return { name, type: { tensorType: { elemType: onnxFromDtype(t.dtype), shape: { dim: onnxShapeFromIr(t.shape).map((d) => ({ dimValue: d })) } } } };
}
