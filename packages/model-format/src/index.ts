export * from './errors';
export * from './tflite';
