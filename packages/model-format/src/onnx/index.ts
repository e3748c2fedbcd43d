export { readOnnx, ReadOnnxOptions, ONNX_MIN_OPSET, ONNX_MAX_OPSET } from './read-onnx';
export { writeOnnx, WriteOnnxOptions } from './write-onnx';
export { ONNX_IMPORTERS } from './import-ops';
