export { readTflite } from './reader';
export type { ReadTfliteOptions } from './reader';
export { writeTflite } from './writer';
export { mutateBytes } from './fuzz-mutations';
export type { Mutant, MutationKind } from './fuzz-mutations';
