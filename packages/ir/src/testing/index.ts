// Test support for every package: the raw gold-input generator and random graphs. Not part of the IR's API.
export { goldStyleInt8, mulberry32 } from '../random';
export { randomCnn } from './random-graph';
export { floatGruGraph, floatLstmGraph } from './recurrent-graphs';
export type { SequenceModelOptions } from './recurrent-graphs';
