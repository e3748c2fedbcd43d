import { Graph, GraphBuilder, Quantization } from '@tinyforge/ir';
import { randomCnn } from '@tinyforge/ir/testing';
import { CodegenError } from '../errors';
import { nodeMemory } from '../lower/node-memory';
import { checkPlan } from './checker';
import { MemoryPlan, planMemory } from './plan';
import { ArenaRegion } from './regions';

const scratchOf = (g: Graph) => (n: number) => nodeMemory(g, g.nodes[n]).scratchBytes;

/** Two regions, each with `share` of the one-arena plan's size (rounded down to 16 bytes); the second one fast. */
function halves(arena: number, share: number): ArenaRegion[] {
  const room = Math.floor((arena * share) / 16) * 16;
  return [
    { name: 'sram', bytes: room },
    { name: 'tcm', bytes: room, fast: true, section: '.bss.tfg_ram_tcm' },
  ];
}

const Q: Quantization = { scale: [0.1], zeroPoint: [0], axis: 0 };

/** input [1,16,16,8] → six 1x1 convolutions of 8 channels: each layer's input and output (2 KiB each) live at once. */
function convChain(): Graph {
  const b = new GraphBuilder('chain');
  let x = b.input({ name: 'x', shape: [1, 16, 16, 8], dtype: 'int8', quant: Q });
  for (let i = 0; i < 6; i++) {
    const w = b.constant({ name: `w${i}`, shape: [8, 1, 1, 8], dtype: 'int8', quant: Q }, new Int8Array(64));
    const attrs = { strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padding: 'same' as const, activation: 'none' as const };
    x = b.node('Conv2D', attrs, [x, w], { name: `c${i}`, dtype: 'int8', quant: Q });
  }
  return b.output(x).build();
}

/** x → 3x3 conv a → 3x3 conv b → add(b, 1x1 shortcut(x)): the shape of a ResNet block, with im2col scratch. */
function residual(): Graph {
  const b = new GraphBuilder('residual');
  const x = b.input({ name: 'x', shape: [1, 16, 16, 8], dtype: 'int8', quant: Q });
  const conv = (input: number, name: string, inC: number, k: number): number => {
    const w = b.constant({ name: `${name}_w`, shape: [16, k, k, inC], dtype: 'int8', quant: Q }, new Int8Array(16 * k * k * inC));
    return b.node('Conv2D', { strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padding: 'same', activation: 'none' }, [input, w], { name, dtype: 'int8', quant: Q });
  };
  const shortcut = conv(x, 'shortcut', 8, 1);
  const c = conv(conv(x, 'a', 8, 3), 'b', 16, 3);
  return b.output(b.node('Add', { activation: 'none' }, [c, shortcut], { name: 'sum', dtype: 'int8', quant: Q })).build();
}

describe('multi-region arena plans', () => {
  const g = convChain();
  const single = planMemory(g, { timeLimitMs: 50 });

  it('splits an arena no region holds alone over two regions, each within its room, and the checker accepts it', () => {
    const regions = halves(single.arenaSize, 0.6);
    expect(regions.every((r) => r.bytes < single.arenaSize)).toBe(true);
    const plan = planMemory(g, { timeLimitMs: 50, regions });
    expect(checkPlan(g, plan, scratchOf(g))).toEqual([]);
    expect(plan.regions!.map((r) => r.name)).toEqual(['sram', 'tcm']);
    plan.regions!.forEach((r, i) => {
      expect(r.size).toBeGreaterThan(0);
      expect(r.size).toBeLessThanOrEqual(regions[i].bytes);
    });
    expect(plan.arenaSize).toBe(plan.regions![0].size + plan.regions![1].size);
    // Every buffer lies inside its own region (a buffer never straddles two).
    for (const b of plan.buffers) {
      expect(b.region === 0 || b.region === 1).toBe(true);
      expect(b.offset + b.size).toBeLessThanOrEqual(plan.regions![b.region!].size);
    }
    // In-place sharing ties the whole chain into one 3.5 KiB group that no region holds: the split takes the plan
    // without sharing, and says so.
    expect(plan.regionPolicy).toBe(
      "hot first: the groups with the most traffic per byte into 'tcm' while they fit, then the rest largest first, first fit over 'tcm', 'sram' (with 0 in-place pairs, which splits where the one-arena plan's sharing did not)",
    );
    expect(plan.shared).toEqual([]);
    expect(single.shared.length).toBeGreaterThan(0);
  });

  it('hot first: a small fast region gets the convolutions\' im2col scratch (their MACs per byte), activations go to the other', () => {
    const r = residual();
    const one = planMemory(r, { timeLimitMs: 50 });
    // The 3x3 convolutions read each scratch byte 16 times (once per output channel) for every output pixel; the
    // activation 'a' is hotter still (written by a, read by b) but 4 KiB do not fit a 3 KiB fast region.
    const plan = planMemory(r, { timeLimitMs: 50, regions: [{ name: 'sram', bytes: one.arenaSize - 16 }, { name: 'tcm', bytes: 3072, fast: true }] });
    expect(checkPlan(r, plan, scratchOf(r))).toEqual([]);
    expect(plan.buffers.filter((b) => b.region === 1).map((b) => b.name).sort()).toEqual(['a (scratch)', 'b (scratch)', 'shortcut (scratch)']);
    expect(plan.regionPolicy).toMatch(/^hot first: /);
  });

  it('keeps the whole arena in the fast region when it fits there, at the one-arena plan offsets', () => {
    const plan = planMemory(g, { timeLimitMs: 50, regions: [{ name: 'sram', bytes: 1 << 20 }, { name: 'tcm', bytes: single.arenaSize, fast: true }] });
    expect(plan.regions!.map((r) => r.size)).toEqual([0, single.arenaSize]);
    expect(plan.buffers.every((b) => b.region === 1)).toBe(true);
    expect(plan.buffers.map((b) => b.offset)).toEqual(single.buffers.map((b) => b.offset));
    expect(plan.regionPolicy).toBe("the whole arena in 'tcm' (the fast region), where it fits");
    expect(checkPlan(g, plan, scratchOf(g))).toEqual([]);
  });

  it('refuses region names and section names that could not be C identifiers and linker section names', () => {
    expect(() => planMemory(g, { regions: [{ name: 'a', bytes: 64 }, { name: 'b c', bytes: 64 }] })).toThrow(expect.objectContaining({ code: 'CODEGEN_OPTION' }));
    expect(() => planMemory(g, { regions: [{ name: 'a', bytes: 64 }, { name: 'b', bytes: 64, section: '.bss")));' }] })).toThrow(/section name '\.bss"\)\)\);' must be/);
    expect(() => planMemory(g, { regions: [{ name: 'a', bytes: 64 }, { name: 'a', bytes: 64 }] })).toThrow(/two RAM regions have the same name/);
  });

  it('one region (or none) is the one-arena plan, without region fields', () => {
    const plan = planMemory(g, { timeLimitMs: 50, regions: [{ name: 'ram', bytes: 1 << 20 }] });
    expect(plan.regions).toBeUndefined();
    expect(plan.buffers.some((b) => b.region !== undefined)).toBe(false);
    expect(plan.arenaSize).toBe(single.arenaSize);
  });

  it('a model that fits no way: CODEGEN_RAM_OVERFLOW naming each region, its room and what the model needs', () => {
    const regions = halves(single.arenaSize, 0.2);
    let error: unknown;
    try {
      planMemory(g, { timeLimitMs: 50, regions });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CodegenError);
    const e = error as CodegenError;
    expect(e.code).toBe('CODEGEN_RAM_OVERFLOW');
    const room = regions[0].bytes;
    expect(e.message).toContain(`the model does not fit the 2 RAM regions (sram ${room} B, tcm ${room} B for the arena, ${2 * room} B together)`);
    expect(e.message).toContain(`it needs ${single.arenaSize} B as one arena`);
    expect(e.message).toMatch(/'[^']+' \(\d+ B, steps \d+–\d+\) has no place$/);
  });

  it('the checker finds buffers that overlap within a region, run past it, or a region over its room', () => {
    const plan = planMemory(g, { timeLimitMs: 50, regions: halves(single.arenaSize, 0.6) });
    // Two buffers live at the same step in different regions may share offsets; in the same region they may not.
    const [a, b] = findCoLive(plan);
    const moved: MemoryPlan = { ...plan, buffers: plan.buffers.map((x) => (x.id === b.id ? { ...x, region: a.region, offset: a.offset } : x)) };
    expect(checkPlan(g, moved, scratchOf(g)).join('\n')).toMatch(new RegExp(`overlaps .* in region '${plan.regions![a.region!].name}'`));
    const past: MemoryPlan = { ...plan, buffers: plan.buffers.map((x) => (x.id === a.id ? { ...x, offset: plan.regions![a.region!].size } : x)) };
    expect(checkPlan(g, past, scratchOf(g)).join('\n')).toMatch(/does not fit region '\w+' \(\d+ bytes\)/);
    const over: MemoryPlan = { ...plan, regions: plan.regions!.map((r) => ({ ...r, room: r.size - 16 })) };
    expect(checkPlan(g, over, scratchOf(g))).toContain(`region 'sram' holds ${plan.regions![0].size} bytes of the arena, more than its ${plan.regions![0].size - 16} bytes`);
  });

  it('random graphs over two or three random regions: every plan found passes the checker, the rest fail typed', () => {
    const failures: string[] = [];
    let split = 0;
    let refused = 0;
    for (let seed = 500; seed < 560; seed++) {
      const graph = randomCnn(seed, 12);
      const one = planMemory(graph, { timeLimitMs: 20 });
      // Each region at least the largest buffer (random CNNs have one scratch buffer most of their arena; every
      // fifth seed not, so that some cannot fit), else a share of the one-region arena.
      const largest = seed % 5 === 0 ? 0 : Math.ceil(Math.max(...one.buffers.map((b) => b.size)) / 16) * 16;
      const rooms = [0.3, 0.45, 0.7].slice(0, 2 + (seed % 2)).map((f) => Math.max(largest, Math.floor((one.arenaSize * (f + (seed % 7) / 20)) / 16) * 16));
      const regions = rooms.map((bytes, i): ArenaRegion => ({ name: `r${i}`, bytes, fast: i === rooms.length - 1 }));
      try {
        const plan = planMemory(graph, { timeLimitMs: 20, align: seed % 3 === 0 ? 4 : 16, regions });
        const problems = checkPlan(graph, plan, scratchOf(graph));
        if (problems.length > 0) failures.push(`seed ${seed}: ${problems[0]}`);
        if (plan.regions!.filter((r) => r.size > 0).length > 1) split++;
      } catch (e) {
        if (!(e instanceof CodegenError) || e.code !== 'CODEGEN_RAM_OVERFLOW') throw e;
        refused++;
      }
    }
    console.log(`random graphs over RAM regions: ${split} of 60 split over two or more, ${refused} refused`);
    expect(failures).toEqual([]);
    // Not vacuous: many split, and some cannot fit.
    expect(split).toBeGreaterThanOrEqual(15);
    expect(refused).toBeGreaterThanOrEqual(1);
  });
});

/** Two buffers live at a common step, in different regions. */
function findCoLive(plan: MemoryPlan): [MemoryPlan['buffers'][number], MemoryPlan['buffers'][number]] {
  for (const a of plan.buffers) {
    for (const b of plan.buffers) {
      if (a.region !== b.region && a.first <= b.last && b.first <= a.last && b.size <= plan.regions![a.region!].size) return [a, b];
    }
  }
  throw new Error('no co-live buffers in different regions');
}
