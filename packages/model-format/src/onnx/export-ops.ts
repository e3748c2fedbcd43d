import { constantInts, dtypeBytes, explicitPadding, FusedActivation, handlerFor, isQuantizedDType, Node, NodeOf, NodeTable, OpType, Quantization } from '@tinyforge/ir';
import { ExportContext, onnxDtypeOf } from './export-context';
import { isWeightDequantize, weightOperand } from './export-weights';
import { composePerms, irAxisFromOnnx, isDataPreservingPerm, NCHW_TO_NHWC, NHWC_TO_NCHW, onnxAxisFromIr, onnxShapeFromIr, transposeData } from './layout';

/** Ops the writer also accepts on quantized tensors (they move data, they do not compute on it). */
const DATA_MOVEMENT: ReadonlySet<OpType> = new Set<OpType>(['Reshape', 'Squeeze', 'Transpose', 'Identity', 'Concatenation', 'Quantize', 'Dequantize']);

const noSignalOp = (node: Node, ctx: ExportContext): never => {
  throw ctx.fail(`${node.op} is not written to ONNX (ONNX has no TFLite Micro Signal operators)`);
};

/** How each IR op is written as ONNX nodes (NCHW). */
const EXPORTERS: NodeTable<void, [ExportContext]> = {
  Conv2D: (node, ctx) => exportConv(ctx, node),
  DepthwiseConv2D: (node, ctx) => exportConv(ctx, node),
  FullyConnected: (node, ctx) => exportFullyConnected(ctx, node),
  MaxPool2D: (node, ctx) => exportPool(ctx, node),
  AveragePool2D: (node, ctx) => exportPool(ctx, node),
  Reshape: (node, ctx) => exportReshape(ctx, node),
  Squeeze: (node, ctx) => exportReshape(ctx, node),
  Add: (node, ctx) => exportBinary(ctx, node),
  Sub: (node, ctx) => exportBinary(ctx, node),
  Mul: (node, ctx) => exportBinary(ctx, node),
  Div: (node, ctx) => exportBinary(ctx, node),
  Concatenation: (node, ctx) => {
    const rank = ctx.tensor(node.inputs[0]).shape.length;
    withActivation(ctx, node, node.attrs.activation, (out) => ctx.emit('Concat', node.inputs.map((i) => ctx.value(i)), [out], { axis: onnxAxisFromIr(node.attrs.axis, rank) }));
  },
  Softmax: (node, ctx) => {
    const rank = ctx.tensor(node.inputs[0]).shape.length;
    if (node.attrs.beta !== 1) throw ctx.fail(`beta ${node.attrs.beta} (ONNX Softmax has no beta)`);
    simple(ctx, node, 'Softmax', { axis: onnxAxisFromIr(rank - 1, rank) });
  },
  Mean: (node, ctx) => exportMean(ctx, node),
  Pad: (node, ctx) => exportPad(ctx, node),
  Transpose: (node, ctx) => {
    const q = constantInts(ctx.tensor(node.inputs[1]));
    const perm = q.length === 4 ? composePerms(composePerms(NCHW_TO_NHWC, q), NHWC_TO_NCHW) : q;
    ctx.emit('Transpose', [ctx.value(node.inputs[0])], [ctx.output(node.outputs[0])], { perm });
  },
  Quantize: (node, ctx) => exportQdq(ctx, node, 'QuantizeLinear', ctx.tensor(node.outputs[0]).quant),
  Dequantize: (node, ctx) => {
    if (isWeightDequantize(ctx, node)) return; // written by its reader, in the reader's weight layout
    exportQdq(ctx, node, 'DequantizeLinear', ctx.tensor(node.inputs[0]).quant);
  },
  Logistic: (node, ctx) => simple(ctx, node, 'Sigmoid'),
  Tanh: (node, ctx) => simple(ctx, node, 'Tanh'),
  Relu: (node, ctx) => simple(ctx, node, 'Relu'),
  HardSwish: (node, ctx) => simple(ctx, node, 'HardSwish'),
  Identity: (node, ctx) => simple(ctx, node, 'Identity'),
  Relu6: (node, ctx) => clip(ctx, node, 0, 6),
  Clip: (node, ctx) => clip(ctx, node, node.attrs.min, node.attrs.max),
  LeakyRelu: (node, ctx) => simple(ctx, node, 'LeakyRelu', { alpha: { float: node.attrs.alpha } }),
  BatchNorm: (node, ctx) => ctx.emit('BatchNormalization', node.inputs.map((i) => ctx.value(i)), [ctx.output(node.outputs[0])], { epsilon: { float: node.attrs.epsilon } }),
  TransposeConv2D: (node, ctx) => exportTransposeConv(ctx, node),
  Tile: (node, ctx) => {
    const x = ctx.tensor(node.inputs[0]);
    const multiples = constantInts(ctx.tensor(node.inputs[1]));
    const repeats = x.shape.length === 4 ? onnxShapeFromIr(multiples) : multiples;
    ctx.emit('Tile', [ctx.value(node.inputs[0]), ctx.int64s(`${node.name}/repeats`, repeats)], [ctx.output(node.outputs[0])]);
  },
  StridedSlice: (_node, ctx) => {
    throw ctx.fail('StridedSlice is not written to ONNX yet');
  },
  Round: (node, ctx) => simple(ctx, node, 'Round'),
  Abs: (node, ctx) => simple(ctx, node, 'Abs'),
  Sign: (node, ctx) => simple(ctx, node, 'Sign'),
  Cast: (node, ctx) => simple(ctx, node, 'Cast', { to: onnxDtypeOf(ctx.tensor(node.outputs[0]).dtype) }),
  UnidirectionalSequenceLstm: (_node, ctx) => {
    throw ctx.fail('UnidirectionalSequenceLstm is not written to ONNX yet');
  },
  UnidirectionalSequenceGru: (_node, ctx) => {
    throw ctx.fail('UnidirectionalSequenceGru is not written to ONNX yet');
  },
  Svdf: (_node, ctx) => {
    throw ctx.fail('Svdf is not written to ONNX yet (ONNX has no SVDF operator)');
  },
  Minimum: (node, ctx) => ctx.emit('Min', [ctx.value(node.inputs[0]), ctx.value(node.inputs[1])], [ctx.output(node.outputs[0])]),
  Maximum: (node, ctx) => ctx.emit('Max', [ctx.value(node.inputs[0]), ctx.value(node.inputs[1])], [ctx.output(node.outputs[0])]),
  SignalWindow: noSignalOp,
  SignalFftScaleBits: noSignalOp,
  SignalFftAutoScale: noSignalOp,
  SignalRfft: noSignalOp,
  SignalEnergy: noSignalOp,
  SignalFilterBank: noSignalOp,
  SignalFilterBankSquareRoot: noSignalOp,
  SignalNoiseEstimate: noSignalOp,
  SignalSpectralSubtraction: noSignalOp,
  SignalPcan: noSignalOp,
  SignalFilterBankLog: noSignalOp,
  FeatureWindow: noSignalOp,
};

/** Write one IR node as ONNX nodes (NCHW). */
export function exportNode(ctx: ExportContext, node: Node): void {
  ctx.current = node;
  const x = ctx.tensor(node.inputs[0]);
  if (!DATA_MOVEMENT.has(node.op) && isQuantizedDType(x.dtype)) {
    throw ctx.fail(`quantized (${x.dtype}) ${node.op} cannot be written: the ONNX writer supports float graphs with Quantize/Dequantize nodes (QDQ) only`);
  }
  handlerFor(EXPORTERS, node)!(node, ctx);
}

function exportBinary(ctx: ExportContext, node: NodeOf<'Add'> | NodeOf<'Sub'> | NodeOf<'Mul'> | NodeOf<'Div'>): void {
  withActivation(ctx, node, node.attrs.activation, (out) => ctx.emit(node.op, [operand(ctx, node.inputs[0], node.outputs[0]), operand(ctx, node.inputs[1], node.outputs[0])], [out]));
}

function clip(ctx: ExportContext, node: Node, min: number, max: number): void {
  ctx.emit('Clip', [ctx.value(node.inputs[0]), ctx.floatScalar(`${node.name}/min`, min), ctx.floatScalar(`${node.name}/max`, max)], [ctx.output(node.outputs[0])]);
}

function simple(ctx: ExportContext, node: Node, opType: string, attrs: Parameters<ExportContext['emit']>[3] = {}): void {
  ctx.emit(opType, [ctx.value(node.inputs[0])], [ctx.output(node.outputs[0])], attrs);
}

/** Emit `body` into the node's output, or into a temporary followed by the fused activation. */
function withActivation(ctx: ExportContext, node: Node, activation: FusedActivation, body: (out: string) => void): void {
  if (activation === 'none') return body(ctx.output(node.outputs[0]));
  const t = ctx.tensor(node.outputs[0]);
  const pre = ctx.temp(`${t.name}/preact`, onnxShapeFromIr(t.shape), t.dtype);
  body(pre);
  const out = ctx.output(node.outputs[0]);
  switch (activation) {
    case 'relu':
      return ctx.emit('Relu', [pre], [out], {}, 'relu');
    case 'relu6':
      return ctx.emit('Clip', [pre, ctx.floatScalar(`${node.name}/min`, 0), ctx.floatScalar(`${node.name}/max`, 6)], [out], {}, 'relu6');
    case 'relu_n1_to_1':
      return ctx.emit('Clip', [pre, ctx.floatScalar(`${node.name}/min`, -1), ctx.floatScalar(`${node.name}/max`, 1)], [out], {}, 'relu_n1_to_1');
    case 'tanh':
      return ctx.emit('Tanh', [pre], [out], {}, 'tanh');
    default:
      throw ctx.fail(`fused activation '${activation}'`);
  }
}

/** A lower-rank constant broadcast against a 4-D (NHWC) tensor is padded to 4-D in IR terms, then written NCHW. */
function operand(ctx: ExportContext, index: number, outIndex: number): string {
  const t = ctx.tensor(index);
  const outRank = ctx.tensor(outIndex).shape.length;
  if (outRank !== 4 || t.shape.length === 4 || t.shape.every((d) => d === 1)) return ctx.value(index);
  if (t.data === undefined) throw ctx.fail(`broadcasting the non-constant rank-${t.shape.length} '${t.name}' against a 4-D tensor`);
  const nhwc = [...new Array<number>(4 - t.shape.length).fill(1), ...t.shape];
  return ctx.initializer(t.name, onnxShapeFromIr(nhwc), t.dtype, transposeData(t.data, nhwc, NHWC_TO_NCHW, dtypeBytes(t.dtype)));
}

function exportConv(ctx: ExportContext, node: NodeOf<'Conv2D'> | NodeOf<'DepthwiseConv2D'>): void {
  const x = ctx.tensor(node.inputs[0]);
  const w = ctx.tensor(node.inputs[1]);
  const a = node.attrs;
  const [, kH, kW] = w.shape;
  const e = explicitPadding(x.shape[1], x.shape[2], kH, kW, a.strideH, a.strideW, a.dilationH, a.dilationW, a.padding);
  const depthwise = node.op === 'DepthwiseConv2D';
  // OHWI → OIHW; depthwise [1, kH, kW, C·M] → [C·M, 1, kH, kW]
  const perm = depthwise ? [3, 0, 1, 2] : [0, 3, 1, 2];
  const weights = weightOperand(ctx, node.inputs[1], perm.map((p) => w.shape[p]), (d, b) => transposeData(d, w.shape, perm, b), 0, depthwise ? 3 : 0);
  const inputs = [ctx.value(node.inputs[0]), weights];
  if (node.inputs[2] !== undefined && node.inputs[2] >= 0) inputs.push(ctx.value(node.inputs[2]));
  const attrs = {
    kernel_shape: [kH, kW],
    strides: [a.strideH, a.strideW],
    dilations: [a.dilationH, a.dilationW],
    pads: [e.top, e.left, e.bottom, e.right],
    // depthwise: one group per input channel; grouped Conv2D: the filter holds Ci / groups channels
    group: depthwise ? x.shape[3] : x.shape[3] / w.shape[3],
  };
  withActivation(ctx, node, a.activation, (out) => ctx.emit('Conv', inputs, [out], attrs));
}

/**
 * TransposeConv2D → ConvTranspose: OHWI weights → [Ci, Co, kH, kW]; the padding before as TFLite computes it, the
 * padding after from the output size (an output larger than the windows cover is ONNX's output_padding).
 */
function exportTransposeConv(ctx: ExportContext, node: NodeOf<'TransposeConv2D'>): void {
  const x = ctx.tensor(node.inputs[0]);
  const w = ctx.tensor(node.inputs[1]);
  const a = node.attrs;
  const [, kH, kW] = w.shape;
  const p = typeof a.padding === 'string' ? explicitPadding(a.outputH, a.outputW, kH, kW, a.strideH, a.strideW, 1, 1, a.padding) : a.padding;
  const after = (inSize: number, stride: number, k: number, before: number, out: number): number => (inSize - 1) * stride + k - before - out;
  const bottom = after(x.shape[1], a.strideH, kH, p.top, a.outputH);
  const right = after(x.shape[2], a.strideW, kW, p.left, a.outputW);
  const perm = [3, 0, 1, 2];
  const weights = weightOperand(ctx, node.inputs[1], perm.map((d) => w.shape[d]), (d, b) => transposeData(d, w.shape, perm, b), 1, 0);
  const inputs = [ctx.value(node.inputs[0]), weights];
  if (node.inputs[2] !== undefined && node.inputs[2] >= 0) inputs.push(ctx.value(node.inputs[2]));
  const attrs = {
    kernel_shape: [kH, kW],
    strides: [a.strideH, a.strideW],
    pads: [p.top, p.left, Math.max(bottom, 0), Math.max(right, 0)],
    output_padding: [Math.max(-bottom, 0), Math.max(-right, 0)],
  };
  withActivation(ctx, node, a.activation, (out) => ctx.emit('ConvTranspose', inputs, [out], attrs));
}

function exportPool(ctx: ExportContext, node: NodeOf<'MaxPool2D'> | NodeOf<'AveragePool2D'>): void {
  const x = ctx.tensor(node.inputs[0]);
  const a = node.attrs;
  const e = explicitPadding(x.shape[1], x.shape[2], a.filterH, a.filterW, a.strideH, a.strideW, 1, 1, a.padding);
  const attrs: Record<string, number | number[]> = { kernel_shape: [a.filterH, a.filterW], strides: [a.strideH, a.strideW], pads: [e.top, e.left, e.bottom, e.right] };
  if (node.op === 'AveragePool2D') attrs.count_include_pad = 0;
  withActivation(ctx, node, a.activation, (out) => ctx.emit(node.op === 'MaxPool2D' ? 'MaxPool' : 'AveragePool', [ctx.value(node.inputs[0])], [out], attrs));
}

/**
 * IR FullyConnected → Gemm (rank-2 input), Flatten + Gemm (4-D input: weight columns reordered from H·W·C to C·H·W),
 * or MatMul + Add (keepNumDims on rank 3).
 */
function exportFullyConnected(ctx: ExportContext, node: NodeOf<'FullyConnected'>): void {
  const x = ctx.tensor(node.inputs[0]);
  const w = ctx.tensor(node.inputs[1]);
  const [outDim, inDim] = w.shape;
  // Weight columns are reordered (IR bytes → ONNX bytes) by these steps, applied to float or int8 data alike.
  const steps: ((d: Uint8Array, b: number) => Uint8Array)[] = [];
  const reorder = (d: Uint8Array, b: number): Uint8Array => steps.reduce((x, f) => f(x, b), d);
  let input = ctx.value(node.inputs[0]);
  const bias = node.inputs[2] !== undefined && node.inputs[2] >= 0 ? ctx.value(node.inputs[2]) : undefined;
  const chw = ctx.chwColumns.get(node.inputs[0]);
  if (chw !== undefined) steps.push((d, b) => transposeData(d, [outDim, chw.h, chw.w, chw.c], [0, 3, 1, 2], b));
  if (node.attrs.keepNumDims && x.shape.length !== 2) {
    if (x.shape.length === 4) throw ctx.fail('keepNumDims on a 4-D input');
    steps.push((d, b) => transposeData(d, w.shape, [1, 0], b));
    const wT = weightOperand(ctx, node.inputs[1], [inDim, outDim], reorder, 1, 0);
    return withActivation(ctx, node, node.attrs.activation, (out) => {
      if (bias === undefined) return ctx.emit('MatMul', [input, wT], [out]);
      const t = ctx.tensor(node.outputs[0]);
      const product = ctx.temp(`${t.name}/matmul`, [...t.shape], t.dtype);
      ctx.emit('MatMul', [input, wT], [product], {}, 'matmul');
      ctx.emit('Add', [product, bias], [out], {}, 'bias');
    });
  }
  if (x.shape.length !== 2) {
    const rows = x.shape.reduce((p, d) => p * d, 1) / inDim;
    if (x.shape.length === 4) {
      const [n, h, wd, c] = x.shape;
      if (n !== rows) throw ctx.fail(`a 4-D input ${JSON.stringify(x.shape)} flattened to rows of ${inDim}`);
      steps.push((d, b) => transposeData(d, [outDim, h, wd, c], [0, 3, 1, 2], b));
      const flat = ctx.temp(`${x.name}/flat`, [rows, inDim], x.dtype);
      ctx.emit('Flatten', [input], [flat], { axis: 1 }, 'flatten');
      input = flat;
    } else {
      const flat = ctx.temp(`${x.name}/rows`, [rows, inDim], x.dtype);
      ctx.emit('Reshape', [input, ctx.int64s(`${node.name}/rows_shape`, [rows, inDim])], [flat], {}, 'rows');
      input = flat;
    }
  }
  const weights = weightOperand(ctx, node.inputs[1], [outDim, inDim], reorder, 0, 0);
  withActivation(ctx, node, node.attrs.activation, (out) => ctx.emit('Gemm', bias === undefined ? [input, weights] : [input, weights, bias], [out], { transB: 1 }));
}

/**
 * Reshape / Squeeze: the IR reshapes NHWC memory. A 4-D input is brought to NHWC order first and a 4-D output back to
 * NCHW, unless the transpose only moves size-1 dims. A Reshape to [N, H·W·C] read only by FullyConnected is written
 * as Flatten, its readers' weight columns reordered instead (the reader's flatten rule in reverse).
 */
function exportReshape(ctx: ExportContext, node: NodeOf<'Reshape'> | NodeOf<'Squeeze'>): void {
  const x = ctx.tensor(node.inputs[0]);
  const outT = ctx.tensor(node.outputs[0]);
  const readers = ctx.graph.nodes.filter((n) => n.inputs.includes(node.outputs[0]));
  const inMoves = x.shape.length === 4 && !isDataPreservingPerm(onnxShapeFromIr(x.shape), NCHW_TO_NHWC);
  const outMoves = outT.shape.length === 4 && !isDataPreservingPerm(outT.shape, NHWC_TO_NCHW);
  const isOutput = ctx.graph.outputs.includes(node.outputs[0]);
  if (inMoves && outT.shape.length === 2 && outT.shape[0] === x.shape[0] && !isOutput && readers.length > 0 && readers.every((r) => r.op === 'FullyConnected' && r.inputs[0] === node.outputs[0] && r.inputs[1] !== node.outputs[0])) {
    const [, h, w, c] = x.shape;
    ctx.chwColumns.set(node.outputs[0], { c, h, w });
    ctx.emit('Flatten', [ctx.value(node.inputs[0])], [ctx.output(node.outputs[0])], { axis: 1 });
    return;
  }
  let source = ctx.value(node.inputs[0]);
  if (inMoves) {
    const nhwc = ctx.temp(`${x.name}/nhwc`, [...x.shape], x.dtype);
    ctx.emit('Transpose', [source], [nhwc], { perm: [...NCHW_TO_NHWC] }, 'to_nhwc');
    source = nhwc;
  }
  if (outMoves) {
    const flat = ctx.temp(`${outT.name}/nhwc`, [...outT.shape], outT.dtype);
    ctx.emit('Reshape', [source, ctx.int64s(`${node.name}/shape`, outT.shape)], [flat], {}, 'reshape');
    ctx.emit('Transpose', [flat], [ctx.output(node.outputs[0])], { perm: [...NHWC_TO_NCHW] }, 'to_nchw');
    return;
  }
  ctx.emit('Reshape', [source, ctx.int64s(`${node.name}/shape`, onnxShapeFromIr(outT.shape))], [ctx.output(node.outputs[0])]);
}

function exportMean(ctx: ExportContext, node: NodeOf<'Mean'>): void {
  const x = ctx.tensor(node.inputs[0]);
  const rank = x.shape.length;
  const axes = constantInts(ctx.tensor(node.inputs[1])).map((a) => onnxAxisFromIr(a, rank)).sort((p, q) => p - q);
  if (!node.attrs.keepDims && rank === 4) {
    const keptIr = [0, 1, 2, 3].filter((a) => !axes.includes(onnxAxisFromIr(a, 4)) && x.shape[a] !== 1).map((a) => onnxAxisFromIr(a, 4));
    if (keptIr.some((a, i) => i > 0 && keptIr[i - 1] > a)) throw ctx.fail('dropping axes reorders the remaining ones between NHWC and NCHW');
  }
  const keepdims = node.attrs.keepDims ? 1 : 0;
  if (ctx.opset >= 18) ctx.emit('ReduceMean', [ctx.value(node.inputs[0]), ctx.int64s(`${node.name}/axes`, axes)], [ctx.output(node.outputs[0])], { keepdims });
  else ctx.emit('ReduceMean', [ctx.value(node.inputs[0])], [ctx.output(node.outputs[0])], { axes, keepdims });
}

function exportPad(ctx: ExportContext, node: NodeOf<'Pad'>): void {
  const x = ctx.tensor(node.inputs[0]);
  const rank = x.shape.length;
  const p = constantInts(ctx.tensor(node.inputs[1]));
  const begins: number[] = [];
  const ends: number[] = [];
  for (let k = 0; k < rank; k++) {
    const j = irAxisFromOnnx(k, rank);
    begins.push(p[2 * j]);
    ends.push(p[2 * j + 1]);
  }
  const inputs = [ctx.value(node.inputs[0]), ctx.int64s(`${node.name}/pads`, [...begins, ...ends])];
  if (node.inputs[2] !== undefined && node.inputs[2] >= 0) inputs.push(ctx.value(node.inputs[2]));
  ctx.emit('Pad', inputs, [ctx.output(node.outputs[0])], { mode: 'constant' });
}

function exportQdq(ctx: ExportContext, node: Node, opType: 'QuantizeLinear' | 'DequantizeLinear', quant: Quantization | undefined): void {
  const q = ctx.tensor(opType === 'QuantizeLinear' ? node.outputs[0] : node.inputs[0]);
  if (quant === undefined) throw ctx.fail(`'${q.name}' has no quantization parameters`);
  const perAxis = quant.scale.length > 1;
  const dims = perAxis ? [quant.scale.length] : [];
  const scale = ctx.initializer(`${q.name}/scale`, dims, 'float32', new Uint8Array(Float32Array.from(quant.scale).buffer));
  const zpData = new Uint8Array(quant.zeroPoint.length * dtypeBytes(q.dtype));
  const view = new DataView(zpData.buffer);
  quant.zeroPoint.forEach((z, i) => (q.dtype === 'int16' ? view.setInt16(2 * i, z, true) : q.dtype === 'int8' ? view.setInt8(i, z) : view.setUint8(i, z)));
  const zp = ctx.initializer(`${q.name}/zero_point`, dims, q.dtype, zpData);
  const attrs: Record<string, number> = perAxis ? { axis: onnxAxisFromIr(quant.axis, q.shape.length) } : {};
  ctx.emit(opType, [ctx.value(node.inputs[0]), scale, zp], [ctx.output(node.outputs[0])], attrs);
}
