import { dtypeBytes, Node } from '@tinyforge/ir';
import { ExportContext } from './export-context';

const WEIGHTED: ReadonlySet<string> = new Set(['Conv2D', 'DepthwiseConv2D', 'FullyConnected']);

/**
 * The quantized constant behind a weight operand written as Dequantize(int8 constant) — the QDQ form real quantized
 * models use, so onnxruntime sees int8 weights and can run integer kernels — or undefined for a plain constant.
 */
function dequantizedConstant(ctx: ExportContext, index: number): { node: Node; source: number } | undefined {
  const node = ctx.graph.nodes.find((n) => n.op === 'Dequantize' && n.outputs[0] === index);
  if (node === undefined || ctx.tensor(node.inputs[0]).data === undefined) return undefined;
  return { node, source: node.inputs[0] };
}

/** A Dequantize of a constant whose only readers take it as weights: the reader writes it, in its own layout. */
export function isWeightDequantize(ctx: ExportContext, node: Node): boolean {
  if (node.op !== 'Dequantize' || ctx.tensor(node.inputs[0]).data === undefined) return false;
  const out = node.outputs[0];
  const readers = ctx.graph.nodes.filter((n) => n.inputs.includes(out));
  return !ctx.graph.outputs.includes(out) && readers.length > 0 && readers.every((r) => WEIGHTED.has(r.op) && r.inputs.indexOf(out) === 1 && r.inputs.lastIndexOf(out) === 1);
}

/**
 * Write the weight operand `index` of the current node in ONNX layout: `reorder` maps the IR bytes (of any element
 * size) to the ONNX order and `dims` is the ONNX shape. A float32 constant becomes a float initializer; an int8
 * constant behind a Dequantize becomes an int8 initializer and a DequantizeLinear whose per-channel axis is
 * `channelAxis` (the output-channel axis in ONNX layout).
 */
export function weightOperand(
  ctx: ExportContext,
  index: number,
  dims: number[],
  reorder: (data: Uint8Array, elementBytes: number) => Uint8Array,
  channelAxis: number,
  irChannelAxis: number,
): string {
  const w = ctx.tensor(index);
  if (w.data !== undefined && w.dtype === 'float32') return ctx.initializer(w.name, dims, 'float32', reorder(w.data, 4));
  const dq = dequantizedConstant(ctx, index);
  const q = dq === undefined ? undefined : ctx.tensor(dq.source);
  if (q === undefined || q.data === undefined || q.dtype !== 'int8' || q.quant === undefined) {
    throw ctx.fail('weights must be a float32 constant or an int8 constant read through Dequantize');
  }
  const perAxis = q.quant.scale.length > 1;
  if (perAxis && q.quant.axis !== irChannelAxis) throw ctx.fail(`weights '${q.name}' are quantized along axis ${q.quant.axis}, expected the output-channel axis ${irChannelAxis}`);
  if (q.quant.zeroPoint.some((z) => z !== q.quant!.zeroPoint[0])) throw ctx.fail(`weights '${q.name}' have differing zero points`);
  const values = ctx.initializer(q.name, dims, 'int8', reorder(q.data, dtypeBytes('int8')));
  const scaleDims = perAxis ? [q.quant.scale.length] : [];
  const scale = ctx.initializer(`${q.name}/scale`, scaleDims, 'float32', new Uint8Array(Float32Array.from(q.quant.scale).buffer));
  const zp = ctx.initializer(`${q.name}/zero_point`, scaleDims, 'int8', new Uint8Array(Int8Array.from(q.quant.zeroPoint).buffer));
  const out = ctx.temp(`${q.name}/dequantized`, dims, 'float32');
  ctx.emit('DequantizeLinear', [values, scale, zp], [out], perAxis ? { axis: channelAxis } : {}, 'weights_dq');
  return out;
}
