// Test support: check a memory plan against its graph (overlaps, lifetimes, alignment, scratch) and the per-node
// memory facts the check takes; the arena bench and the planner specs use them. Not public API.
export { checkPlan } from '../memory/checker';
export { buildPlanProblem, lowerBound } from '../memory/liveness';
export { nodeMemory } from '../lower/node-memory';
export { reorderForPeak } from '../memory/reorder';
