/**
 * Property tests of the 16-bit (int16x8), float32 and recurrent kernels: seeded random one-node graphs, C on the
 * host against @tinyforge/interpreter byte for byte (recurrent ones over two runs, so persistent state must carry
 * over). One host driver; a failure lists every mismatching case.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { hasCompiler } from './testing';
import { buildVectorDriver } from './testing/c-harness';
import { PropertyCase, Rng, mismatches, runAgainstInterpreter } from './testing/property-harness';
import {
  activation16Case,
  binary16Case,
  conv16Case,
  float32Case,
  fullyConnected16Case,
  gatherAnyCase,
  gruCase,
  layoutAnyCase,
  lstmCase,
  mean16Case,
  pool16Case,
  requantizeCase,
  softmax16Case,
  svdfCase,
} from './testing/property-cases-s16';
import { transposeConvCase } from './testing/property-cases-conv-variants';

const available = hasCompiler('gcc');
if (!available) console.warn('kernels-cmsis 16-bit property tests skipped: needs gcc');
const d = available ? describe : describe.skip;

export const S16_FAMILIES: { name: string; count: number; make: (r: Rng, i: number) => PropertyCase }[] = [
  { name: 'conv 16x8 (groups, int64/int32 bias)', count: 150, make: (r, i) => conv16Case(r, 'conv', i) },
  { name: 'depthwise 16x8', count: 150, make: (r, i) => conv16Case(r, 'depthwise', i) },
  { name: 'fully connected 16x8', count: 100, make: fullyConnected16Case },
  { name: 'add int16', count: 80, make: (r, i) => binary16Case(r, 'Add', i) },
  { name: 'sub int16', count: 80, make: (r, i) => binary16Case(r, 'Sub', i) },
  { name: 'mul int16', count: 80, make: (r, i) => binary16Case(r, 'Mul', i) },
  { name: 'logistic/tanh/leaky relu int16', count: 120, make: activation16Case },
  { name: 'softmax int16 and int8→int16', count: 80, make: softmax16Case },
  { name: 'avg/max pool int16', count: 80, make: pool16Case },
  { name: 'mean int16', count: 60, make: mean16Case },
  { name: 'quantize int8/int16/int32, float↔int16', count: 120, make: requantizeCase },
  { name: 'pad / strided slice, any element size', count: 120, make: layoutAnyCase },
  { name: 'transpose / concatenation, int16, int32, float32', count: 100, make: gatherAnyCase },
  { name: 'float32 fully connected / softmax', count: 80, make: float32Case },
  { name: 'LSTM int8 (int16 cell)', count: 60, make: (r, i) => lstmCase(r, 'int8', i) },
  { name: 'LSTM 16x8', count: 40, make: (r, i) => lstmCase(r, 'int16', i) },
  { name: 'LSTM float32', count: 40, make: (r, i) => lstmCase(r, 'float32', i) },
  { name: 'GRU int8 (int16 hidden state)', count: 50, make: (r, i) => gruCase(r, 'int8', i) },
  { name: 'GRU float32', count: 40, make: (r, i) => gruCase(r, 'float32', i) },
  { name: 'SVDF int8 with int16 state', count: 60, make: (r, i) => svdfCase(r, 'int16', i) },
  { name: 'SVDF int8 with int8 state', count: 60, make: (r, i) => svdfCase(r, 'int8', i) },
  { name: 'SVDF float32', count: 40, make: (r, i) => svdfCase(r, 'float32', i) },
  // Appended, so that the families above keep their seeds.
  { name: 'transpose conv 16x8 (int64 bias)', count: 120, make: (r, i) => transposeConvCase(r, 'int16', i) },
];

d('16-bit, float32 and recurrent C kernels vs the reference interpreter (seeded property tests)', () => {
  let work: string;
  let driver: string;
  let total = 0;

  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'tfg-prop16-'));
    driver = path.join(work, 'driver');
    buildVectorDriver(driver);
  }, 120_000);

  afterAll(() => {
    fs.rmSync(work, { recursive: true, force: true });
    console.log(`kernels-cmsis 16-bit/float/recurrent property tests: ${total} random cases compared byte for byte`);
  });

  test.each(S16_FAMILIES.map((f, k) => ({ ...f, seed: 0x1916 + k })))('$name: $count cases', ({ name, count, make, seed }) => {
    const r = new Rng(seed);
    const cases = Array.from({ length: count }, (_, i) => make(r, i));
    const results = runAgainstInterpreter(driver, work, name.replace(/\W+/g, '_'), cases);
    total += results.length;
    expect(mismatches(results)).toEqual([]);
    // Not degenerate: outputs vary across the family, and are not all saturated.
    expect(new Set(results.map((x) => Buffer.from(x.expected).toString('hex'))).size).toBeGreaterThan(count * 0.7);
  }, 120_000);
});
