import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { GraphBuilder } from '@tinyforge/ir';
import { KernelLoweringError, kernelSources, lowerNode } from './index';
import { encodeVectorFile, hasCompiler } from './testing';
import { buildVectorDriver } from './testing/c-harness';

const q = (scale: number, zeroPoint: number) => ({ scale: [scale], zeroPoint: [zeroPoint], axis: 0 });

describe('lowerNode', () => {
  function convGraph(dtype: 'int8' | 'float32') {
    const b = new GraphBuilder();
    const x = b.input({ name: 'x', shape: [1, 5, 5, 2], dtype, quant: dtype === 'int8' ? q(0.5, -3) : undefined });
    const w = b.constant({ name: 'w', shape: [4, 3, 3, 2], dtype: 'int8', quant: { scale: [0.1, 0.2, 0.3, 0.4], zeroPoint: [0, 0, 0, 0], axis: 0 } }, new Int8Array(72).fill(1));
    const y = b.node('Conv2D', { strideH: 2, strideW: 2, dilationH: 1, dilationW: 1, padding: 'same', activation: 'relu' }, [x, w, -1], {
      name: 'conv',
      dtype,
      quant: dtype === 'int8' ? q(0.25, 5) : undefined,
    });
    return b.output(y).build();
  }

  test('conv: SAME padding, per-channel multipliers, ReLU clamp at the output zero point', () => {
    const g = convGraph('int8');
    const call = lowerNode(g, g.nodes[0]);
    if (call.kernel !== 'tfg_convolve_wrapper_s8') throw new Error(call.kernel);
    expect(call.outputDims).toEqual({ n: 1, h: 3, w: 3, c: 4 });
    expect(call.padding).toEqual({ h: 1, w: 1 });
    expect(call.inputOffset).toBe(3);
    expect(call.activation).toEqual({ min: 5, max: 127 });
    expect(Array.from(call.shifts)).toEqual([-2, -1, 0, 0]); // 0.2 = 0.8·2^-2, 0.4, 0.6, 0.8
    expect(call.bias).toBeUndefined();
  });

  test('float tensors are rejected with a typed error naming the node', () => {
    const g = convGraph('float32');
    expect(() => lowerNode(g, g.nodes[0])).toThrow(KernelLoweringError);
    try {
      lowerNode(g, g.nodes[0]);
    } catch (e) {
      expect((e as KernelLoweringError).code).toBe('KERNEL_UNSUPPORTED_TYPE');
      expect((e as Error).message).toContain("node 'conv'");
    }
  });

  test('ops without a kernel yet raise KERNEL_UNSUPPORTED_OP', () => {
    const b = new GraphBuilder();
    const x = b.input({ name: 'x', shape: [1, 4], dtype: 'int8', quant: q(0.1, 0) });
    const c = b.input({ name: 'c', shape: [1, 4], dtype: 'int8', quant: q(0.1, 0) });
    const y = b.node('Sub', { activation: 'none' }, [x, c], { name: 't', dtype: 'int8', quant: q(0.1, 0) });
    const g = b.output(y).build();
    expect(() => lowerNode(g, g.nodes[0])).toThrow(expect.objectContaining({ code: 'KERNEL_UNSUPPORTED_OP' }));
  });

  test('tanh lowers to a table holding TFLite int8 tanh (odd, saturating at ±127/-128)', () => {
    const b = new GraphBuilder();
    const x = b.input({ name: 'x', shape: [1, 4], dtype: 'int8', quant: q(0.05, 0) });
    const y = b.node('Tanh', {}, [x], { name: 't', dtype: 'int8', quant: q(1 / 128, 0) });
    const g = b.output(y).build();
    const call = lowerNode(g, g.nodes[0]);
    if (call.kernel !== 'tfg_lut_s8') throw new Error(call.kernel);
    expect(call.size).toBe(4);
    expect(call.table[128]).toBe(0); // tanh(0)
    expect(call.table[0]).toBe(-128); // tanh(-6.4) saturates
    expect(call.table[255]).toBe(127);
    expect(call.table[128 + 20]).toBe(Math.round(Math.tanh(1) * 128)); // tanh(1.0) ≈ 0.7616 → 97
  });

  test('int8 relu6 with different input/output quantization is a typed error, not a crash', () => {
    const b = new GraphBuilder();
    const x = b.input({ name: 'x', shape: [4], dtype: 'int8', quant: q(0.05, 0) });
    const y = b.node('Relu6', {}, [x], { name: 'r6', dtype: 'int8', quant: q(0.1, 0) });
    const g = b.output(y).build();
    expect(() => lowerNode(g, g.nodes[0])).toThrow(expect.objectContaining({ code: 'KERNEL_BAD_QUANTIZATION' }));
  });

  test('every C source is listed for the generator', () => {
    const names = kernelSources().map((f) => path.basename(f));
    expect(names).toEqual(expect.arrayContaining(['tfg_convolve_s8.c', 'tfg_softmax_s8.c', 'tfg_nn_gemm_s8.c']));
  });
});

const withGcc = hasCompiler('gcc') ? test : test.skip;

// Scales 0.5 · 0.25 / 0.125 = 1 make the requantization exact, so the expected bytes follow from integers alone.
withGcc('broadcasting MUL through the C kernel: [1,1,1,3] × [1,2,2,3], clamped to int8', () => {
  const b = new GraphBuilder();
  const a = b.input({ name: 'a', shape: [1, 1, 1, 3], dtype: 'int8', quant: q(0.5, 2) });
  const c = b.input({ name: 'c', shape: [1, 2, 2, 3], dtype: 'int8', quant: q(0.25, -1) });
  const y = b.node('Mul', { activation: 'none' }, [a, c], { name: 'mul', dtype: 'int8', quant: q(0.125, 3) });
  const g = b.output(y).build();
  const call = lowerNode(g, g.nodes[0]);
  const av = Int8Array.of(5, -7, 100);
  const cv = Int8Array.from({ length: 12 }, (_, i) => i * 9 - 50);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tfg-mul-'));
  try {
    const driver = path.join(work, 'driver');
    buildVectorDriver(driver);
    fs.writeFileSync(path.join(work, 'v'), encodeVectorFile(call, [av, cv]));
    const r = spawnSync(driver, [path.join(work, 'v'), path.join(work, 'o')], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const got = Array.from(new Int8Array(fs.readFileSync(path.join(work, 'o'))));
    const expected = Array.from(cv, (v, i) => Math.max(-128, Math.min(127, (av[i % 3] - 2) * (v + 1) + 3)));
    expect(got).toEqual(expected);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
});
