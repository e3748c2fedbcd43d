import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { generateC } from '../generate';
import { buildHostProgram, runHostProgram } from '../host/host-build';
import { seededUniform } from '@tinyforge/ir';
import { randomCnn } from '@tinyforge/ir/testing';

// Differential test of in-place sharing with the real kernels: random CNNs built twice, with and without
// sharing, must give the same bytes on random inputs.
const haveGcc = spawnSync('gcc', ['--version']).status === 0;
if (!haveGcc) console.warn('codegen-c in-place test: gcc not found — skipping');
const d = haveGcc ? describe : describe.skip;

d('in-place sharing on random graphs (host gcc)', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyforge-inplace-'));
  const streamed: number[] = [];
  const packed: number[] = [];
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it.each([3, 7, 11, 19, 23, 42])('seed %d: shared and unshared plans compute the same bytes', (seed) => {
    const g = randomCnn(seed, 12);
    const shared = generateC(g, { prefix: `s${seed}`, align: 4 });
    const plain = generateC(g, { prefix: `p${seed}`, align: 4, inPlace: false });
    // The code for DSP cores (packed convolution filters) in place too, run through the packed kernel's plain C.
    const forDsp = generateC(g, { prefix: `d${seed}`, align: 4, core: { dsp: true, mve: false } });
    const a = buildHostProgram(g, shared, path.join(work, `s${seed}`), {});
    const b = buildHostProgram(g, plain, path.join(work, `p${seed}`), {});
    const c = buildHostProgram(g, forDsp, path.join(work, `d${seed}`), { flags: ['-DTFG_NN_PACKED_FILTERS_ANY_CORE'] });
    // The code for Helium (folded biases) in place too, through plain C.
    const forMve = generateC(g, { prefix: `m${seed}`, align: 4, core: { dsp: true, mve: true } });
    const m = buildHostProgram(g, forMve, path.join(work, `m${seed}`), {});
    const rnd = seededUniform(seed);
    const bytes = g.inputs.reduce((s, t) => s + g.tensors[t].shape.reduce((p, x) => p * x, 1), 0);
    for (let k = 0; k < 3; k++) {
      const input = Uint8Array.from({ length: bytes }, () => Math.floor(rnd() * 256));
      const want = Buffer.from(runHostProgram(b, input).output);
      expect(Buffer.from(runHostProgram(a, input).output)).toEqual(want);
      expect(Buffer.from(runHostProgram(c, input).output)).toEqual(want);
      expect(Buffer.from(runHostProgram(m, input).output)).toEqual(want);
    }
    expect(shared.plan.arenaSize).toBeLessThanOrEqual(plain.plan.arenaSize);
    if (shared.plan.shared.some((p) => p.rule.kind === 'stream')) streamed.push(seed);
    if (forDsp.files[`d${seed}.c`].includes('tfg_convolve_packed_s8(')) packed.push(seed);
  }, 60000);

  // The test means something only if row-streaming sharing was actually exercised.
  it('exercised row-streaming sharing on at least three of the seeds', () => {
    expect(streamed.length).toBeGreaterThanOrEqual(3);
  });

  it('exercised packed convolution filters on at least three of the seeds', () => {
    expect(packed.length).toBeGreaterThanOrEqual(3);
  });
});
