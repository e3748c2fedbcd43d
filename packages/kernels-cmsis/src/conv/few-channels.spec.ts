/**
 * The DSP first-layer convolution (tfg_convolve_few_channels_s8.c: input channels not a multiple of 4, receptive
 * field ≤ 32 values) on emulated Cortex-M4 against the reference interpreter, byte for byte: odd channel counts,
 * one channel, asymmetric padding, stride, dilation, the activation clamp, a channel with multiplier 0, no bias,
 * and layers the path declines (requantization without the one-SMLAL form; an output offset that cannot be folded
 * into the rounding word within int32), which must fall back to the generic path.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { FusedActivation, Graph, GraphBuilder, Padding } from '@tinyforge/ir';
import { CORTEX_M4, compareWithInterpreterOnCortex } from '../testing/model-program';
import { Rng, perTensor } from '../testing/property-harness';

interface Shape {
  label: string;
  h: number;
  w: number;
  ci: number;
  co: number;
  kh: number;
  kw: number;
  stride: [number, number];
  dilation: [number, number];
  padding: Padding;
  activation: FusedActivation;
  bias: boolean;
  /** Output scale relative to the usual one: large values give shifts of -1 and above (no one-SMLAL form). */
  outScale: number;
  /** Output zero point (random in [-20, 20] when absent). */
  outZero?: number;
  /** Channels with all-zero weights and scale 0 (requantization multiplier 0, shift 0), with these biases. */
  zeroChannels?: Map<number, number>;
}

const base = { stride: [1, 1] as [number, number], dilation: [1, 1] as [number, number], bias: true, outScale: 1 };
const SHAPES: Shape[] = [
  { ...base, label: 'fashion conv1 28x28x1 -> 32', h: 28, w: 28, ci: 1, co: 32, kh: 3, kw: 3, padding: 'same', activation: 'relu' },
  { ...base, label: 'vww-like 20x20x3 -> 8 /2 relu6', h: 20, w: 20, ci: 3, co: 8, kh: 3, kw: 3, stride: [2, 2], padding: 'same', activation: 'relu6' },
  { ...base, label: 'odd channels, asymmetric pads, no bias', h: 11, w: 9, ci: 3, co: 7, kh: 3, kw: 3, padding: { top: 0, bottom: 2, left: 1, right: 0 }, activation: 'none', bias: false },
  { ...base, label: 'depth 32, dilation 2, stride 1x2', h: 13, w: 12, ci: 2, co: 5, kh: 4, kw: 4, stride: [1, 2], dilation: [2, 2], padding: 'same', activation: 'relu' },
  { ...base, label: 'one output channel, 5 pixels', h: 1, w: 5, ci: 1, co: 1, kh: 1, kw: 3, padding: 'same', activation: 'none' },
  { ...base, label: 'channels 2, 3 scale 0', h: 6, w: 7, ci: 3, co: 6, kh: 2, kw: 3, padding: 'valid', activation: 'none', zeroChannels: new Map([[2, 1234], [3, -1234]]) },
  { ...base, label: 'shift -1: generic path', h: 8, w: 8, ci: 1, co: 4, kh: 3, kw: 3, padding: 'same', activation: 'none', outScale: 1 / 4096 },
  // Post shift ~27 with zero point 100: 100 << 27 leaves int32, so the offset cannot be folded.
  { ...base, label: 'offset not foldable: generic path', h: 6, w: 6, ci: 3, co: 4, kh: 3, kw: 3, padding: 'same', activation: 'none', outScale: 2 ** 20, outZero: 100 },
];

function convGraph(r: Rng, s: Shape): Graph {
  const b = new GraphBuilder();
  const sx = 0.02;
  const x = b.input({ name: 'x', shape: [1, s.h, s.w, s.ci], dtype: 'int8', quant: perTensor(sx, r.int(-128, 127)) });
  const wScales = Array.from({ length: s.co }, () => r.logUniform(0.002, 0.02));
  const weights = r.int8s(s.co * s.kh * s.kw * s.ci);
  const depth = s.kh * s.kw * s.ci;
  for (const c of s.zeroChannels?.keys() ?? []) {
    weights.fill(0, c * depth, (c + 1) * depth);
    wScales[c] = 0;
  }
  const wt = b.constant(
    { name: 'w', shape: [s.co, s.kh, s.kw, s.ci], dtype: 'int8', quant: { scale: wScales, zeroPoint: wScales.map(() => 0), axis: 0 } },
    weights,
  );
  const biasValues = Int32Array.from({ length: s.co }, (_, c) => s.zeroChannels?.get(c) ?? r.int(-3000, 3000));
  const bias = s.bias ? b.constant({ name: 'b', shape: [s.co], dtype: 'int32' }, biasValues) : -1;
  const sy = Math.fround(sx * wScales[0] * 40 * Math.sqrt(s.kh * s.kw * s.ci) * s.outScale);
  const attrs = {
    strideH: s.stride[0],
    strideW: s.stride[1],
    dilationH: s.dilation[0],
    dilationW: s.dilation[1],
    padding: s.padding,
    activation: s.activation,
  };
  const y = b.node('Conv2D', attrs, [x, wt, bias], { name: 'y', dtype: 'int8', quant: perTensor(sy, s.outZero ?? r.int(-20, 20)) });
  return b.output(y).build();
}

const tools = ['arm-none-eabi-gcc', 'qemu-system-arm'].every((t) => spawnSync(t, ['--version']).status === 0);
const d = tools ? describe : describe.skip;

d('first-layer convolution (DSP path) on Cortex-M4', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tfg-few-channels-'));
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test('every shape equals the reference interpreter byte for byte, and the assembly is linked', async () => {
    const r = new Rng(20261125);
    const runs = SHAPES.map((s, i) => {
      const graph = convGraph(r, s);
      const input = Uint8Array.from(r.int8s(s.h * s.w * s.ci), (v) => v & 0xff);
      return compareWithInterpreterOnCortex(graph, input, path.join(work, String(i)), CORTEX_M4, 'few_pairs_asm').then((result) => `${s.label}: ${result}`);
    });
    expect(await Promise.all(runs)).toEqual(SHAPES.map((s) => `${s.label}: equal`));
  }, 240_000);
});
