export * from './dataset';
export * from './dataset-error';
export * from './idx';
export { evaluateGraph, ModelEvaluation } from './evaluate-model';
export { INPUT_NAME, networkToGraph, OUTPUT_NAME } from './export-graph';
export { ModelSummary, summarizeGraph } from './model-summary';
export { FASHION_MNIST_CNN, INPUT_SHAPE, LayerSpec, Network } from './training/network';
export { DEFAULT_TRAIN_OPTIONS, evaluateNetwork, EpochLog, Evaluation, train, TrainOptions } from './training/trainer';
export { encodeNpy, splitToNpy } from './npy';
