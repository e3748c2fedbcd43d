// Internals the quantizer's benches and rounding analyses use: one-node graphs, TFLite-vs-ONNX rounding
// explanations, a single-rounding reference run, and the steps of calibration and measurement. Not public API.
export { singleNodeGraph } from '../qdq/single-node';
export { explainLayer, mismatchCause } from '../qdq/rounding-analysis';
export type { LayerRoundingReport, MismatchCause } from '../qdq/rounding-analysis';
export { SingleRoundingRun } from '../qdq/single-rounding-run';
export { pruneTensors } from '../passes';
export { quantizeInput } from '../report/measure';
export { imageToTensor } from '../calibration/images';
export { encodeNpy } from '../calibration/npy';
export { decodePng } from '../calibration/png';
