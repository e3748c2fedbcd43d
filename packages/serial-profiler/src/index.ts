export { ProfilerError } from './errors';
export type { ProfilerErrorCode } from './errors';
export * from './protocol';
export * from './report';
export * from './transport';
export * from './profile';
export { profileLayerTableC } from './c-layer-table';
export { BOARD_C_DIR, BOARD_C_SOURCES } from './board-c';
