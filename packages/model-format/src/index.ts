export { LIMITS, ModelFormatError } from './errors';
export type { ModelFormatErrorCode, UnsupportedFeature } from './errors';
export { readTflite, writeTflite } from './tflite';
export type { ReadTfliteOptions } from './tflite';
export * from './onnx';
export * from './load';
