export * from './errors';
export * from './tflite';
export * from './onnx';
export * from './load';
