/**
 * Property tests: every kernel against @tinyforge/interpreter (TFLite's reference int8 arithmetic) on hundreds
 * of seeded random shapes, strides, paddings, dilations, zero points, per-channel multipliers and clamps. One host
 * driver, one process per kernel family; a failure lists every mismatching case.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { hasFoldedBias, hasPackedFilter, lowerNode, withFoldedBias, withPackedFilter } from './index';
import { hasCompiler } from './testing';
import { buildVectorDriver } from './testing/c-harness';
import { PropertyCase, Rng, mismatches, runAgainstInterpreter } from './testing/property-harness';
import { binaryCase, convCase, fullyConnectedCase, poolCase, softmaxCase } from './testing/property-cases';
import { concatCase, meanCase, padCase, quantizeCase, tableCase, transposeCase } from './testing/property-cases-extra';
import { groupedConvCase, transposeConvCase } from './testing/property-cases-conv-variants';

const available = hasCompiler('gcc');
if (!available) console.warn('kernels-cmsis property tests skipped: needs gcc');
const d = available ? describe : describe.skip;

const FAMILIES: { name: string; count: number; make: (r: Rng, i: number) => PropertyCase; pack?: boolean; fold?: boolean }[] = [
  { name: 'conv (generic im2col + GEMM)', count: 150, make: (r, i) => convCase(r, 'conv', i) },
  { name: 'conv 1x1', count: 80, make: (r, i) => convCase(r, 'conv1x1', i) },
  { name: 'conv 1xN / Nx1', count: 60, make: (r, i) => convCase(r, 'conv1xN', i) },
  { name: 'depthwise (multiplier, dilation)', count: 150, make: (r, i) => convCase(r, 'depthwise', i) },
  { name: 'fully connected (per-tensor, per-channel)', count: 120, make: fullyConnectedCase },
  { name: 'avg/max pool', count: 120, make: poolCase },
  { name: 'add (broadcasting)', count: 100, make: (r, i) => binaryCase(r, 'Add', i) },
  { name: 'mul (broadcasting)', count: 100, make: (r, i) => binaryCase(r, 'Mul', i) },
  { name: 'softmax', count: 60, make: softmaxCase },
  { name: 'table activations (logistic, tanh, hard-swish, relu, relu6, leaky relu, clip, requantize)', count: 160, make: tableCase },
  { name: 'quantize/dequantize (float edges)', count: 80, make: quantizeCase },
  { name: 'pad (zero point / constant)', count: 80, make: padCase },
  { name: 'transpose', count: 80, make: transposeCase },
  { name: 'concatenation (requantization)', count: 80, make: concatCase },
  { name: 'mean', count: 80, make: meanCase },
  // tfg_convolve_packed_s8 (plain C here) with filters from packConvFilter: the layers it accepts.
  { name: 'conv packed filter (generic)', count: 150, make: (r, i) => convCase(r, 'conv', i), pack: true },
  { name: 'conv packed filter (1x1, 1xN)', count: 100, make: (r, i) => convCase(r, i % 2 === 0 ? 'conv1x1' : 'conv1xN', i), pack: true },
  // Biases folded with the input offset (withFoldedBias, the form generated for Helium), plain C here.
  { name: 'conv folded bias (generic, 1x1)', count: 100, make: (r, i) => convCase(r, i % 2 === 0 ? 'conv' : 'conv1x1', i), fold: true },
  { name: 'depthwise folded bias', count: 100, make: (r, i) => convCase(r, 'depthwise', i), fold: true },
  { name: 'fully connected folded bias', count: 80, make: fullyConnectedCase, fold: true },
  // Appended, so that the families above keep their seeds (0x7f6 + index).
  { name: 'grouped conv (2-6 groups)', count: 120, make: groupedConvCase },
  { name: 'transpose conv (SAME, VALID, cropping and output padding)', count: 150, make: (r, i) => transposeConvCase(r, 'int8', i) },
  { name: 'depthwise over one input channel, multipliers 1-8 (as a convolution)', count: 80, make: (r, i) => convCase(r, 'depthwise1', i) },
];

d('C kernels vs the reference interpreter (seeded property tests)', () => {
  let work: string;
  let driver: string;
  let total = 0;

  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'tfg-prop-'));
    driver = path.join(work, 'driver');
    buildVectorDriver(driver);
  }, 60_000);

  afterAll(() => {
    fs.rmSync(work, { recursive: true, force: true });
    console.log(`kernels-cmsis property tests: ${total} random cases compared byte for byte`);
  });

  test.each(FAMILIES.map((f, k) => ({ ...f, seed: 0x7f6 + k })))('$name: $count cases', ({ name, count, make, seed, pack, fold }) => {
    const r = new Rng(seed);
    const cases = Array.from({ length: count }, (_, i) => make(r, i));
    if (pack === true) {
      // Most random layers are packable (the rest keep the int8 path and still have to match).
      const packed = cases.filter((c) => hasPackedFilter(withPackedFilter(lowerNode(c.graph, c.graph.nodes[0]))));
      expect(packed.length).toBeGreaterThan(count * 0.5);
    }
    if (fold === true) {
      // Every layer folds (weight zero points aside): the folded path is what these cases test.
      const folded = cases.filter((c) => hasFoldedBias(withFoldedBias(lowerNode(c.graph, c.graph.nodes[0]))));
      expect(folded.length).toBeGreaterThan(count * 0.8);
    }
    const results = runAgainstInterpreter(driver, work, name.replace(/\W+/g, '_'), cases, { pack, fold });
    total += results.length;
    expect(mismatches(results)).toEqual([]);
    // The cases are not degenerate: outputs vary across the family (softmax over one element is always -128).
    expect(new Set(results.map((x) => Buffer.from(x.expected).toString('hex'))).size).toBeGreaterThan(count * 0.8);
  }, 60_000);
});
