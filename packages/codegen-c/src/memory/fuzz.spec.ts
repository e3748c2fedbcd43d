import { nodeMemory } from '../lower/node-memory';
import { randomCnn } from '@tinyforge/ir/testing';
import { checkPlan } from './checker';
import { planMemory } from './plan';

// Seeded random graphs through every planner configuration; the independent checker must accept every plan.
const SEEDS = Number(process.env.TINYFORGE_PLAN_FUZZ_SEEDS ?? 150);

describe('planner fuzz (random CNNs with skips, views and heads)', () => {
  it(`plans ${SEEDS} random graphs soundly in every configuration`, () => {
    const failures: string[] = [];
    for (let seed = 1000; seed < 1000 + SEEDS; seed++) {
      const g = randomCnn(seed, 14);
      const scratch = (n: number): number => nodeMemory(g, g.nodes[n]).scratchBytes;
      for (const planner of ['greedy', 'optimal'] as const) {
        for (const inPlace of [false, true]) {
          for (const align of [4, 16]) {
            const plan = planMemory(g, { planner, inPlace, align, timeLimitMs: 20 });
            const problems = checkPlan(g, plan, scratch);
            if (problems.length > 0) failures.push(`seed ${seed} ${planner} inPlace=${inPlace} align=${align}: ${problems[0]}`);
            if (!inPlace && plan.arenaSize < plan.lowerBound) failures.push(`seed ${seed}: arena below the lower bound without sharing`);
            if (plan.arenaSize < plan.lowerBoundWithSharing) failures.push(`seed ${seed}: arena below its own bound`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
  });
});
