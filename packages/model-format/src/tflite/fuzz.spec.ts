import { isTinyforgeError, validateGraph } from '@tinyforge/ir';
import { ModelFormatError } from '../errors';
import { mutateBytes, readTflite } from './index';
import { readSharedModel, SHARED_MODELS_DIR, sharedModelNames } from './shared-models';

const models = sharedModelNames();
const d = models.length > 0 ? describe : describe.skip;
if (models.length === 0) console.warn(`TFLite fuzz test skipped: no models in ${SHARED_MODELS_DIR}`);

// Replayable: seed of case k of model m is BASE_SEED + m * MUTATIONS_PER_MODEL + k (same as scripts/fuzz.js).
const BASE_SEED = 20261124;
const MUTATIONS_PER_MODEL = 800;
/** Hang guard only (a mutant normally takes well under 10 ms); timings belong to `npm run bench -- read-model`. */
const MAX_MS_PER_CASE = 60_000;

d('TFLite reader under seeded mutations', () => {
  it.each(models.map((name, m) => [name, m] as const))('%s: every mutant gives a valid graph or a ModelFormatError', (name, m) => {
    const original = readSharedModel(name);
    const outcome = { parsed: 0, rejected: {} as Record<string, number> };
    for (let k = 0; k < MUTATIONS_PER_MODEL; k++) {
      const seed = BASE_SEED + m * MUTATIONS_PER_MODEL + k;
      const mutant = mutateBytes(original, seed);
      const t0 = performance.now();
      try {
        const g = readTflite(mutant.bytes, { file: name });
        expect(validateGraph(g)).toEqual([]);
        outcome.parsed++;
      } catch (e) {
        if (!(e instanceof ModelFormatError)) {
          throw new Error(`seed ${seed} (${mutant.description}) threw ${isTinyforgeError(e) ? e.code : String(e)}`);
        }
        outcome.rejected[e.code] = (outcome.rejected[e.code] ?? 0) + 1;
      }
      const ms = performance.now() - t0;
      if (ms > MAX_MS_PER_CASE) throw new Error(`seed ${seed} (${mutant.description}) took ${ms.toFixed(0)} ms`);
    }
    // Sanity: the mutations must actually reach the parser's checks, not only flip weight bits.
    expect(Object.values(outcome.rejected).reduce((a, b) => a + b, 0)).toBeGreaterThan(MUTATIONS_PER_MODEL / 10);
    console.log(`${name}: ${outcome.parsed} parsed, rejected ${JSON.stringify(outcome.rejected)}`);
  });
});
