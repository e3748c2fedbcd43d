import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { generateC } from '../generate';
import { buildHostProgram, runHostProgram } from '../host/host-build';
import { seededUniform } from '@tinyforge/ir';
import { randomCnn } from '@tinyforge/ir/testing';
import { ArenaRegion } from '../memory/regions';

// Multi-region arenas with the real kernels: random CNNs generated for one arena and for two RAM regions (one array
// per region, the second in a section of its own) must compile warning-free and compute the same bytes.
const haveGcc = spawnSync('gcc', ['--version']).status === 0;
if (!haveGcc) console.warn('codegen-c multi-region test: gcc not found — skipping');
const d = haveGcc ? describe : describe.skip;

d('arenas split over RAM regions on random graphs (host gcc)', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyforge-regions-'));
  const split: number[] = [];
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it.each([3, 7, 11, 19, 23, 42, 57, 64])('seed %d: one arena and two regions compute the same bytes', (seed) => {
    const g = randomCnn(seed, 12);
    const one = generateC(g, { prefix: `a${seed}`, align: 4 });
    // Two regions, each as large as the largest buffer or 60 % of the one arena, so that most graphs must split.
    const largest = Math.max(...one.plan.buffers.map((b) => b.size));
    const room = Math.max(Math.ceil(largest / 16) * 16, Math.floor((one.plan.arenaSize * 0.6) / 16) * 16);
    const regions: ArenaRegion[] = [
      { name: 'main', bytes: room },
      { name: 'tcm', bytes: room, fast: true, section: '.bss.tfg_ram_tcm' },
    ];
    const multi = generateC(g, { prefix: `r${seed}`, align: 4, regions });
    const source = multi.files[`r${seed}.c`];
    const used = multi.plan.regions!.filter((r) => r.size > 0).map((r) => r.name);
    if (used.includes('tcm')) expect(source).toContain(`static int8_t r${seed}_arena_tcm[R${seed}_ARENA_TCM_SIZE] __attribute__((aligned(4), section(".bss.tfg_ram_tcm")));`);
    if (used.includes('main')) expect(source).toContain(`static int8_t r${seed}_arena[R${seed}_ARENA_MAIN_SIZE] __attribute__((aligned(4)));`);
    if (used.length === 2) split.push(seed);
    const plan = JSON.parse(multi.files['plan.json']);
    expect(plan.regions.map((r: { name: string }) => r.name)).toEqual(['main', 'tcm']);
    expect(plan.buffers.every((b: { region: string }) => b.region === 'main' || b.region === 'tcm')).toBe(true);
    expect(multi.files['report.html']).toContain('RAM regions');
    const a = buildHostProgram(g, one, path.join(work, `a${seed}`), {});
    const b = buildHostProgram(g, multi, path.join(work, `r${seed}`), {});
    const rnd = seededUniform(seed);
    const bytes = g.inputs.reduce((s, t) => s + g.tensors[t].shape.reduce((p, x) => p * x, 1), 0);
    for (let k = 0; k < 3; k++) {
      const input = Uint8Array.from({ length: bytes }, () => Math.floor(rnd() * 256));
      expect(Buffer.from(runHostProgram(b, input).output)).toEqual(Buffer.from(runHostProgram(a, input).output));
    }
  }, 60000);

  // The test means something only if arenas were actually split.
  it('split the arena over both regions on at least four of the seeds', () => {
    console.log(`seeds split over two regions: ${split.join(', ')}`);
    expect(split.length).toBeGreaterThanOrEqual(4);
  });
});
