import { GraphBuilder, isTinyforgeError, validateGraph } from '@tinyforge/ir';
import { ModelFormatError } from '../errors';
import { mutateBytes, readTflite, writeTflite } from './index';
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

describe('TFLite reader under seeded mutations: what issue 18 added', () => {
  /** int8 grouped CONV_2D, TRANSPOSE_CONV (SAME, and explicit pads written as VALID + STRIDED_SLICE), TILE, an NCHW input. */
  function model(): Uint8Array {
    const b = new GraphBuilder('issue18');
    const q = (s: number, z: number) => ({ scale: [s], zeroPoint: [z], axis: 0 });
    const x = b.input({ name: 'x', shape: [1, 4, 3, 3], dtype: 'int8', quant: q(0.1, 0) });
    const perm = b.constant({ name: 'perm', shape: [4], dtype: 'int32' }, Int32Array.of(0, 2, 3, 1));
    const nhwc = b.node('Transpose', {}, [x, perm], { name: 'nhwc', dtype: 'int8', quant: q(0.1, 0) });
    const wq = { scale: [0.01, 0.02], zeroPoint: [0, 0], axis: 0 };
    const wg = b.constant({ name: 'wg', shape: [2, 1, 1, 2], dtype: 'int8', quant: wq }, Int8Array.of(1, 2, 3, 4));
    const g = b.node('Conv2D', { strideH: 1, strideW: 1, padding: 'valid' }, [nhwc, wg], { name: 'g', dtype: 'int8', quant: q(0.05, 1) });
    const wt = b.constant({ name: 'wt', shape: [2, 2, 2, 2], dtype: 'int8', quant: wq }, Int8Array.from({ length: 16 }, (_, i) => i - 8));
    const same = b.node('TransposeConv2D', { strideH: 2, strideW: 2, padding: 'same', outputH: 6, outputW: 6 }, [g, wt], { name: 'same', dtype: 'int8', quant: q(0.05, 1) });
    const cropped = b.node('TransposeConv2D', { strideH: 2, strideW: 2, padding: { top: 1, left: 1, bottom: 1, right: 1 }, outputH: 10, outputW: 10 }, [same, wt], { name: 'cropped', dtype: 'int8', quant: q(0.05, 1) });
    const m = b.constant({ name: 'm', shape: [4], dtype: 'int32' }, Int32Array.of(1, 1, 1, 2));
    const graph = b.output(b.node('Tile', {}, [cropped, m], { name: 'y', dtype: 'int8', quant: q(0.05, 1) })).build();
    graph.tensors[graph.inputs[0]].layout = 'NCHW';
    return writeTflite(graph);
  }

  it('every mutant gives a valid graph or a ModelFormatError, quickly', () => {
    const original = model();
    expect(validateGraph(readTflite(original))).toEqual([]);
    const outcome = { parsed: 0, rejected: {} as Record<string, number> };
    for (let k = 0; k < 400; k++) {
      const seed = BASE_SEED + 1_000_000 + k;
      const mutant = mutateBytes(original, seed);
      const t0 = performance.now();
      try {
        expect(validateGraph(readTflite(mutant.bytes, { file: 'issue18.tflite' }))).toEqual([]);
        outcome.parsed++;
      } catch (e) {
        if (!(e instanceof ModelFormatError)) throw new Error(`seed ${seed} (${mutant.description}) threw ${isTinyforgeError(e) ? e.code : String(e)}`);
        outcome.rejected[e.code] = (outcome.rejected[e.code] ?? 0) + 1;
      }
      if (performance.now() - t0 > MAX_MS_PER_CASE) throw new Error(`seed ${seed} (${mutant.description}) is slow`);
    }
    console.log(`issue 18 model: ${outcome.parsed} parsed, rejected ${JSON.stringify(outcome.rejected)}`);
    expect(Object.values(outcome.rejected).reduce((a, b) => a + b, 0)).toBeGreaterThan(40);
  });
});
