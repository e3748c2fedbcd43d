export { buildProgram, runCli, runStandalone, EXIT } from './main';
export { inspectGraph, formatInspect } from './commands/inspect';
export type { InspectResult, LayerSummary, TensorSummary } from './commands/inspect';
export { UsageError } from './cli-error';
export * from './pipeline';
