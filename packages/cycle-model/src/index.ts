// Estimated Cortex-M cycles on virtual boards: QEMU's execution log, counted per translation block and layer, weighted
// with a core's timing model. See README.md for the models, the memory assumption and what is not modelled.
export { CycleModelError } from './errors';
export type { CycleModelErrorCode } from './errors';
export { decodeInstruction, parseInAsmLine } from './instruction';
export type { Instruction, InstructionKind } from './instruction';
export { TraceParser, OUTSIDE, BETWEEN_LAYERS, layerSegment } from './trace-parser';
export type { Block, LayerHooks, TraceProfile } from './trace-parser';
export { STALL_CAUSES } from './timing/model';
export type { BlockExit, CoreName, Cost, StallCause, TimingModel } from './timing/model';
export { cortexM4, M4_DIVIDE_CYCLES } from './timing/cortex-m4';
export { cortexM7 } from './timing/cortex-m7';
export { estimateCycles, stallShare, timingModelFor, TIMING_MODELS } from './estimate';
export type { CycleEstimate, TraceEstimate } from './estimate';
export { layerHooksFromElf, readSymbols } from './elf-symbols';
export type { ElfSymbol, HookNames } from './elf-symbols';
export { runTraced } from './qemu-trace';
export type { TracedRun, TracedRunOptions } from './qemu-trace';
