import type { SeedFormat } from '@tinyforge/model-format/testing';
import type { PipelineResult, Stage } from './pipeline';

/** Messages between the campaign and its worker processes. */
export type ToWorker =
  | { type: 'init'; sharedDir: string; format: SeedFormat; models?: string[]; hostCacheDir: string; noHost: boolean }
  | { type: 'case'; index: number; seed: number }
  | { type: 'go' }
  | { type: 'exit' };

export interface CaseReport {
  index: number;
  seed: number;
  model: string;
  kinds: string[];
  description: string;
  bytes: number;
  result: PipelineResult;
  stageMs: Partial<Record<Stage, number>>;
}

export type FromWorker = { type: 'ready'; seeds: string[]; schedule: number[] } | { type: 'start'; index: number } | { type: 'done'; report: CaseReport };
