/**
 * A seeded 150 structure-aware mutants through the whole pipeline, in worker processes with the campaign's per-case
 * bounds: the campaign machinery on every seed model and stage, kept short for npm test (the 10,000-mutant campaigns
 * are `npm run fuzz`). Small seed models keep it short; every accepted mutant's reference and host outputs are
 * compared byte for byte.
 */
import * as fs from 'fs';
import * as path from 'path';
import { runCampaign } from './campaign';

const SHARED = path.resolve(__dirname, '../../../../shared');
const WORKER = path.resolve(__dirname, '../dist/worker.js');
const ready = fs.existsSync(path.join(SHARED, 'models')) && fs.existsSync(WORKER);
const d = ready ? describe : describe.skip;
if (!ready) console.warn(`fuzz campaign spec skipped: needs ${SHARED} and the built worker (${WORKER})`);

/** A hang guard only (CPU per case; the campaign's bound is 10 s): tests never assert time. */
const CPU_GUARD_MS = 120_000;

d('the fuzz campaign in npm test', () => {
  it.each([
    ['tflite', 100, ['hello_world_int8.tflite', 'hello_world_float.tflite', 'kws_dscnn_int8.tflite', 'ad_autoencoder_int8.tflite', 'micro_speech_quantized.tflite', 'sww_int8.tflite']],
    ['onnx', 50, ['hello_world_float.tflite→onnx', 'ad_autoencoder_float.tflite→onnx']],
  ] as const)('%s: %i mutants, none INTERNAL, crashing, disagreeing, or over 1 GiB', async (format, count, models) => {
    const r = await runCampaign({
      format,
      sharedDir: SHARED,
      count,
      seed: 21_000,
      models: [...models],
      workers: 1,
      cpuLimitMs: CPU_GUARD_MS,
      wallLimitMs: 600_000,
      memoryLimitBytes: 2 ** 30,
      workerScript: WORKER,
    });
    console.log(`${format}: ${JSON.stringify(r.counts)}; typed ${JSON.stringify(r.typedCodes)}; largest peak ${Math.round(r.maxPeakRssBytes / 2 ** 20)} MiB`);
    expect(r.failures.map((f) => `${f.outcome} ${f.model} seed ${f.seed} [${f.report?.kinds.join(',')}] ${f.report?.description ?? f.detail}`)).toEqual([]);
    expect(r.counts.typed + r.counts.success).toBe(count);
    // The mutants reach every stage: some are refused, some run on both engines and agree.
    expect(r.counts.typed).toBeGreaterThan(count / 10);
    expect(r.counts.success).toBeGreaterThan(count / 20);
  }, 1_800_000);
});
