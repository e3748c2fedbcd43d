import { GraphBuilder, Quantization, seededUniform } from '@tinyforge/ir';
import { quantizeMultiplier } from '../fixed-point';
import { logisticInt16, lookupInt16, multiplyByQuantizedMultiplierInt64, populateInt16Lut, SIGMOID_TABLE_UINT16, tanhInt16 } from '../int16-fixed-point';
import { Interpreter } from '../interpreter';

const q = (scale: number, zeroPoint = 0): Quantization => ({ scale: [scale], zeroPoint: [zeroPoint], axis: 0 });
const i16 = (values: number[]): Uint8Array => new Uint8Array(Int16Array.from(values).buffer);
const asI16 = (b: Uint8Array): number[] => Array.from(new Int16Array(b.slice().buffer));
const asI8 = (b: Uint8Array): number[] => Array.from(new Int8Array(b.slice().buffer));
const ALL_INT16 = Array.from({ length: 65536 }, (_, k) => k - 32768);

describe('16-bit fixed point', () => {
  it('int64 MultiplyByQuantizedMultiplier rounds the multiplier to 16 bits and shifts once', () => {
    // 0.75 = 2^31·0.75 · 2^-31: reduced multiplier (1610612736 + 2^15) >> 16 = 24576 = 0.75·2^15.
    const m = quantizeMultiplier(0.75);
    expect(multiplyByQuantizedMultiplierInt64(1000, 0n, m.multiplier, m.shift)).toBe(750);
    expect(multiplyByQuantizedMultiplierInt64(1001, 0n, m.multiplier, m.shift)).toBe(751); // 750.75 rounds up
    expect(multiplyByQuantizedMultiplierInt64(-1001, 0n, m.multiplier, m.shift)).toBe(-751); // -750.75: floor(x + 0.5)
    expect(multiplyByQuantizedMultiplierInt64(-2, 0n, m.multiplier, m.shift)).toBe(-1); // -1.5 rounds toward +inf
    // A bias beyond 2^53 takes the exact BigInt path: (2^60 + 4)·0.75 = 3·2^58 + 3 wraps to int32 3.
    expect(multiplyByQuantizedMultiplierInt64(4, 2n ** 60n, m.multiplier, m.shift)).toBe(3);
  });

  it('its double and BigInt paths agree on random 48-bit accumulators', () => {
    const rnd = seededUniform(7);
    for (let k = 0; k < 2000; k++) {
      const { multiplier, shift } = quantizeMultiplier(Math.pow(2, -20 * rnd()) * (0.5 + rnd()));
      const acc = Math.round((rnd() - 0.5) * 2 ** 40);
      const bias = BigInt(Math.round((rnd() - 0.5) * 2 ** 40));
      const reduced = BigInt(multiplier < 0x7fff0000 ? (multiplier + 32768) >> 16 : 0x7fff);
      const total = BigInt(15 - shift);
      const exact = Number(BigInt.asIntN(32, ((BigInt(acc) + bias) * reduced + (1n << (total - 1n))) >> total));
      expect(multiplyByQuantizedMultiplierInt64(acc, bias, multiplier, shift)).toBe(exact);
    }
  });

  it('the sigmoid table holds sigmoid(i/24) in 0.16, interpolation-corrected (spot values of TFLite’s table)', () => {
    expect([0, 1, 4, 8, 100, 254, 255].map((i) => SIGMOID_TABLE_UINT16[i])).toEqual([32768, 33451, 35493, 38180, 64536, 65534, 65535]);
    for (let i = 1; i < 256; i++) expect(SIGMOID_TABLE_UINT16[i]).toBeGreaterThanOrEqual(SIGMOID_TABLE_UINT16[i - 1]);
  });

  it('int16 logistic and tanh (Q3.12 in, Q0.15 out) stay within 2e-4 of the true functions over every input', () => {
    let worstLogistic = 0;
    let worstTanh = 0;
    for (const v of ALL_INT16) {
      const x = v / 4096;
      worstLogistic = Math.max(worstLogistic, Math.abs(logisticInt16(v, 0, 0) / 32768 - 1 / (1 + Math.exp(-x))));
      worstTanh = Math.max(worstTanh, Math.abs(tanhInt16(v, 0, 0) / 32768 - Math.tanh(x)));
    }
    expect(worstLogistic).toBeLessThan(2e-4);
    expect(worstTanh).toBeLessThan(2e-4);
    expect([logisticInt16(0, 0, 0), tanhInt16(0, 0, 0)]).toEqual([16384, 0]);
    expect([logisticInt16(32767, 0, 0), logisticInt16(-32768, 0, 0)]).toEqual([32757, 11]); // σ(±8)·2^15
  });

  it('the interpolated exp table matches exp on [-10, 0] to within 7 LSB (its 512 samples sit 127.998 codes apart, looked up 128 apart)', () => {
    const lut = populateInt16Lut(10 / 65535, 32767, 2 / 65535, 0, (v) => Math.fround(Math.exp(v)));
    let worst = 0;
    for (let v = -32768; v <= 32767; v++) {
      const real = Math.exp((10 / 65535) * (v - 32767));
      worst = Math.max(worst, Math.abs(lookupInt16(v, lut) - real * 32768));
    }
    expect(worst).toBeLessThan(7); // TFLite Micro's int16 softmax tests allow 7
    expect(worst).toBeGreaterThan(6); // and the table's offset does show near 0 (6.4 LSB at x = −0.078)
  });
});

/** One node over int16 tensors, run on `inputs`. */
function run(build: (b: GraphBuilder) => number, inputs: Uint8Array[]): Uint8Array {
  const b = new GraphBuilder();
  b.output(build(b));
  return new Interpreter(b.build()).run(inputs).outputs[0];
}

describe('int16x8 weighted layers, hand-computed', () => {
  it('depthwise conv: int64 bias, per-channel multipliers, int16 clamp', () => {
    const out = run(
      (b) => {
        const x = b.input({ name: 'x', shape: [1, 1, 2, 2], dtype: 'int16', quant: q(0.5) });
        const w = b.constant({ name: 'w', shape: [1, 1, 2, 2], dtype: 'int8', quant: { scale: [0.25, 1], zeroPoint: [0, 0], axis: 3 } }, new Int8Array([2, -3, 4, 100]));
        const bias = b.constant({ name: 'b', shape: [2], dtype: 'int64' }, new BigInt64Array([10n, -7n]));
        return b.node('DepthwiseConv2D', { strideH: 1, strideW: 1, padding: 'valid', depthMultiplier: 1 }, [x, w, bias], { name: 'y', dtype: 'int16', quant: q(0.125) });
      },
      [i16([1000, 20000, -300, 30000])],
    );
    // ch0: (1000·2 + −300·4 + 10)·(0.5·0.25/0.125 = 1) = 810; ch1: (20000·−3 + 30000·100 − 7)·4 saturates at 32767.
    expect(asI16(out)).toEqual([810, 32767]);
  });

  it('depthwise refuses an int32 bias (TFLite Micro’s int16 depthwise reads int64 only)', () => {
    expect(() =>
      run((b) => {
        const x = b.input({ name: 'x', shape: [1, 1, 1, 1], dtype: 'int16', quant: q(1) });
        const w = b.constant({ name: 'w', shape: [1, 1, 1, 1], dtype: 'int8', quant: q(1) }, new Int8Array([1]));
        const bias = b.constant({ name: 'b', shape: [1], dtype: 'int32' }, new Int32Array([1]));
        return b.node('DepthwiseConv2D', { strideH: 1, strideW: 1, padding: 'valid', depthMultiplier: 1 }, [x, w, bias], { name: 'y', dtype: 'int16', quant: q(1) });
      }, [i16([1])]),
    ).toThrow(/takes an int64 bias/);
  });

  it('fully connected: an int32 bias accumulates in a wrapping int32, an int64 one does not', () => {
    const fc = (biasType: 'int32' | 'int64') =>
      run(
        (b) => {
          const x = b.input({ name: 'x', shape: [1, 2], dtype: 'int16', quant: q(1) });
          const w = b.constant({ name: 'w', shape: [1, 2], dtype: 'int8', quant: q(1) }, new Int8Array([127, 127]));
          const values = [2 ** 31 - 2 * 127 * 32767];
          const bias = b.constant({ name: 'b', shape: [1], dtype: biasType }, biasType === 'int32' ? new Int32Array(values) : new BigInt64Array(values.map(BigInt)));
          return b.node('FullyConnected', {}, [x, w, bias], { name: 'y', dtype: 'int16', quant: q(2 ** 20) });
        },
        [i16([32767, 32768 - 1])],
      );
    // acc = 2^31 exactly: as int64 it rescales to 2^31 / 2^20 = 2048; as int32 it wraps to −2^31 → −2048.
    expect(asI16(fc('int64'))).toEqual([2048]);
    expect(asI16(fc('int32'))).toEqual([-2048]);
  });
});

describe('int16 elementwise, pooling, reduction and conversions, hand-computed', () => {
  it('mul: product of scales, int16 clamp', () => {
    const out = run((b) => {
      const x = b.input({ name: 'x', shape: [1, 3], dtype: 'int16', quant: q(0.5) });
      const y = b.input({ name: 'y', shape: [1, 3], dtype: 'int16', quant: q(0.25) });
      return b.node('Mul', {}, [x, y], { name: 'z', dtype: 'int16', quant: q(1 / 16) });
    }, [i16([3, -100, 300]), i16([5, 7, -300])]);
    // x·y·(0.5·0.25·16 = 2): 30, −1400, −180000 saturated
    expect(asI16(out)).toEqual([30, -1400, -32768]);
  });

  it('average pool rounds half away from zero, max pool takes the max, on int16', () => {
    const pool = (op: 'AveragePool2D' | 'MaxPool2D') =>
      asI16(
        run((b) => {
          const x = b.input({ name: 'x', shape: [1, 2, 2, 1], dtype: 'int16', quant: q(1) });
          return b.node(op, { filterH: 2, filterW: 2, strideH: 2, strideW: 2, padding: 'valid' }, [x], { name: 'y', dtype: 'int16', quant: q(1) });
        }, [i16([-30000, -30001, -30001, -30000])]),
      );
    expect(pool('AveragePool2D')).toEqual([-30001]); // −30000.5
    expect(pool('MaxPool2D')).toEqual([-30000]);
  });

  it('mean folds 1/count into the multiplier as TFLite Micro does', () => {
    const out = run((b) => {
      const x = b.input({ name: 'x', shape: [1, 3], dtype: 'int16', quant: q(1) });
      const axes = b.constant({ name: 'axes', shape: [1], dtype: 'int32' }, new Int32Array([1]));
      return b.node('Mean', { keepDims: false }, [x, axes], { name: 'y', dtype: 'int16', quant: q(1) });
    }, [i16([1, 2, 4])]);
    // multiplier 2^30 (shift 1) → shifted up by floor(log2 3) = 1, divided by 3: 715827882, shift 0 → 7·0.33333 = 2.33 → 2
    expect(asI16(out)).toEqual([2]);
  });

  it('quantize: float → int16, int16 → int8, int16 → int32, int32 → int16; dequantize int16', () => {
    const convert = (from: 'float32' | 'int16' | 'int32', fromQ: Quantization | undefined, to: 'int8' | 'int16' | 'int32', toQ: Quantization, input: Uint8Array) =>
      run((b) => {
        const x = b.input({ name: 'x', shape: [4], dtype: from, quant: fromQ });
        return b.node('Quantize', {}, [x], { name: 'y', dtype: to, quant: toQ });
      }, [input]);
    expect(asI16(convert('float32', undefined, 'int16', q(0.5), new Uint8Array(Float32Array.from([1.25, -1.25, 1e9, -3]).buffer)))).toEqual([3, -3, 32767, -6]);
    expect(asI8(convert('int16', q(0.5), 'int8', q(4, -10), i16([8, -9, 2000, -2000])))).toEqual([-9, -11, 127, -128]);
    expect(Array.from(new Int32Array(convert('int16', q(0.5), 'int32', q(2 ** -10), i16([3, -3, 32767, 0])).slice().buffer))).toEqual([1536, -1536, 32767 * 512, 0]);
    expect(asI16(convert('int32', q(2 ** -10), 'int16', q(0.5), new Uint8Array(Int32Array.from([1536, -1535, 2 ** 30, -(2 ** 30)]).buffer)))).toEqual([3, -3, 32767, -32768]);
    const deq = run((b) => b.node('Dequantize', {}, [b.input({ name: 'x', shape: [2], dtype: 'int16', quant: q(0.25) })], { name: 'y', dtype: 'float32' }), [i16([-32768, 5])]);
    expect(Array.from(new Float32Array(deq.slice().buffer))).toEqual([-8192, 1.25]);
  });

  it('softmax int16 → int16 sums to about 1.0 in Q0.15 and orders like the inputs', () => {
    const out = asI16(
      run((b) => b.node('Softmax', { beta: 1 }, [b.input({ name: 'x', shape: [2, 4], dtype: 'int16', quant: q(1 / 4096) })], { name: 'y', dtype: 'int16', quant: q(1 / 32768) }), [
        i16([0, 0, 0, 0, 4096, 0, -4096, -32768]),
      ]),
    );
    expect(out.slice(0, 4).every((v) => Math.abs(v - 8192) <= 2)).toBe(true);
    const probs = [1, 0, -1, -8].map(Math.exp);
    const total = probs.reduce((a, v) => a + v, 0);
    out.slice(4).forEach((v, i) => expect(Math.abs(v / 32768 - probs[i] / total)).toBeLessThan(3e-4));
  });

  it('softmax int8 → int16 writes 1/65536 steps from −32768', () => {
    const out = asI16(
      run((b) => b.node('Softmax', { beta: 1 }, [b.input({ name: 'x', shape: [1, 4], dtype: 'int8', quant: q(0.1) })], { name: 'y', dtype: 'int16', quant: q(1 / 65536, -32768) }), [
        new Uint8Array(Int8Array.from([3, 3, 3, 3]).buffer),
      ]),
    );
    expect(out).toEqual([-16384, -16384, -16384, -16384]); // 1/4 = 16384 steps above −32768
  });

  it('logistic and tanh refuse an int16 output whose scale is not 2^-15', () => {
    expect(() =>
      run((b) => b.node('Logistic', {}, [b.input({ name: 'x', shape: [1], dtype: 'int16', quant: q(2 ** -12) })], { name: 'y', dtype: 'int16', quant: q(2 ** -14) }), [i16([0])]),
    ).toThrow(/scale 2\^-15/);
  });
});
