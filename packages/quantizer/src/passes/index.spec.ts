import { maxAbsDiff, randomFloats, runFloat, seeded, smallCnn } from '../test-support/float-graphs';
import { runFloatPasses } from './index';

const input = [randomFloats(8 * 8 * 3, seeded(7))];

describe('the float pass pipeline', () => {
  it('the pipeline leaves the small CNN with six nodes and the same outputs', () => {
    const g = smallCnn();
    const out = runFloatPasses(g);
    expect(out.nodes).toHaveLength(6);
    expect(maxAbsDiff(runFloat(g, input)[0], runFloat(out, input)[0])).toBeLessThan(1e-6);
  });
});
