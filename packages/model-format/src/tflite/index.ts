export { readTflite } from './reader';
export type { ReadTfliteOptions } from './reader';
export { writeTflite } from './writer';
