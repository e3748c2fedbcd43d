import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FusedActivation, GraphBuilder, Padding, Quantization, seededUniform } from '@tinyforge/ir';
import { Interpreter } from '@tinyforge/interpreter';
import { generateC } from '../generate';
import { buildHostProgram, runHostProgram } from '../host/host-build';

// A DepthwiseConv2D over one input channel is lowered as the Conv2D it equals (kernels-cmsis's
// depthwise-one-channel family: filter [1, H, W, M] rearranged to OHWI [M, H, W, 1]). The generated code, for
// every build form the convolution takes (int8 filter, packed filter for DSP cores, folded bias for Helium), must
// give the reference interpreter's DepthwiseConv2D bytes.
const haveGcc = spawnSync('gcc', ['--version']).status === 0;
if (!haveGcc) console.warn('codegen-c depthwise-one-channel test: gcc not found — skipping');
const d = haveGcc ? describe : describe.skip;

const q = (scale: number, zeroPoint: number): Quantization => ({ scale: [Math.fround(scale)], zeroPoint: [zeroPoint], axis: 0 });

interface Case {
  multiplier: number;
  input: [number, number];
  filter: [number, number];
  stride: [number, number];
  dilation?: [number, number];
  padding: Padding;
  activation: FusedActivation;
  bias: boolean;
  perChannel: boolean;
}

const CASES: Case[] = [
  { multiplier: 1, input: [7, 6], filter: [3, 3], stride: [1, 1], padding: 'same', activation: 'none', bias: true, perChannel: true },
  { multiplier: 2, input: [9, 8], filter: [3, 2], stride: [2, 2], padding: 'valid', activation: 'relu', bias: true, perChannel: true },
  { multiplier: 3, input: [8, 7], filter: [2, 3], stride: [1, 2], padding: 'same', activation: 'none', bias: false, perChannel: true },
  { multiplier: 4, input: [10, 9], filter: [5, 4], stride: [2, 1], padding: 'same', activation: 'relu6', bias: true, perChannel: false },
  { multiplier: 5, input: [6, 11], filter: [3, 3], stride: [1, 1], dilation: [2, 1], padding: 'valid', activation: 'none', bias: true, perChannel: true },
  { multiplier: 6, input: [12, 5], filter: [1, 1], stride: [1, 1], padding: 'valid', activation: 'none', bias: true, perChannel: true },
  { multiplier: 7, input: [11, 10], filter: [4, 3], stride: [3, 2], padding: 'same', activation: 'none', bias: true, perChannel: true },
  // micro_speech's classifier layer, shrunk: 10x8 filter, stride 2, SAME, ReLU, 8 channels.
  { multiplier: 8, input: [15, 12], filter: [10, 8], stride: [2, 2], padding: 'same', activation: 'relu', bias: true, perChannel: true },
];

function model(c: Case, seed: number) {
  const rnd = seededUniform(seed);
  const ints = (n: number, lo: number, hi: number): number[] => Array.from({ length: n }, () => lo + Math.floor(rnd() * (hi - lo + 1)));
  const m = c.multiplier;
  const [fh, fw] = c.filter;
  const b = new GraphBuilder(`dw1-m${m}`);
  const x = b.input({ name: 'x', shape: [1, c.input[0], c.input[1], 1], dtype: 'int8', quant: q(0.05, -9) });
  const scales = c.perChannel ? Array.from({ length: m }, (_, k) => Math.fround(0.004 + 0.003 * k)) : [Math.fround(0.006)];
  const w = b.constant(
    { name: 'w', shape: [1, fh, fw, m], dtype: 'int8', quant: { scale: scales, zeroPoint: scales.map(() => 0), axis: 3 } },
    Int8Array.from(ints(fh * fw * m, -127, 127)),
  );
  const bias = c.bias ? b.constant({ name: 'b', shape: [m], dtype: 'int32' }, Int32Array.from(ints(m, -4000, 4000))) : -1;
  const [dh, dw] = c.dilation ?? [1, 1];
  const attrs = { strideH: c.stride[0], strideW: c.stride[1], dilationH: dh, dilationW: dw, padding: c.padding, activation: c.activation, depthMultiplier: m };
  const y = b.node('DepthwiseConv2D', attrs, [x, w, bias], { name: 'dw', dtype: 'int8', quant: q(0.08, 5) });
  return b.output(y).build();
}

d('DepthwiseConv2D over one input channel, lowered as a convolution (host gcc)', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyforge-dw1-'));
  const packed: number[] = [];
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it.each(CASES.map((c, i) => [c.multiplier, c, i] as const))('multiplier %d: every build form equals the interpreter byte for byte', (_m, c, i) => {
    const g = model(c, 100 + i);
    const forms = [
      { name: 'int8', generated: generateC(g, { prefix: `i${i}`, align: 4 }), flags: [] as string[] },
      { name: 'dsp', generated: generateC(g, { prefix: `d${i}`, align: 4, core: { dsp: true, mve: false } }), flags: ['-DTFG_NN_PACKED_FILTERS_ANY_CORE'] },
      { name: 'mve', generated: generateC(g, { prefix: `m${i}`, align: 4, core: { dsp: true, mve: true } }), flags: [] as string[] },
    ];
    const programs = forms.map((f) => {
      // DSP cores take the packed filter where it pays (kernels-cmsis choosePackedFilters), else the int8 one.
      const kernels = f.name === 'dsp' ? ['tfg_convolve_wrapper_s8', 'tfg_convolve_packed_s8'] : ['tfg_convolve_wrapper_s8'];
      expect(f.generated.layers).toHaveLength(1);
      expect(kernels).toContain(f.generated.layers[0].kernel);
      if (f.generated.layers[0].kernel === 'tfg_convolve_packed_s8') packed.push(c.multiplier);
      return buildHostProgram(g, f.generated, path.join(work, `${f.name}${i}`), { flags: f.flags });
    });
    // Helium's build folds the input offset into the bias.
    expect(forms[2].generated.files[`m${i}.c`]).toContain('.folded_bias = 1');
    const rnd = seededUniform(7 + i);
    const bytes = c.input[0] * c.input[1];
    const seen = new Set<number>();
    for (let k = 0; k < 3; k++) {
      const input = Uint8Array.from({ length: bytes }, () => Math.floor(rnd() * 256));
      const expected = Buffer.from(new Interpreter(g).run([input]).outputs[0]);
      expected.forEach((v) => seen.add(v));
      for (const p of programs) expect(Buffer.from(runHostProgram(p, input).output)).toEqual(expected);
    }
    // Not saturated: the comparison sees many distinct output values.
    expect(seen.size).toBeGreaterThan(20);
  }, 120000);

  // The DSP build's packed-filter kernel must have been exercised too: small receptive fields keep the int8 filter
  // (the wrapper's first-layer path), the micro_speech-sized one (10x8 taps) takes the packed filter.
  it('took the packed filter on the DSP build for the micro_speech-sized layer', () => {
    expect(packed).toContain(8);
  });
});
