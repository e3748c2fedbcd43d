/**
 * The packed-filter convolution's DSP assembly (tfg_convolve_packed_s8.c, filters from packConvFilter) on emulated
 * Cortex-M4 against the reference interpreter, byte for byte: seeded chains of convolutions with every geometry
 * (1x1, 3x3, 1xN, stride, dilation, asymmetric padding), input channels from 4 to 40, odd output channel counts,
 * clamped activations, layers without bias and channels with multiplier 0. The plain C path of the same kernel is
 * covered on the host by property.spec.ts; this is the assembly.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { FusedActivation, Graph, GraphBuilder, Padding, padAxis } from '@tinyforge/ir';
import { lowerNode } from '../lower-node';
import { hasPackedFilter, packConvFilter, requantizeFolded, withPackedFilter } from '../pack-conv';
import { multiplyByQuantizedMultiplier } from '@tinyforge/interpreter';
import { CORTEX_M4, compareWithInterpreterOnCortex } from '../testing/model-program';
import { Rng, perTensor } from '../testing/property-harness';

const ACTIVATIONS: FusedActivation[] = ['none', 'none', 'relu', 'relu6'];

/** A chain of `layers` random convolutions from a [1, h, w, c] input; returns the graph and its input size. */
function convChain(r: Rng, layers: number): { graph: Graph; inputBytes: number } {
  const b = new GraphBuilder();
  let h = r.int(6, 12);
  let w = r.int(6, 12);
  let c = r.pick([4, 8, 12, 16, 20, 33, 40]);
  let scale = 0.05;
  const inputBytes = h * w * c;
  let x = b.input({ name: 'x', shape: [1, h, w, c], dtype: 'int8', quant: perTensor(scale, r.int(-128, 127)) });
  for (let i = 0; i < layers; i++) {
    for (;;) {
      const [kh, kw] = r.pick([[1, 1], [1, 1], [3, 3], [3, 3], [1, 5], [4, 1], [2, 3]]);
      const strideH = r.next() < 0.75 ? 1 : 2;
      const strideW = r.next() < 0.75 ? strideH : r.int(1, 2);
      const dilationH = r.next() < 0.85 ? 1 : 2;
      const dilationW = r.next() < 0.85 ? 1 : 2;
      const k = r.int(0, 5);
      const padding: Padding = k <= 2 ? 'same' : k <= 4 ? 'valid' : { top: r.int(0, 2), bottom: r.int(0, 2), left: r.int(0, 2), right: r.int(0, 2) };
      const outH = padAxis(h, kh, strideH, dilationH, padding, 'h').out;
      const outW = padAxis(w, kw, strideW, dilationW, padding, 'w').out;
      if (outH < 2 || outW < 2) continue;
      const co = r.pick([5, 8, 13, 16, 24, 32]);
      const depth = kh * kw * c;
      const wScales = Array.from({ length: co }, () => r.logUniform(0.002, 0.02));
      const weights = r.int8s(co * depth);
      if (r.next() < 0.3) {
        // A dead channel: zero weights and scale (multiplier 0, shift 0), only its bias.
        const dead = r.int(0, co - 1);
        weights.fill(0, dead * depth, (dead + 1) * depth);
        wScales[dead] = 0;
      }
      const wt = b.constant({ name: `w${i}`, shape: [co, kh, kw, c], dtype: 'int8', quant: { scale: wScales, zeroPoint: wScales.map(() => 0), axis: 0 } }, weights);
      const bias = r.next() < 0.85 ? b.constant({ name: `b${i}`, shape: [co], dtype: 'int32' }, Int32Array.from({ length: co }, () => r.int(-3000, 3000) * r.int(1, 6))) : -1;
      const sy = Math.fround(scale * 0.01 * 40 * Math.sqrt(depth) * r.logUniform(0.3, 2));
      const attrs = { strideH, strideW, dilationH, dilationW, padding, activation: r.pick(ACTIVATIONS) };
      x = b.node('Conv2D', attrs, [x, wt, bias], { name: `y${i}`, dtype: 'int8', quant: perTensor(sy, r.int(-60, 60)) });
      [h, w, c, scale] = [outH, outW, co, sy];
      break;
    }
  }
  return { graph: b.output(x).build(), inputBytes };
}

describe('packConvFilter', () => {
  test('the folded requantization equals TFLite double rounding plus the zero point, saturated', () => {
    const r = new Rng(77);
    const wrong: string[] = [];
    let checked = 0;
    for (let i = 0; i < 50_000; i++) {
      const shift = -r.int(1, 31);
      const m = r.next() < 0.02 ? 0 : r.int(2 ** 30, 2 ** 31 - 1);
      const zp = r.int(-128, 127);
      const e = m === 0 ? 1 : -shift;
      // Accumulators up to the packer's bound (the doubled one must stay in int32), small ones more often.
      const acc = r.next() < 0.1 ? r.pick([2 ** 30 - 1, -(2 ** 30 - 1), 2 ** 30 - 2 ** 29, -(2 ** 29)]) : r.int(-(2 ** 30 - 1), 2 ** 30 - 1) >> r.int(0, 28);
      const k = 2 ** (e - 1) + zp * 2 ** e;
      // What the packer accepts: K and the result stay in int32 (else the layer keeps its int8 filter).
      if (Math.abs(k) + Math.abs(acc) + 2 >= 2 ** 31) continue;
      const want = Math.max(-128, Math.min(127, (m === 0 ? 0 : multiplyByQuantizedMultiplier(acc, m, shift)) + zp));
      const got = requantizeFolded(acc, e, m, k);
      if (got !== want) wrong.push(`acc ${acc} M ${m} shift ${shift} zp ${zp}: ${got} != ${want}`);
      checked++;
    }
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(checked).toBeGreaterThan(35_000);
  });

  test('layout, and the layers it declines', () => {
    const b = new GraphBuilder();
    const x = b.input({ name: 'x', shape: [1, 2, 2, 4], dtype: 'int8', quant: perTensor(0.05, 3) });
    const weights = Int8Array.from({ length: 3 * 4 }, (_, k) => k - 6);
    const wt = b.constant({ name: 'w', shape: [3, 1, 1, 4], dtype: 'int8', quant: { scale: [0.01, 0.02, 0.03], zeroPoint: [0, 0, 0], axis: 0 } }, weights);
    const bias = b.constant({ name: 'b', shape: [3], dtype: 'int32' }, Int32Array.of(10, -20, 30));
    const attrs = { strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padding: 'valid' as const, activation: 'none' as const };
    const y = b.node('Conv2D', attrs, [x, wt, bias], { name: 'y', dtype: 'int8', quant: perTensor(0.5, -7) });
    const graph = b.output(y).build();
    const call = lowerNode(graph, graph.nodes[0]);
    if (call.kernel !== 'tfg_convolve_wrapper_s8') throw new Error('not a conv');
    const packed = packConvFilter(call);
    if (!('words' in packed)) throw new Error(packed.declined);
    // Depth 4 pads to 8: pairs of 10 + 8 words; channel 2 pairs with a zero channel.
    expect(packed.words.length).toBe(2 * 18);
    expect(Array.from(packed.words.slice(0, 4))).toEqual([20, -40, 20, -40]);
    const pair = (lo: number, hi: number): number => ((lo & 0xffff) | (hi << 16)) | 0;
    // Channel 0 weights -6 -5 -4 -3 doubled: (w0, w2), (w1, w3); channel 1: -2 -1 0 1.
    expect(Array.from(packed.words.slice(4, 8))).toEqual([pair(-12, -8), pair(-10, -6), pair(-4, 0), pair(-2, 2)]);
    expect(Array.from(packed.words.slice(8, 12))).toEqual([0, 0, 0, 0]);
    const e0 = -call.shifts[0];
    expect(Array.from(packed.words.slice(12, 18))).toEqual([e0, -call.shifts[1], call.multipliers[0], call.multipliers[1], 2 ** (e0 - 1) - 7 * 2 ** e0, 2 ** (-call.shifts[1] - 1) - 7 * 2 ** -call.shifts[1]]);
    // The zero partner of channel 2: exponent 1, nothing else.
    expect(packed.words[18 + 12 + 1]).toBe(1);
    expect(packed.words[18 + 12 + 3]).toBe(0);

    // A dead channel (zero weights) with a bias no accumulator bound allows: packed as its constant output.
    const deadWeights = Int8Array.from(weights, (v, k) => (k >= 4 && k < 8 ? 0 : v));
    const dead = packConvFilter({ ...call, weights: deadWeights, bias: Int32Array.of(10, 2 ** 30, 30) });
    if (!('words' in dead)) throw new Error(dead.declined);
    const deadValue = Math.max(-128, Math.min(127, multiplyByQuantizedMultiplier(2 ** 30, call.multipliers[1], call.shifts[1]) - 7));
    expect(deadValue).toBe(127);
    expect([dead.words[1], dead.words[13], dead.words[15], dead.words[17]]).toEqual([0, 1, 0, 2 * deadValue]);

    expect(packConvFilter({ ...call, multipliers: Int32Array.of(-call.multipliers[0], call.multipliers[1], call.multipliers[2]) })).toMatchObject({ declined: expect.stringMatching(/^channel 0: negative multiplier/) });
    expect(packConvFilter({ ...call, shifts: Int32Array.of(0, -3, -3) })).toEqual({ declined: 'channel 0: shift 0 (the packed kernel needs -31..-1)' });
    expect(packConvFilter({ ...call, bias: Int32Array.of(2 ** 30, 0, 0) })).toMatchObject({ declined: expect.stringMatching(/^channel 0: the doubled accumulator/) });
    expect(packConvFilter({ ...call, shifts: Int32Array.of(-31, -3, -3) })).toMatchObject({ declined: 'channel 0: the folded output offset leaves int32' });
  });
});

const tools = ['arm-none-eabi-gcc', 'qemu-system-arm'].every((t) => spawnSync(t, ['--version']).status === 0);
if (!tools) console.warn('packed convolution on Cortex-M4 skipped: needs arm-none-eabi-gcc and qemu-system-arm');
const d = tools ? describe : describe.skip;

d('packed-filter convolution (DSP assembly) on Cortex-M4', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tfg-packed-'));
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test('seeded chains of convolutions equal the reference interpreter byte for byte', async () => {
    const r = new Rng(20261125);
    const chains = Array.from({ length: 6 }, () => convChain(r, 6));
    let packedLayers = 0;
    const runs = chains.map(({ graph, inputBytes }, i) => {
      packedLayers += graph.nodes.filter((n) => hasPackedFilter(withPackedFilter(lowerNode(graph, n)))).length;
      const input = Uint8Array.from(r.int8s(inputBytes), (v) => v & 0xff);
      return compareWithInterpreterOnCortex(graph, input, path.join(work, String(i)), CORTEX_M4, 'packed_pairs_asm', 'packed').then((result) => `chain ${i}: ${result}`);
    });
    expect(await Promise.all(runs)).toEqual(chains.map((_, i) => `chain ${i}: equal`));
    expect(packedLayers).toBeGreaterThanOrEqual(24);
  }, 300_000);
});
