import { foldTransposes, Graph } from '@tinyforge/ir';
import { dequantizeWeights } from './dequantize-weights';
import { foldBatchNorm } from './fold-batch-norm';
import { foldBiasAdd } from './fold-bias-add';
import { foldConstants } from './fold-constants';
import { fuseActivations } from './fuse-activation';
import { removeIdentity } from './remove-identity';

export { dequantizeWeights, hybridWeights } from './dequantize-weights';
export { foldBatchNorm, batchNormAffine } from './fold-batch-norm';
export { foldBiasAdd } from './fold-bias-add';
export { foldConstants } from './fold-constants';
export { fuseActivations } from './fuse-activation';
export { removeIdentity } from './remove-identity';

export interface NamedPass {
  name: string;
  run: (graph: Graph) => Graph;
}

/**
 * The float passes, in order. (Gemm/MatMul with constant weights already arrive as FullyConnected and NCHW as NHWC:
 * the ONNX importer does both.) A hybrid model's int8 weights are dequantized first (it is then a float model);
 * transposes that cancel or move no bytes go next (ir's foldTransposes, which the ONNX importer also runs); constants
 * are folded next so batch-norm parameters and weights are plain constants.
 */
export const FLOAT_PASSES: readonly NamedPass[] = [
  { name: 'dequantize-weights', run: dequantizeWeights },
  { name: 'remove-identity', run: removeIdentity },
  { name: 'fold-transposes', run: foldTransposes },
  { name: 'fold-constants', run: foldConstants },
  { name: 'fold-batch-norm', run: foldBatchNorm },
  { name: 'fold-bias-add', run: foldBiasAdd },
  { name: 'fuse-activation', run: fuseActivations },
];

export function runFloatPasses(graph: Graph, passes: readonly NamedPass[] = FLOAT_PASSES): Graph {
  return passes.reduce((g, p) => p.run(g), graph);
}
export { pruneTensors } from '@tinyforge/ir';
