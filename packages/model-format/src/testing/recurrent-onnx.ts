import { seededUniform } from '@tinyforge/ir';
import { onnx } from '@tinyforge/onnx-proto';

export interface RecurrentOnnxOptions {
  cell: 'LSTM' | 'GRU';
  seed: number;
  seq: number;
  batch: number;
  features: number;
  hidden: number;
  classes: number;
  /** PyTorch's batch_first (exported as Transposes around a time-major recurrence). */
  batchFirst?: boolean;
}

const floatTensor = (name: string, dims: number[], values: ArrayLike<number>): onnx.ITensorProto => ({
  name,
  dims,
  dataType: onnx.TensorProto.DataType.FLOAT,
  rawData: new Uint8Array(Float32Array.from(values).buffer),
});
const int64Tensor = (name: string, values: number[]): onnx.ITensorProto => ({
  name,
  dims: [values.length],
  dataType: onnx.TensorProto.DataType.INT64,
  rawData: new Uint8Array(BigInt64Array.from(values.map(BigInt)).buffer),
});
const valueInfo = (name: string, dims: number[]): onnx.IValueInfoProto => ({
  name,
  type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: dims.map((d) => ({ dimValue: d })) } } },
});

/**
 * A model the way PyTorch exports `nn.LSTM` / `nn.GRU` followed by a linear classifier on the final hidden state
 * (opset 14): [Transpose →] LSTM|GRU (W, R, B initializers, zero initial state) → Y_h → Squeeze(axis 0) → Gemm →
 * logits, and the whole output sequence Y → Squeeze(axis 1) as a second output.
 * Weights are seeded uniform in ±1/√hidden (PyTorch's initialisation range).
 */
export function recurrentOnnxModel(o: RecurrentOnnxOptions): Uint8Array {
  const rnd = seededUniform(o.seed);
  const k = 1 / Math.sqrt(o.hidden);
  const uniform = (n: number): number[] => Array.from({ length: n }, () => (2 * rnd() - 1) * k);
  const gates = o.cell === 'LSTM' ? 4 : 3;
  const H = o.hidden;
  const initializers = [
    floatTensor('W', [1, gates * H, o.features], uniform(gates * H * o.features)),
    floatTensor('R', [1, gates * H, H], uniform(gates * H * H)),
    floatTensor('B', [1, 2 * gates * H], uniform(2 * gates * H)),
    floatTensor('h0', [1, o.batch, H], new Array<number>(o.batch * H).fill(0)),
    floatTensor('fc_w', [o.classes, H], uniform(o.classes * H)),
    floatTensor('fc_b', [o.classes], uniform(o.classes)),
    int64Tensor('direction_axis', [1]),
    int64Tensor('layer_axis', [0]),
  ];
  const nodes: onnx.INodeProto[] = [];
  let x = 'input';
  if (o.batchFirst) {
    nodes.push({ opType: 'Transpose', input: ['input'], output: ['x_tm'], attribute: [{ name: 'perm', type: onnx.AttributeProto.AttributeType.INTS, ints: [1, 0, 2] }] });
    x = 'x_tm';
  }
  const recurrentInputs = o.cell === 'LSTM' ? [x, 'W', 'R', 'B', '', 'h0', 'c0'] : [x, 'W', 'R', 'B', '', 'h0'];
  if (o.cell === 'LSTM') initializers.push(floatTensor('c0', [1, o.batch, H], new Array<number>(o.batch * H).fill(0)));
  const attrs: onnx.IAttributeProto[] = [{ name: 'hidden_size', type: onnx.AttributeProto.AttributeType.INT, i: H }];
  if (o.cell === 'GRU') attrs.push({ name: 'linear_before_reset', type: onnx.AttributeProto.AttributeType.INT, i: 1 });
  nodes.push({ opType: o.cell, name: o.cell.toLowerCase(), input: recurrentInputs, output: ['y', 'y_h'], attribute: attrs });
  nodes.push({ opType: 'Squeeze', input: ['y', 'direction_axis'], output: ['sequence'] });
  nodes.push({ opType: 'Squeeze', input: ['y_h', 'layer_axis'], output: ['h_last'] });
  nodes.push({ opType: 'Gemm', input: ['h_last', 'fc_w', 'fc_b'], output: ['logits'], attribute: [{ name: 'transB', type: onnx.AttributeProto.AttributeType.INT, i: 1 }] });
  const inputDims = o.batchFirst ? [o.batch, o.seq, o.features] : [o.seq, o.batch, o.features];
  const model: onnx.IModelProto = {
    irVersion: 8,
    producerName: 'pytorch-style test model',
    opsetImport: [{ domain: '', version: 14 }],
    graph: {
      name: `${o.cell.toLowerCase()}_classifier`,
      node: nodes,
      initializer: initializers,
      input: [valueInfo('input', inputDims)],
      output: [valueInfo('logits', [o.batch, o.classes]), valueInfo('sequence', [o.seq, o.batch, H])],
    },
  };
  return new Uint8Array(onnx.ModelProto.encode(model).finish());
}
