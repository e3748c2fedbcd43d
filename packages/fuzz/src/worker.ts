/**
 * The fuzz worker (a child process of the campaign): loads the seeds once, then for each case it is sent, makes the
 * mutant and runs it through the pipeline, reporting the outcome. The parent measures its time and memory per case
 * and kills it when a case goes over its bounds.
 */
import { structuredMutant } from '@tinyforge/model-format/testing';
import type { FuzzSeed } from '@tinyforge/model-format/testing';
import { runPipeline } from './pipeline';
import { loadSeeds, seedSchedule } from './seeds';
import type { CaseReport, ToWorker } from './protocol';

let seeds: FuzzSeed[] = [];
let schedule: number[] = [];
let hostCacheDir = '';
let noHost = false;
let pending: Extract<ToWorker, { type: 'case' }> | undefined;

function send(message: unknown): void {
  process.send!(message);
}

function runCase(c: Extract<ToWorker, { type: 'case' }>): void {
  const seed = seeds[schedule[c.index % schedule.length]];
  const mutant = structuredMutant(seed, c.seed);
  const { result, stageMs } = runPipeline(mutant.bytes, { file: seed.name.replace(/→.*$/, '') + (seed.format === 'onnx' ? '.onnx' : '.tflite'), format: seed.format, seed: c.seed, hostCacheDir, noHost });
  const report: CaseReport = { index: c.index, seed: c.seed, model: seed.name, kinds: mutant.kinds, description: mutant.description.slice(0, 400), bytes: mutant.bytes.length, result, stageMs };
  send({ type: 'done', report });
}

process.on('message', (m: ToWorker) => {
  if (m.type === 'init') {
    seeds = loadSeeds(m.sharedDir, m.format).filter((s) => m.models === undefined || m.models.some((name) => s.name === name || s.name.endsWith(`/${name}`) || s.name.endsWith(`/${name}.${m.format}`)));
    schedule = seedSchedule(seeds);
    hostCacheDir = m.hostCacheDir;
    noHost = m.noHost;
    send({ type: 'ready', seeds: seeds.map((s) => s.name), schedule });
  } else if (m.type === 'case') {
    // Garbage from earlier cases would count against this one's memory: collect it before the parent starts measuring.
    (globalThis as { gc?: () => void }).gc?.();
    pending = m;
    send({ type: 'start', index: m.index });
  } else if (m.type === 'go' && pending !== undefined) {
    const c = pending;
    pending = undefined;
    runCase(c);
  } else if (m.type === 'exit') {
    process.exit(0);
  }
});
