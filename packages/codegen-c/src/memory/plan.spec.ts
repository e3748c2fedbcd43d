import { Graph, GraphBuilder, Quantization } from '@tinyforge/ir';
import { nodeMemory, streamDisplacement } from '../lower/node-memory';
import { randomCnn } from '@tinyforge/ir/testing';
import { checkPlan } from './checker';
import { buildPlanProblem, lowerBound } from './liveness';
import { MemoryPlan, planMemory } from './plan';
import { reorderForPeak } from './reorder';

const Q: Quantization = { scale: [0.1], zeroPoint: [0], axis: 0 };
const scratchOf = (g: Graph) => (n: number) => nodeMemory(g, g.nodes[n]).scratchBytes;

function conv(b: GraphBuilder, x: number, name: string, inC: number, outC: number, k = 1, stride = 1): number {
  const w = b.constant({ name: `${name}_w`, shape: [outC, k, k, inC], dtype: 'int8', quant: Q }, new Int8Array(outC * k * k * inC));
  const attrs = { strideH: stride, strideW: stride, dilationH: 1, dilationW: 1, padding: 'same' as const, activation: 'none' as const };
  return b.node('Conv2D', attrs, [x, w], { name, dtype: 'int8', quant: Q });
}

/** input [1,8,8,4] → 1x1 conv to 8 channels → 1x1 conv to 2 channels → reshape → output. */
function chain(): Graph {
  const b = new GraphBuilder('chain');
  const x = b.input({ name: 'x', shape: [1, 8, 8, 4], dtype: 'int8', quant: Q });
  const a = conv(b, x, 'a', 4, 8);
  const c = conv(b, a, 'c', 8, 2);
  return b.output(b.node('Reshape', {}, [c], { name: 'flat', dtype: 'int8', quant: Q, shape: [1, 128] })).build();
}

/** x → conv a (3x3) → conv b (3x3) → add(b, shortcut(x)), shortcut a 1x1 conv: the shape of a ResNet block. */
function residual(): Graph {
  const b = new GraphBuilder('residual');
  const x = b.input({ name: 'x', shape: [1, 8, 8, 4], dtype: 'int8', quant: Q });
  const shortcut = conv(b, x, 'shortcut', 4, 16);
  const a = conv(b, x, 'a', 4, 16, 3);
  const c = conv(b, a, 'b', 16, 16, 3);
  return b.output(b.node('Add', { activation: 'none' }, [c, shortcut], { name: 'sum', dtype: 'int8', quant: Q })).build();
}

describe('liveness and lower bound', () => {
  it('computes lifetimes from the execution order, with scratch buffers at their own step', () => {
    const g = chain();
    const p = buildPlanProblem(g, [0, 1, 2]);
    const byName = Object.fromEntries(p.buffers.map((b) => [b.name, b]));
    expect([byName.x.first, byName.x.last]).toEqual([0, 0]);
    expect([byName.a.first, byName.a.last]).toEqual([0, 1]);
    expect([byName.c.first, byName.c.last]).toEqual([1, 2]);
    expect([byName.flat.first, byName.flat.last, byName.flat.kind]).toEqual([2, 2, 'output']);
    // 1x1 conv scratch, the most any path asks for: Helium's four staged input pixels, each a 16-value chunk (the
    // packed kernel's widened pair over the depth padded to 8, 32 bytes, is less here).
    expect(byName['a (scratch)']).toMatchObject({ size: 64, first: 0, last: 0 });
    expect(byName['c (scratch)']).toMatchObject({ size: 64, first: 1, last: 1 });
    // Step 0: x 256 + a 512 + scratch 64; step 1: a 512 + c 128 + scratch 64; step 2: c 128 + flat 128.
    expect(lowerBound(p)).toBe(832);
    expect(p.views).toHaveLength(1);
  });
});

describe('planMemory', () => {
  it('reaches the lower bound on a chain and aliases the reshape', () => {
    const g = chain();
    const plan = planMemory(g, { inPlace: false, align: 16 });
    expect(plan.lowerBound).toBe(832);
    expect(plan.arenaSize).toBe(832);
    const flat = plan.buffers.find((b) => b.name === 'flat')!;
    const c = plan.buffers.find((b) => b.name === 'c')!;
    expect(flat.offset).toBe(c.offset);
    expect(checkPlan(g, plan, scratchOf(g))).toEqual([]);
  });

  it('streams a 1x1 convolution over its dying input to go below the plain lower bound', () => {
    const g = chain();
    const plan = planMemory(g, { align: 4 });
    expect(plan.arenaSize).toBeLessThan(plan.lowerBound);
    expect(plan.shared.length).toBeGreaterThan(0);
    expect(checkPlan(g, plan, scratchOf(g))).toEqual([]);
  });

  it('greedy is never better than optimal, and both pass the checker', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const g = randomCnn(seed);
      const greedy = planMemory(g, { planner: 'greedy', inPlace: false, reorder: false });
      const optimal = planMemory(g, { planner: 'optimal', inPlace: false, reorder: false, timeLimitMs: 50 });
      expect(optimal.arenaSize).toBeLessThanOrEqual(greedy.arenaSize);
      expect(optimal.arenaSize).toBeGreaterThanOrEqual(optimal.lowerBound);
      expect(checkPlan(g, greedy, scratchOf(g))).toEqual([]);
      expect(checkPlan(g, optimal, scratchOf(g))).toEqual([]);
    }
  });
});

describe('reorderForPeak', () => {
  it('runs the shortcut branch last when that lowers the peak', () => {
    const g = residual();
    const given = lowerBound(buildPlanProblem(g, [0, 1, 2, 3]));
    const r = reorderForPeak(g);
    expect(r.searched).toBe(true);
    // Shortcut first keeps its 1 KiB output alive across both 3x3 convolutions.
    expect(r.order).toEqual([1, 2, 0, 3]);
    expect(r.peak).toBeLessThan(given);
    expect(lowerBound(buildPlanProblem(g, r.order))).toBe(r.peak);
  });
});

describe('streamDisplacement', () => {
  it('is one output row for a same-size 1x1 convolution plus one row of slack', () => {
    // 1x1, stride 1, no padding, 10 bytes per row in and out: output row y may not reach input row y − 1.
    expect(streamDisplacement(5, 10, 5, 10, 1, 0)).toBe(20);
  });
  it('grows with the padding of a 3x3 depthwise convolution', () => {
    expect(streamDisplacement(5, 10, 5, 10, 1, 1)).toBe(30);
  });
});

describe('checkPlan (the checker must be able to fail)', () => {
  const plan = (): { g: Graph; p: MemoryPlan } => {
    const g = residual();
    return { g, p: planMemory(g, { align: 8 }) };
  };
  it('accepts the planner output', () => {
    const { g, p } = plan();
    expect(checkPlan(g, p, scratchOf(g))).toEqual([]);
  });
  it('finds two live tensors moved on top of each other', () => {
    const { g, p } = plan();
    const a = p.buffers.find((b) => b.name === 'a')!;
    const shortcut = p.buffers.find((b) => b.name === 'shortcut')!;
    a.offset = shortcut.offset;
    expect(checkPlan(g, p, scratchOf(g)).join('\n')).toMatch(/'a'.*overlaps|overlaps 'a'/);
  });
  it('finds a misaligned offset, an arena too small and a short scratch buffer', () => {
    const { g, p } = plan();
    p.buffers[0].offset += 1;
    p.arenaSize -= 16;
    const scratch = p.buffers.find((b) => b.kind === 'scratch')!;
    scratch.size -= 1;
    const problems = checkPlan(g, p, scratchOf(g)).join('\n');
    expect(problems).toMatch(/not aligned/);
    expect(problems).toMatch(/does not fit/);
    expect(problems).toMatch(/the kernel needs/);
  });
  it('rejects in-place streaming with too small a displacement', () => {
    const g = chain();
    const p = planMemory(g, { align: 1 });
    const pair = p.shared.find((s) => s.rule.kind === 'stream')!;
    const input = p.buffers[pair.input];
    const output = p.buffers[pair.output];
    output.offset = input.offset; // displacement 0 < the one row of slack the kernel needs
    expect(checkPlan(g, p, scratchOf(g)).length).toBeGreaterThan(0);
  });
});
