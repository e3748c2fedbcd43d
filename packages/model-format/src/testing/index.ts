// Fuzzing support: seeded structure-aware mutations of model files (the fuzz specs and `npm run fuzz`).
export { mutateBytes } from '../tflite/fuzz-mutations';
export type { Mutant, MutationKind } from '../tflite/fuzz-mutations';
// PyTorch-style ONNX recurrent models (LSTM/GRU classifiers) built in code.
export { recurrentOnnxModel } from './recurrent-onnx';
export type { RecurrentOnnxOptions } from './recurrent-onnx';
// Small hand-written ONNX models (nodes in any order, ops the IR writer does not emit) for tests.
export { onnxTestModel } from '../onnx/onnx-test-model';
export type { OnnxTestModel, OnnxTestNode } from '../onnx/onnx-test-model';
export { FuzzSeed, MUTATION_KINDS, structuredMutant } from '../fuzz/mutate';
export type { SeedFormat, StructuredMutant } from '../fuzz/mutate';
export { appendChain, appendWide, reinferShapes } from '../fuzz/graph-mutations';
export { HOSTILE_NAMES } from '../fuzz/hostile-names';
export { cloneTree, decodeTfliteTree, encodeTfliteTree, float32Vector, int32Vector, int64Vector, scalar, scalarValue, tableOf, tablesOf, vectorValues } from '../fuzz/tflite-tree';
export type { FbTable, FbValue } from '../fuzz/tflite-tree';
export { BUFFER, MODEL, OPERATOR, QUANTIZATION, SUBGRAPH, TENSOR } from '../tflite/schema';
