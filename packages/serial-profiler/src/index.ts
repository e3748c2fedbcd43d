export { ProfilerError } from './errors';
export type { ProfilerErrorCode } from './errors';
export * from './protocol';
export * from './report';
export * from './transport';
export * from './profile';
export { profileLayerTableC } from './c-layer-table';
