export { OUTCOMES, runCampaign } from './campaign';
export type { CampaignOptions, CampaignResult, CaseOutcome, Outcome } from './campaign';
export { fuzzMain, printResult } from './cli';
export { makeHostCacheDir, runPipeline } from './pipeline';
export type { PipelineOptions, PipelineResult, PipelineRun, Stage } from './pipeline';
export { loadSeeds, SEED_DIRS } from './seeds';
export { chainGraph, wideGraph } from './scale-graphs';
