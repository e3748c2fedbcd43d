export { readOnnx, ONNX_MIN_OPSET, ONNX_MAX_OPSET } from './read-onnx';
export type { ReadOnnxOptions } from './read-onnx';
export { writeOnnx } from './write-onnx';
export type { WriteOnnxOptions } from './write-onnx';
export { ONNX_IMPORTERS } from './import-ops';
