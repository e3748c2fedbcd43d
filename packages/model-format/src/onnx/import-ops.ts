import { Attributes } from './attributes';
import { ImportContext } from './import-context';
import { foldConstantNode } from './import-constants';
import * as ew from './import-elementwise';
import * as nn from './import-nn';
import * as rnn from './import-rnn';
import * as shape from './import-shape';

export type OpImporter = (ctx: ImportContext, attrs: Attributes) => void;

/** An op the IR has no node for: the reader folds it (foldConstantNode) before importers run, or refuses it. */
function foldOnly(ctx: ImportContext, a: Attributes): void {
  if (!foldConstantNode(ctx, a)) throw ctx.unsupported(`${ctx.node.opType} of values computed at run time`);
}

/** ONNX operator (default domain) → importer. The single table of what the ONNX reader supports. */
export const ONNX_IMPORTERS: Readonly<Record<string, OpImporter>> = {
  Conv: nn.importConv,
  ConvTranspose: nn.importConvTranspose,
  Gemm: nn.importGemm,
  MatMul: nn.importMatMul,
  MaxPool: nn.importMaxPool,
  AveragePool: nn.importAveragePool,
  GlobalAveragePool: nn.importGlobalAveragePool,
  BatchNormalization: nn.importBatchNormalization,
  Add: ew.importAdd,
  Sub: ew.importSub,
  Mul: ew.importMul,
  Div: ew.importDiv,
  Sum: ew.importSum,
  Round: ew.unary('Round'),
  Abs: ew.unary('Abs'),
  Sign: ew.unary('Sign'),
  Cast: ew.importCast,
  Relu: ew.unary('Relu'),
  Sigmoid: ew.unary('Logistic'),
  Tanh: ew.unary('Tanh'),
  HardSwish: ew.unary('HardSwish'),
  LeakyRelu: ew.importLeakyRelu,
  Clip: ew.importClip,
  Identity: ew.unary('Identity'),
  Dropout: ew.importDropout,
  QuantizeLinear: ew.importQuantizeLinear,
  DequantizeLinear: ew.importDequantizeLinear,
  Constant: ew.importConstant,
  Flatten: shape.importFlatten,
  Reshape: shape.importReshape,
  Squeeze: shape.importSqueeze,
  Unsqueeze: shape.importUnsqueeze,
  Transpose: shape.importTranspose,
  Tile: shape.importTile,
  Concat: shape.importConcat,
  Pad: shape.importPad,
  Softmax: shape.importSoftmax,
  ReduceMean: shape.importReduceMean,
  LSTM: rnn.importLstm,
  GRU: rnn.importGru,
  // Shape arithmetic only: folded into constants at import (import-constants.ts), or refused there.
  Shape: foldOnly,
  ConstantOfShape: foldOnly,
  Gather: foldOnly,
};
