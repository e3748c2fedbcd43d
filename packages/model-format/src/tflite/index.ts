export { readTflite } from './reader';
export type { ReadTfliteOptions } from './reader';
