export * from './errors';
export { checkPlan } from './memory/checker';
export { buildPlanProblem, lowerBound } from './memory/liveness';
export { planMemory } from './memory/plan';
export type { MemoryPlan, PlannedBuffer, PlannerKind, PlanOptions, SharedPair } from './memory/plan';
export { reorderForPeak } from './memory/reorder';
export type { BufferKind, InPlaceRule, PlanBuffer, PlanProblem } from './memory/types';
export { nodeMemory, streamDisplacement } from './lower/node-memory';
