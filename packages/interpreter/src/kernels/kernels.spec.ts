import { GraphBuilder, Quantization } from '@tinyforge/ir';
import { InterpreterError } from '../errors';
import { Interpreter } from '../interpreter';
import { mulberry32 } from '../test-support/shared';

const q = (scale: number, zeroPoint: number): Quantization => ({ scale: [scale], zeroPoint: [zeroPoint], axis: 0 });
const i8 = (values: number[]): Uint8Array => new Uint8Array(Int8Array.from(values).buffer);
const f32 = (values: number[]): Uint8Array => new Uint8Array(Float32Array.from(values).buffer);
const asI8 = (b: Uint8Array): number[] => Array.from(new Int8Array(b.buffer, b.byteOffset, b.byteLength));
const asF32 = (b: Uint8Array): number[] => Array.from(new Float32Array(b.slice().buffer));

describe('int8 kernels, hand-computed', () => {
  it('conv: per-channel requantization, zero-point offset, SAME padding skips outside taps, relu clamp', () => {
    const b = new GraphBuilder();
    const x = b.input({ name: 'x', shape: [1, 2, 2, 1], dtype: 'int8', quant: q(0.5, 1) });
    // Two 2×2 filters of ones; channel scales 0.5 and 1 → multipliers 0.25 and 0.5 (exact).
    const w = b.constant({ name: 'w', shape: [2, 2, 2, 1], dtype: 'int8', quant: { scale: [0.5, 1], zeroPoint: [0, 0], axis: 0 } }, new Int8Array(8).fill(1));
    const bias = b.constant({ name: 'b', shape: [2], dtype: 'int32' }, new Int32Array([0, -4]));
    const y = b.node('Conv2D', { strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padding: 'same', activation: 'relu' }, [x, w, bias], { name: 'y', dtype: 'int8', quant: q(1, -3) });
    b.output(y);
    // x − zp = [3, 5, 7, 9]; SAME pads bottom/right, so window sums are 24, 14, 16, 9.
    const out = asI8(new Interpreter(b.build()).run([i8([4, 6, 8, 10])]).outputs[0]);
    // ch0: sum·0.25 → 6, 3.5→4, 4, and 9·0.25 = 2.25 → 3 (TFLite rounds twice: 9·2^30·2/2^32 = 4.5 → 5, then
    // 5/2 → 3); ch1: (sum−4)·0.5 → 10, 5, 6, 2.5→3; then + zero point −3 (relu clamps at −3).
    expect(out).toEqual([3, 7, 1, 2, 1, 3, 0, 0]);
  });

  it('average pool rounds half away from zero; max pool takes the max', () => {
    const build = (op: 'AveragePool2D' | 'MaxPool2D'): Interpreter => {
      const b = new GraphBuilder();
      const x = b.input({ name: 'x', shape: [1, 2, 2, 1], dtype: 'int8', quant: q(1, 0) });
      b.output(b.node(op, { filterH: 2, filterW: 2, strideH: 2, strideW: 2, padding: 'valid', activation: 'none' }, [x], { name: 'y', dtype: 'int8', quant: q(1, 0) }));
      return new Interpreter(b.build());
    };
    expect(asI8(build('AveragePool2D').run([i8([-1, -2, -3, -4])]).outputs[0])).toEqual([-3]); // −2.5
    expect(asI8(build('AveragePool2D').run([i8([1, 2, 3, 4])]).outputs[0])).toEqual([3]); // 2.5
    expect(asI8(build('MaxPool2D').run([i8([1, -2, 9, 4])]).outputs[0])).toEqual([9]);
  });

  it('softmax of equal inputs is 1/n; the largest logit dominates', () => {
    const b = new GraphBuilder();
    const x = b.input({ name: 'x', shape: [2, 4], dtype: 'int8', quant: q(0.1, 0) });
    b.output(b.node('Softmax', { beta: 1 }, [x], { name: 'y', dtype: 'int8', quant: q(1 / 256, -128) }));
    const out = asI8(new Interpreter(b.build()).run([i8([5, 5, 5, 5, 127, -128, -128, -128])]).outputs[0]);
    expect(out.slice(0, 4)).toEqual([-64, -64, -64, -64]);
    expect(out.slice(4)).toEqual([127, -128, -128, -128]);
  });

  it('add with the left-shift scheme equals the real sum for values without ties', () => {
    const b = new GraphBuilder();
    const x = b.input({ name: 'x', shape: [1, 4], dtype: 'int8', quant: q(0.5, 0) });
    const y = b.input({ name: 'y', shape: [1, 1], dtype: 'int8', quant: q(0.25, 2) });
    b.output(b.node('Add', { activation: 'none' }, [x, y], { name: 'z', dtype: 'int8', quant: q(1, -1) }));
    // y = 0.25·(6−2) = 1, broadcast; x·0.5 + 1 = [−9, 1, 11, 51] → + zp −1.
    expect(asI8(new Interpreter(b.build()).run([i8([-20, 0, 20, 100]), i8([6])]).outputs[0])).toEqual([-10, 0, 10, 50]);
  });

  it('pad fills with the output zero point; reshape is a view', () => {
    const b = new GraphBuilder();
    const x = b.input({ name: 'x', shape: [1, 1, 1, 2], dtype: 'int8', quant: q(1, 7) });
    const p = b.constant({ name: 'p', shape: [4, 2], dtype: 'int32' }, new Int32Array([0, 0, 1, 0, 0, 0, 0, 1]));
    const y = b.node('Pad', {}, [x, p], { name: 'y', dtype: 'int8', quant: q(1, 7) });
    const s = b.constant({ name: 's', shape: [2], dtype: 'int32' }, new Int32Array([1, 6]));
    b.output(b.node('Reshape', {}, [y, s], { name: 'r', dtype: 'int8', quant: q(1, 7) }));
    expect(asI8(new Interpreter(b.build()).run([i8([1, 2])]).outputs[0])).toEqual([7, 7, 7, 1, 2, 7]);
  });

  it('concatenation requantizes inputs whose parameters differ from the output', () => {
    const b = new GraphBuilder();
    const x = b.input({ name: 'x', shape: [1, 2], dtype: 'int8', quant: q(1, 0) });
    const y = b.input({ name: 'y', shape: [1, 2], dtype: 'int8', quant: q(0.5, 4) });
    b.output(b.node('Concatenation', { axis: 1, activation: 'none' }, [x, y], { name: 'z', dtype: 'int8', quant: q(1, 0) }));
    expect(asI8(new Interpreter(b.build()).run([i8([3, -5]), i8([10, -1])]).outputs[0])).toEqual([3, -5, 3, -3]); // 3, −2.5 → −3
  });
});

describe('int8 activations and (de)quantization: properties over all 256 inputs', () => {
  const all = i8(Array.from({ length: 256 }, (_, k) => k - 128));
  const unary = (op: 'Logistic' | 'Tanh' | 'HardSwish', inQ: Quantization, outQ: Quantization): number[] => {
    const b = new GraphBuilder();
    const x = b.input({ name: 'x', shape: [256], dtype: 'int8', quant: inQ });
    b.output(b.node(op, {}, [x], { name: 'y', dtype: 'int8', quant: outQ }));
    return asI8(new Interpreter(b.build()).run([all]).outputs[0]);
  };
  const worstError = (out: number[], real: (v: number) => number, inQ: Quantization, outQ: Quantization): number =>
    Math.max(...out.map((o, k) => Math.abs(o - (real(inQ.scale[0] * (k - 128 - inQ.zeroPoint[0])) / outQ.scale[0] + outQ.zeroPoint[0]))));

  it('logistic and tanh are within one step of the real function and monotonic', () => {
    const inQ = q(0.06, 3);
    const lo = unary('Logistic', inQ, q(1 / 256, -128));
    const th = unary('Tanh', inQ, q(1 / 128, 0));
    expect(worstError(lo, (v) => Math.min(1 / (1 + Math.exp(-v)), 127 / 256 + 0.5), inQ, q(1 / 256, -128))).toBeLessThanOrEqual(1);
    expect(worstError(th, (v) => Math.min(Math.tanh(v), 127 / 128), inQ, q(1 / 128, 0))).toBeLessThanOrEqual(1);
    for (let k = 1; k < 256; k++) {
      expect(lo[k]).toBeGreaterThanOrEqual(lo[k - 1]);
      expect(th[k]).toBeGreaterThanOrEqual(th[k - 1]);
    }
  });

  it('hard-swish is within two steps of x·relu6(x+3)/6', () => {
    const inQ = q(0.05, -10);
    const outQ = q(0.04, -60);
    const out = unary('HardSwish', inQ, outQ);
    const real = (v: number): number => Math.max(-128 * 0.04, Math.min((v * Math.min(6, Math.max(0, v + 3))) / 6, 0.04 * 187));
    expect(worstError(out, real, inQ, outQ)).toBeLessThanOrEqual(2);
  });

  it('quantize(dequantize(q)) is the identity', () => {
    const b = new GraphBuilder();
    const x = b.input({ name: 'x', shape: [256], dtype: 'int8', quant: q(0.0371, -17) });
    const f = b.node('Dequantize', {}, [x], { name: 'f', dtype: 'float32' });
    b.output(b.node('Quantize', {}, [f], { name: 'y', dtype: 'int8', quant: q(0.0371, -17) }));
    expect(asI8(new Interpreter(b.build()).run([all]).outputs[0])).toEqual(asI8(all));
  });
});

describe('float kernels', () => {
  it('depthwise conv with multiplier 2 and relu6, and the mean of its output', () => {
    const b = new GraphBuilder();
    const x = b.input({ name: 'x', shape: [1, 1, 2, 1], dtype: 'float32' });
    const w = b.constant({ name: 'w', shape: [1, 1, 2, 2], dtype: 'float32' }, new Float32Array([1, -1, 2, 10]));
    const y = b.node('DepthwiseConv2D', { strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padding: 'valid', activation: 'relu6', depthMultiplier: 2 }, [x, w], { name: 'y', dtype: 'float32' });
    const axes = b.constant({ name: 'axes', shape: [1], dtype: 'int32' }, new Int32Array([3]));
    const m = b.node('Mean', { keepDims: false }, [y, axes], { name: 'm', dtype: 'float32' });
    b.output(y).output(m);
    const { outputs } = new Interpreter(b.build()).run([f32([3, 0.5])]);
    // ch0: 3·1 + 0.5·2 = 4; ch1: −3 + 5 = 2 → relu6 keeps both.
    expect(asF32(outputs[0])).toEqual([4, 2]);
    expect(asF32(outputs[1])).toEqual([3]);
  });

  it('keepIntermediates returns the selected tensors', () => {
    const b = new GraphBuilder();
    const x = b.input({ name: 'x', shape: [4], dtype: 'float32' });
    const r = b.node('Relu', {}, [x], { name: 'r', dtype: 'float32' });
    b.output(b.node('Logistic', {}, [r], { name: 'l', dtype: 'float32' }));
    const { tensors } = new Interpreter(b.build()).run([f32([-1, 0, 1, 2])], { keepIntermediates: (t) => t === r });
    expect([...tensors!.keys()]).toEqual([r]);
    expect(asF32(tensors!.get(r)!)).toEqual([0, 0, 1, 2]);
  });

  it('is deterministic on random inputs (mulberry32)', () => {
    const b = new GraphBuilder();
    const x = b.input({ name: 'x', shape: [1, 5, 5, 3], dtype: 'float32' });
    const next = mulberry32(5);
    const w = b.constant({ name: 'w', shape: [4, 3, 3, 3], dtype: 'float32' }, Float32Array.from({ length: 108 }, () => next() / 2 ** 32 - 0.5));
    b.output(b.node('Conv2D', { strideH: 2, strideW: 2, dilationH: 1, dilationW: 1, padding: 'same', activation: 'none' }, [x, w], { name: 'y', dtype: 'float32' }));
    const interp = new Interpreter(b.build());
    const input = f32(Array.from({ length: 75 }, () => next() / 2 ** 32));
    expect(interp.run([input]).outputs[0]).toEqual(interp.run([input]).outputs[0]);
  });
});

describe('errors', () => {
  it('rejects unsupported combinations with INTERP_UNSUPPORTED naming the node', () => {
    const b = new GraphBuilder();
    const x = b.input({ name: 'x', shape: [1, 4], dtype: 'int8', quant: q(0.1, 0) });
    b.output(b.node('Softmax', { beta: 1 }, [x], { name: 'soft', dtype: 'int8', quant: q(0.1, 0) }));
    const e = (() => {
      try {
        new Interpreter(b.build());
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(InterpreterError);
    expect(e).toMatchObject({ code: 'INTERP_UNSUPPORTED' });
    expect((e as Error).message).toContain("node 'soft'");
  });

  it('rejects wrong input sizes and invalid graphs', () => {
    const b = new GraphBuilder();
    const x = b.input({ name: 'x', shape: [4], dtype: 'float32' });
    b.output(b.node('Relu', {}, [x], { name: 'r', dtype: 'float32' }));
    const interp = new Interpreter(b.build());
    expect(() => interp.run([f32([1, 2])])).toThrow(expect.objectContaining({ code: 'INTERP_INPUT' }));
    expect(() => interp.run([])).toThrow(expect.objectContaining({ code: 'INTERP_INPUT' }));
    const g = b.build();
    g.nodes[0].inputs[0] = 42;
    expect(() => new Interpreter(g)).toThrow(expect.objectContaining({ code: 'INTERP_GRAPH' }));
  });

  it('refuses a graph whose activations add up past the budget, before allocating them', () => {
    const b = new GraphBuilder();
    let x = b.input({ name: 'x', shape: [1, 4096, 2048, 1], dtype: 'float32' }); // 32 MiB each, under the per-tensor limit
    for (let i = 0; i < 9; i++) x = b.node('Relu', {}, [x], { name: `r${i}`, dtype: 'float32' });
    b.output(x);
    expect(() => new Interpreter(b.build())).toThrow(expect.objectContaining({ code: 'INTERP_GRAPH', message: expect.stringMatching(/activations need 335544320 bytes/) }));
  });
});
