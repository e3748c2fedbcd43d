/**
 * Training on a synthetic task. The training runs in a Node process of its own (run-outside-jest): under jest's vm
 * context the same loops take about 2.5 times as long.
 */
import type { EpochLog } from './trainer';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runOutsideJest } = require('../../../../tools/testing/run-outside-jest') as { runOutsideJest: <T>(module: string, name: string, args: unknown[]) => T };
const RUNS = require.resolve('../test-support/training-runs');

describe('train', () => {
  it('learns a simple task (held-out accuracy far above the 33 % of guessing) and the loss falls', () => {
    const { logs, heldOutAccuracy } = runOutsideJest<{ logs: EpochLog[]; heldOutAccuracy: number }>(RUNS, 'learnSyntheticTask', []);
    expect(logs).toHaveLength(2);
    expect(logs[1].meanLoss).toBeLessThan(logs[0].meanLoss);
    expect(heldOutAccuracy).toBeGreaterThanOrEqual(0.9);
  }, 300_000);

  it('is reproducible: the same seed gives identical weights, another seed different ones', () => {
    expect(runOutsideJest(RUNS, 'trainingReproducibility', [])).toEqual({ sameSeedIdentical: true, otherSeedDiffers: true });
  }, 300_000);
});
