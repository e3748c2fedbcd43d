import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { GraphBuilder, Quantization } from '@tinyforge/ir';
import { Interpreter } from '@tinyforge/interpreter';
import { generateC } from '../generate';
import { buildHostProgram, runHostProgram } from '../host/host-build';
import { seededUniform } from '@tinyforge/ir';

// The generated code for the table activations, quantize/dequantize, pad, transpose, concatenation and mean
// kernels, end to end on the host, bytes equal to the reference interpreter. (Codegen takes int8 models only, so
// float quantize/dequantize are covered by kernels-cmsis's property tests; int8 requantize is here.)
const haveGcc = spawnSync('gcc', ['--version']).status === 0;
if (!haveGcc) console.warn('codegen-c more-kernels test: gcc not found — skipping');
const d = haveGcc ? describe : describe.skip;

const q = (scale: number, zeroPoint: number): Quantization => ({ scale: [Math.fround(scale)], zeroPoint: [zeroPoint], axis: 0 });

function model() {
  const b = new GraphBuilder('more-kernels');
  const x = b.input({ name: 'x', shape: [1, 5, 6, 3], dtype: 'int8', quant: q(0.05, -7) });
  const xq = b.node('Quantize', {}, [x], { name: 'requant', dtype: 'int8', quant: q(0.03, 4) });
  const pads = b.constant({ name: 'pads', shape: [4, 2], dtype: 'int32' }, Int32Array.of(0, 0, 1, 0, 2, 1, 0, 0));
  const padded = b.node('Pad', {}, [xq, pads], { name: 'pad', dtype: 'int8', quant: q(0.03, 4) });
  const rnd = seededUniform(5);
  const w = b.constant(
    { name: 'w', shape: [4, 3, 3, 3], dtype: 'int8', quant: { scale: [0.01, 0.02, 0.015, 0.03], zeroPoint: [0, 0, 0, 0], axis: 0 } },
    Int8Array.from({ length: 108 }, () => Math.floor(rnd() * 256) - 128),
  );
  const conv = b.node('Conv2D', { strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padding: 'valid', activation: 'none' }, [padded, w, -1], {
    name: 'conv',
    dtype: 'int8',
    quant: q(0.05, -3),
  });
  const t = b.node('Tanh', {}, [conv], { name: 'tanh', dtype: 'int8', quant: q(1 / 128, 0) });
  const leaky = b.node('LeakyRelu', { alpha: 0.2 }, [conv], { name: 'leaky', dtype: 'int8', quant: q(0.04, -10) });
  const perm = b.constant({ name: 'perm', shape: [4], dtype: 'int32' }, Int32Array.of(0, 2, 1, 3));
  const tt = b.node('Transpose', {}, [t, perm], { name: 'transpose', dtype: 'int8', quant: q(1 / 128, 0) });
  const lt = b.node('Transpose', {}, [leaky, perm], { name: 'transpose2', dtype: 'int8', quant: q(0.04, -10) });
  const cat = b.node('Concatenation', { axis: 3, activation: 'none' }, [tt, lt], { name: 'concat', dtype: 'int8', quant: q(0.03, 2) });
  const axes = b.constant({ name: 'axes', shape: [2], dtype: 'int32' }, Int32Array.of(1, 2));
  const mean = b.node('Mean', { keepDims: false }, [cat, axes], { name: 'mean', dtype: 'int8', quant: q(0.01, 1) });
  return b.output(mean).build();
}

d('generated code for the table, layout, mean and quantize kernels (host gcc)', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyforge-more-kernels-'));
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('equals the reference interpreter byte for byte', () => {
    const g = model();
    const generated = generateC(g, { prefix: 'more' });
    expect(generated.layers.map((l) => l.kernel)).toEqual(
      expect.arrayContaining(['tfg_pad_s8', 'tfg_lut_s8', 'tfg_transpose_s8', 'tfg_concatenation_s8', 'tfg_mean_s8']),
    );
    const program = buildHostProgram(g, generated, path.join(work, 'more'), {});
    const rnd = seededUniform(9);
    const seen = new Set<string>();
    for (let k = 0; k < 4; k++) {
      const input = Uint8Array.from({ length: 90 }, () => Math.floor(rnd() * 256));
      const expected = new Interpreter(g).run([input]).outputs[0];
      expect(expected.byteLength).toBe(8);
      expect(Buffer.from(runHostProgram(program, input).output)).toEqual(Buffer.from(expected));
      seen.add(Buffer.from(expected).toString('hex'));
    }
    expect(seen.size).toBe(4); // different inputs, different means: the chain is not saturated
  }, 60000);
});
