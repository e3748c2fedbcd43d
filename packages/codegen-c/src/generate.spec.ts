import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Graph, GraphBuilder, isWeighted, nodeStats, Quantization } from '@tinyforge/ir';
import { kernelIncludeDir } from '@tinyforge/kernels-cmsis';
import { readTflite } from '@tinyforge/model-format';
import { escapeHtml } from '@tinyforge/common';
import { cCommentText, cIdentifier, cStringLiteral } from './emit/naming';
import { CodegenError } from './errors';
import { generateC, GeneratedC } from './generate';
import { buildHostProgram, GENERATED_C_FLAGS, runHostProgram } from './host/host-build';
import { randomCnn } from '@tinyforge/ir/testing';

const EVIL = 'x */ #include <evil.h> /* ??/ "q" \\\n\u001b[31m <script>alert(1)</script> é';
const Q: Quantization = { scale: [0.05], zeroPoint: [-3], axis: 0 };

/** A tiny model whose every name is hostile: conv → add (skip) → reshape → FC. */
function hostileModel(): Graph {
  const b = new GraphBuilder(EVIL);
  const x = b.input({ name: `${EVIL} input`, shape: [1, 4, 4, 2], dtype: 'int8', quant: Q });
  const w = b.constant({ name: `${EVIL} w`, shape: [2, 3, 3, 2], dtype: 'int8', quant: { scale: [0.02, 0.03], zeroPoint: [0, 0], axis: 0 } }, Int8Array.from({ length: 36 }, (_, i) => ((i * 37) % 255) - 127));
  const bias = b.constant({ name: `${EVIL} b`, shape: [2], dtype: 'int32' }, Int32Array.of(100, -2147483648));
  const conv = { strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padding: 'same' as const, activation: 'relu' as const };
  const c = b.node('Conv2D', conv, [x, w, bias], { name: `${EVIL} conv`, dtype: 'int8', quant: Q });
  const s = b.node('Add', { activation: 'none' }, [c, x], { name: `${EVIL} add`, dtype: 'int8', quant: Q });
  const f = b.node('Reshape', {}, [s], { name: `${EVIL} flat`, dtype: 'int8', quant: Q, shape: [1, 32] });
  const fw = b.constant({ name: `${EVIL} fw`, shape: [3, 32], dtype: 'int8', quant: { scale: [0.01], zeroPoint: [0], axis: 0 } }, Int8Array.from({ length: 96 }, (_, i) => (i % 7) - 3));
  const out = b.node('FullyConnected', { activation: 'none', keepNumDims: false }, [f, fw, -1], { name: `${EVIL} out`, dtype: 'int8', quant: Q });
  return b.output(out).build();
}

describe('naming helpers', () => {
  it('make identifiers, comments, strings and HTML safe', () => {
    expect(cIdentifier('model/conv2d_1/Conv2D;x')).toBe('model_conv2d_1_conv2d_x');
    expect(cIdentifier('1st')).toBe('m_1st');
    expect(cIdentifier('int')).toBe('int_');
    expect(cIdentifier('***')).toBe('m');
    const comment = cCommentText(EVIL);
    expect(comment).not.toMatch(/\*\/|\/\*|\?\?|\\|[\n\u001b]/);
    const literal = cStringLiteral(EVIL);
    expect(literal.slice(1, -1)).not.toMatch(/(^|[^\\])"|\?\?|[\n\u001b]/);
    expect(escapeHtml(EVIL)).not.toMatch(/<|>/);
  });
});

/**
 * Two convolutions far apart in gain per byte: a 1x1 16 -> 32 over 24x24 pixels (much work, a 512-byte filter) and a
 * 3x3 32 -> 64 over 2x2 output pixels (18 KiB of filter for little work).
 */
function smallAndLargeFilters(): Graph {
  const b = new GraphBuilder();
  const x = b.input({ name: 'x', shape: [1, 24, 24, 16], dtype: 'int8', quant: Q });
  const weights = (n: number, k: number, c: number, name: string) =>
    b.constant({ name, shape: [n, k, k, c], dtype: 'int8', quant: { scale: Array(n).fill(0.01), zeroPoint: Array(n).fill(0), axis: 0 } }, Int8Array.from({ length: n * k * k * c }, (_, i) => ((i * 37) % 201) - 100));
  const attrs = (stride: number) => ({ strideH: stride, strideW: stride, dilationH: 1, dilationW: 1, padding: 'valid' as const, activation: 'relu' as const });
  const wide = b.node('Conv2D', attrs(1), [x, weights(32, 1, 16, 'w1'), -1], { name: 'wide', dtype: 'int8', quant: { scale: [0.5], zeroPoint: [-128], axis: 0 } });
  const deep = b.node('Conv2D', attrs(10), [wide, weights(64, 3, 32, 'w2'), -1], { name: 'deep', dtype: 'int8', quant: { scale: [4], zeroPoint: [-128], axis: 0 } });
  return b.output(deep).build();
}

describe('packed convolution filters', () => {
  // A random CNN with convolutions the packer takes (seed 19 has several).
  const graph = randomCnn(19, 12);
  const dsp = { dsp: true, mve: false };

  it('are chosen once, for the core: the generated code holds only the chosen variant', () => {
    const g = generateC(graph, { prefix: 'p', core: dsp, flashBudget: Infinity });
    expect(g.packedFilters).toBe(true);
    expect(g.files['p.c']).toMatch(/tfg_convolve_packed_s8\(/);
    expect(g.files['p.c']).toMatch(/#define TFG_NN_PACKED_FILTERS 1\n#include "tfg_nn.h"/);
    expect(g.files['p.c'] + g.files['p_weights.c']).not.toMatch(/#if !?TFG_NN/);
    const packedLayers = g.layers.filter((l) => l.kernel === 'tfg_convolve_packed_s8');
    expect(packedLayers.length).toBeGreaterThan(0);
    for (const l of packedLayers) {
      expect(g.files['p_weights.c']).toContain(`${l.id}_packed_filter[`);
      expect(g.files['p_weights.c']).not.toContain(`${l.id}_filter[`);
    }
    const { packedFilters, int8Filters } = g.flashBytesByBuild;
    expect(packedFilters).toBeGreaterThan(int8Filters);
    expect(g.flashBytes).toBe(packedFilters);
    // Helium, no DSP, or no core given: the int8 filters only, and the same figures for both builds. Helium's calls
    // carry folded biases: a weighted layer without a bias gets one (4 bytes per output channel, each array aligned to
    // 16 bytes as the weight table places it), others keep the size.
    const helium = generateC(graph, { prefix: 'p', core: { dsp: true, mve: true } });
    const biasless = graph.nodes.filter((n) => isWeighted(n) && !(n.inputs[2] >= 0));
    const addedBiasBytes = biasless.reduce((sum, n) => sum + Math.ceil((4 * graph.tensors[n.outputs[0]].shape[graph.tensors[n.outputs[0]].shape.length - 1]) / 16) * 16, 0);
    expect(helium.flashBytes).toBe(int8Filters + addedBiasBytes);
    expect(helium.files['p.c']).toMatch(/\.folded_bias = 1/);
    for (const other of [helium, generateC(graph, { prefix: 'p', core: { dsp: false, mve: false } }), generateC(graph, { prefix: 'p' })]) {
      expect(other.packedFilters).toBe(false);
      if (other !== helium) expect(other.flashBytes).toBe(int8Filters);
      expect(other.flashBytesByBuild).toEqual({ packedFilters, int8Filters });
      expect(other.files['p.c']).not.toMatch(/tfg_convolve_packed_s8|TFG_NN_PACKED_FILTERS/);
      expect(other.layers.every((l) => l.kernel !== 'tfg_convolve_packed_s8')).toBe(true);
    }
  });

  // A build for another core must stop at compile time, not run the packed kernel's plain C unnoticed.
  const haveHostGcc = spawnSync('gcc', ['--version']).status === 0;
  (haveHostGcc ? it : it.skip)('stop a build for a core that does not prefer them with a clear #error', () => {
    const g = generateC(graph, { prefix: 'p', core: dsp, flashBudget: Infinity });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyforge-packed-'));
    try {
      for (const [n, t] of Object.entries(g.files)) fs.writeFileSync(path.join(dir, n), t);
      const compile = (compiler: string, flags: string[]) =>
        spawnSync(compiler, [...GENERATED_C_FLAGS, ...flags, `-I${kernelIncludeDir}`, '-fsyntax-only', path.join(dir, 'p.c')], { encoding: 'utf8' });
      const host = compile('gcc', []);
      expect(host.status).not.toBe(0);
      expect(host.stderr).toMatch(/#error "this model was generated with packed convolution filters, for a core with the DSP extension and without Helium/);
      expect(compile('gcc', ['-DTFG_NN_PACKED_FILTERS_ANY_CORE']).status).toBe(0);
      if (spawnSync('arm-none-eabi-gcc', ['--version']).status !== 0) return;
      const arm = (cpu: string[]) => compile('arm-none-eabi-gcc', ['-mthumb', ...cpu]);
      expect(arm(['-mcpu=cortex-m4', '-mfloat-abi=hard', '-mfpu=fpv4-sp-d16']).stderr).toBe('');
      expect(arm(['-mcpu=cortex-m33', '-mfloat-abi=hard', '-mfpu=fpv5-sp-d16']).stderr).toBe('');
      for (const cpu of [['-mcpu=cortex-m0plus'], ['-mcpu=cortex-m55', '-mfloat-abi=hard']]) {
        const r = arm(cpu);
        expect(r.status).not.toBe(0);
        expect(r.stderr).toMatch(/generate it again for the core you build for/);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('are chosen layer by layer under the flash budget, best instructions per byte first, and the plan says why', () => {
    const full = generateC(graph, { prefix: 'p', core: dsp, flashBudget: Infinity });
    const { packedFilters, int8Filters } = full.flashBytesByBuild;
    const convs = full.layers.filter((l) => l.packing !== undefined);
    const candidates = convs.filter((l) => l.packing!.gain !== undefined);
    expect(candidates.length).toBeGreaterThan(1);
    // No limit: every layer the packed kernel takes is packed.
    expect(candidates.every((l) => l.packing!.packed && /^packed: saves ~\d+ instructions for \d+ more bytes/.test(l.packing!.reason))).toBe(true);

    // A board with room for the default build's constants and 64 KiB of code packs what the default build packs.
    const board = (flashBytes: number) => ({ name: 'b', ramBytes: 1 << 20, flashBytes });
    const byDefault = generateC(graph, { prefix: 'p', core: dsp });
    expect(generateC(graph, { prefix: 'p', core: dsp, budget: board(byDefault.flashBytes + 65536) }).layers.filter((l) => l.packing?.packed).length).toBe(byDefault.layers.filter((l) => l.packing?.packed).length);
    const short = generateC(graph, { prefix: 'p', core: dsp, budget: board(int8Filters + 65535) });
    expect(short.packedFilters).toBe(false);
    expect(short.flashBytes).toBe(int8Filters);
    expect(short.layers.filter((l) => l.packing?.gain !== undefined).every((l) => /^int8: .*would pass the flash budget of \d+ bytes|under the default floor/.test(l.packing!.reason))).toBe(true);
    // A flash budget one byte short of every packed filter packs all but the least gainful per byte.
    const nearly = generateC(graph, { prefix: 'p', core: dsp, flashBudget: packedFilters - 1 });
    expect(nearly.layers.filter((l) => l.packing?.packed).length).toBe(candidates.length - 1);
    expect(nearly.flashBytes).toBeLessThanOrEqual(packedFilters - 1);

    // The best gain per byte goes first: a budget with room for exactly that layer packs it alone.
    const perByte = (l: (typeof candidates)[number]) => l.packing!.gain! / l.packing!.extraBytes!;
    const best = candidates.reduce((a, b) => (perByte(b) > perByte(a) ? b : a));
    const one = generateC(graph, { prefix: 'p', core: dsp, flashBudget: int8Filters + best.packing!.extraBytes! + 64 });
    expect(one.layers.filter((l) => l.packing?.packed).map((l) => l.node)).toEqual([best.node]);
    expect(one.flashBytes).toBeLessThanOrEqual(int8Filters + best.packing!.extraBytes! + 64);
    const why = one.layers.find((l) => l.packing !== undefined && !l.packing.packed && l.packing.gain !== undefined)!;
    expect(why.packing!.reason).toMatch(/^int8: \d+ more bytes .* would pass the flash budget of \d+ bytes$/);
    const plan = JSON.parse(one.files['plan.json']);
    expect(plan.packedFilters.filter((p: { packed: boolean }) => p.packed).map((p: { node: string }) => p.node)).toEqual([best.node]);
    expect(one.files['report.html']).toContain(best.packing!.reason.replace(/~/g, '~'));

    // A budget of the int8 constants packs nothing.
    const none = generateC(graph, { prefix: 'p', core: dsp, flashBudget: int8Filters });
    expect(none.packedFilters).toBe(false);
    expect(none.flashBytes).toBe(int8Filters);
    expect(none.files['p.c']).not.toMatch(/tfg_convolve_packed_s8/);
    expect(none.flashBytesByBuild).toEqual({ packedFilters, int8Filters });
    const unpacked = generateC(graph, { prefix: 'p', core: dsp, packedConvolutions: false });
    expect(unpacked.packedFilters).toBe(false);
    expect(unpacked.layers.filter((l) => l.packing !== undefined).every((l) => l.packing!.reason === 'int8: packed filters turned off')).toBe(true);
    expect(unpacked.flashBytesByBuild).toEqual({ packedFilters: int8Filters, int8Filters });
    expect(() => generateC(graph, { prefix: 'p', core: dsp, flashBudget: -1 })).toThrow(/flash budget/);
  });
});

describe('the default build', () => {
  it('packs the filters saving at least 1.2 % of the model\'s MACs per extra KiB, and says why not for the others', () => {
    const graph = smallAndLargeFilters();
    const dsp = { dsp: true, mve: false };
    const macs = graph.nodes.reduce((sum, n) => sum + nodeStats(graph, n).macs, 0);
    const floor = (0.012 * macs) / 1024;
    const g = generateC(graph, { prefix: 'p', core: dsp });
    const [wide, deep] = g.layers.map((l) => l.packing!);
    expect(wide.gain! / wide.extraBytes!).toBeGreaterThan(floor);
    expect(deep.gain! / deep.extraBytes!).toBeLessThan(floor);
    expect([wide.packed, deep.packed]).toEqual([true, false]);
    expect(deep.reason).toBe(`int8: a packed filter saves ~${deep.gain} instructions for ${deep.extraBytes} more bytes (${(deep.gain! / deep.extraBytes!).toFixed(1)}/byte), under the default floor of ${floor.toFixed(1)}/byte`);
    expect(g.layers.map((l) => l.kernel)).toEqual(['tfg_convolve_packed_s8', 'tfg_convolve_wrapper_s8']);
    const { packedFilters, int8Filters } = g.flashBytesByBuild;
    expect(g.flashBytes).toBeGreaterThan(int8Filters);
    expect(g.flashBytes).toBeLessThan(packedFilters);
    // An explicit budget has no floor: room for both packs both.
    expect(generateC(graph, { prefix: 'p', core: dsp, flashBudget: packedFilters }).layers.map((l) => l.packing!.packed)).toEqual([true, true]);
    const plan = JSON.parse(g.files['plan.json']);
    expect(plan.packedFilters.map((p: { packed: boolean }) => p.packed)).toEqual([true, false]);
  });
});

describe('generateC', () => {
  const haveGcc = spawnSync('gcc', ['--version']).status === 0;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyforge-codegen-'));
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('writes the API header with shapes, quantization, arena size and layer names', () => {
    const r = generateC(hostileModel(), { prefix: 'Tiny Net!' });
    expect(r.prefix).toBe('tiny_net');
    const h = r.files['tiny_net.h'];
    expect(h).toContain('int tiny_net_invoke(const int8_t *input0, int8_t *output0);');
    // The in-place API: the arena's own input and output tensors and a run on them (the host driver and the board
    // application use it; invoke is that run between two copies).
    expect(h).toContain('void *tiny_net_input(int k);');
    expect(h).toContain('const void *tiny_net_output(int k);');
    expect(h).toContain('int tiny_net_run(void);');
    const c = r.files['tiny_net.c'];
    const inputOffset = r.plan.buffers.find((b) => b.tensor === hostileModel().inputs[0])!.offset;
    expect(c).toContain(`if (k == 0) return (void *)(arena + ${inputOffset});`);
    expect(c).toMatch(/int tiny_net_invoke\(const int8_t \*input0, int8_t \*output0\) \{\n(.*\n)*?\s+status = tiny_net_run\(\);/);
    const caller = generateC(hostileModel(), { prefix: 'tiny_net', arena: 'caller' }).files['tiny_net.h'];
    expect(caller).toContain('void *tiny_net_input(tiny_net_model *model, int k);');
    expect(caller).toContain('int tiny_net_run(tiny_net_model *model);');
    expect(h).toContain('#define TINY_NET_INPUT0_SHAPE {1, 4, 4, 2}');
    expect(h).toContain('#define TINY_NET_INPUT0_ZERO_POINT (-3)');
    expect(h).toContain(`#define TINY_NET_ARENA_SIZE ${r.plan.arenaSize}`);
    expect(h).toContain('#define TINY_NET_LAYER_COUNT 4');
    expect(h).not.toMatch(/^\s*static\b/m);
    expect(Object.keys(r.files).sort()).toEqual(['plan.json', 'report.html', 'tiny_net.c', 'tiny_net.h', 'tiny_net_weights.c']);
    const plan = JSON.parse(r.files['plan.json']);
    expect(plan.arenaBytes).toBe(r.plan.arenaSize);
    expect(plan.buffers.every((b: { offset: number; size: number }) => b.offset >= 0 && b.offset + b.size <= plan.arenaBytes)).toBe(true);
    expect(r.files['report.html']).not.toMatch(/<script|<evil/);
    expect(r.files['report.html']).toContain('<svg');
    expect(r.files['tiny_net_weights.c']).toContain('(-2147483647 - 1)');
  });

  (haveGcc ? it : it.skip)('compiles hostile names cleanly and runs (host gcc, strict warnings)', () => {
    const g = hostileModel();
    const r = generateC(g, { prefix: 'hostile' });
    const program = buildHostProgram(g, r, path.join(work, 'hostile'), {});
    const out = runHostProgram(program, new Uint8Array(32).fill(5));
    expect(out.output.length).toBe(3);
  });

  it('fails with a clear message when the model does not fit the board', () => {
    const g = hostileModel();
    const need = generateC(g).plan.arenaSize;
    const run = (): unknown => generateC(g, { budget: { name: "board 'tiny'", ramBytes: need - 10, flashBytes: 1 << 20 } });
    expect(run).toThrow(CodegenError);
    expect(run).toThrow(`over by 10 bytes`);
    expect(() => generateC(g, { budget: { name: 'b', ramBytes: 1 << 20, flashBytes: 10 } })).toThrow(/CODEGEN_FLASH_OVERFLOW|flash: over by/);
  });

  it('rejects graph inputs and outputs of a type no kernel reads or writes with a typed error', () => {
    const b = new GraphBuilder('f');
    const x = b.input({ name: 'x', shape: [1, 4], dtype: 'int64' });
    const g = b.output(b.node('Reshape', {}, [x], { name: 'y', dtype: 'int64', shape: [4] })).build();
    expect(() => generateC(g)).toThrow(expect.objectContaining({ code: 'CODEGEN_UNSUPPORTED' }));
  });
});

// The arena reserves scratch for the target core's kernel path and plain C only: ad's fully connected layers need
// the DSP path's widened input up to depth TFG_FC_WIDEN_MAX_DEPTH (2 bytes per input value: 256 bytes at depth 128;
// the 640-deep first layer reads its int8 input, no scratch; until issue 24's round 3 it took 1,280 bytes and a
// 2,048-byte arena) and nothing on Helium.
const adModel = path.resolve(__dirname, '../../../../shared/models/ad_autoencoder_int8.tflite');
(fs.existsSync(adModel) ? describe : describe.skip)('scratch for the target', () => {
  it('ad_autoencoder: the DSP build plans the widened FC input of its 128-deep layers only, Helium and plain C none (arena <= 1024 B)', () => {
    const graph = readTflite(fs.readFileSync(adModel));
    const arena = (core?: { dsp: boolean; mve: boolean }) => generateC(graph, { prefix: 'ad', core }).plan.arenaSize;
    // The last layer: its 128 inputs, 640 outputs and 256 bytes of widened input.
    expect(arena({ dsp: true, mve: false })).toBe(1024);
    expect(arena()).toBe(1024);
    const dspScratch = generateC(graph, { prefix: 'ad', core: { dsp: true, mve: false } }).plan.buffers.filter((b) => b.kind === 'scratch');
    expect(dspScratch.map((b) => b.size)).toEqual(expect.arrayContaining([256]));
    expect(Math.max(...dspScratch.map((b) => b.size))).toBe(256);
    expect(arena({ dsp: true, mve: true })).toBeLessThanOrEqual(1024);
    expect(arena({ dsp: false, mve: false })).toBeLessThanOrEqual(1024);
    const scratch = generateC(graph, { prefix: 'ad', core: { dsp: true, mve: true } }).plan.buffers.filter((b) => b.kind === 'scratch');
    expect(scratch.every((b) => b.size === 0)).toBe(true);
  });
});

// Cross-compile every shared int8 model's generated C for Cortex-M4 (DSP) and M0+ with the strict flags.
const shared = path.resolve(__dirname, '../../../../shared/models');
const haveArm = spawnSync('arm-none-eabi-gcc', ['--version']).status === 0;
if (!haveArm) console.warn('codegen-c: arm-none-eabi-gcc not found — skipping the cross-compile test');
if (!fs.existsSync(shared)) console.warn(`codegen-c: ${shared} not found — skipping the model tests`);
const dm = haveArm && fs.existsSync(shared) ? describe : describe.skip;
dm('arm-none-eabi-gcc', () => {
  const models = fs.existsSync(shared) ? fs.readdirSync(shared).filter((f) => f.endsWith('_int8.tflite')) : [];
  it.each(models)('%s: generated C compiles for cortex-m4 (packed filters where taken) and cortex-m0plus', (file) => {
    const bytes = fs.readFileSync(path.join(shared, file));
    const graph = readTflite(bytes);
    const r = generateC(graph, { prefix: file.replace('.tflite', ''), modelBytes: bytes, core: { dsp: true, mve: false } });
    const forM0 = generateC(graph, { prefix: r.prefix, modelBytes: bytes, core: { dsp: false, mve: false } });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyforge-arm-'));
    try {
      const builds: [GeneratedC, string[]][] = [
        [r, ['-mcpu=cortex-m4', '-mfloat-abi=hard', '-mfpu=fpv4-sp-d16']],
        [forM0, ['-mcpu=cortex-m0plus']],
      ];
      for (const [generated, cpu] of builds) {
        for (const [n, t] of Object.entries(generated.files)) fs.writeFileSync(path.join(dir, n), t);
        for (const src of [`${r.prefix}.c`, `${r.prefix}_weights.c`]) {
          const c = spawnSync('arm-none-eabi-gcc', [...GENERATED_C_FLAGS, '-O2', '-mthumb', ...cpu, `-I${kernelIncludeDir}`, '-c', path.join(dir, src), '-o', path.join(dir, `${src}.o`)], { encoding: 'utf8' });
          expect(c.stderr).toBe('');
          expect(c.status).toBe(0);
        }
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60000);
});
