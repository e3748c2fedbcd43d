import { Graph, GraphBuilder, LSTM_INPUT, Quantization, seededUniform, SVDF_INPUT } from '@tinyforge/ir';
import { floatGruGraph, floatLstmGraph } from '@tinyforge/ir/testing';
import { Interpreter } from '../interpreter';

const q = (scale: number, zeroPoint = 0): Quantization => ({ scale: [scale], zeroPoint: [zeroPoint], axis: 0 });
const f32 = (v: ArrayLike<number>): Uint8Array => new Uint8Array(Float32Array.from(v).buffer);
const asF32 = (b: Uint8Array): Float32Array => new Float32Array(b.slice().buffer);
const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

/** A constant's float values. */
const values = (g: Graph, i: number): Float32Array => new Float32Array(g.tensors[i].data!.slice().buffer);

/** The textbook LSTM in double precision, straight from the weights of a float graph (independent of the kernel). */
function referenceLstm(g: Graph, x: Float32Array, shape: number[], timeMajor: boolean): number[] {
  const n = g.nodes[0].inputs;
  const [d0, d1, features] = shape;
  const [time, batch] = timeMajor ? [d0, d1] : [d1, d0];
  const units = g.tensors[n[LSTM_INPUT.recurrentToForgetWeights]].shape[0];
  const mat = (w: number, v: number[]): number[] => {
    const m = values(g, n[w]);
    const cols = v.length;
    return Array.from({ length: units }, (_, u) => v.reduce((s, xv, k) => s + m[u * cols + k] * xv, 0));
  };
  const out = new Array<number>(time * batch * units).fill(0);
  for (let b = 0; b < batch; b++) {
    let h = new Array<number>(units).fill(0);
    let c = new Array<number>(units).fill(0);
    for (let t = 0; t < time; t++) {
      const xi = timeMajor ? (t * batch + b) * features : (b * time + t) * features;
      const xv = Array.from(x.subarray(xi, xi + features));
      const pre = (k: number): number[] => {
        const wx = mat(LSTM_INPUT.inputToInputWeights + k, xv);
        const rh = mat(LSTM_INPUT.recurrentToInputWeights + k, h);
        const bias = values(g, n[LSTM_INPUT.inputGateBias + k]);
        return wx.map((v, u) => v + rh[u] + bias[u]);
      };
      const [i, f, cc, o] = [pre(0).map(sigmoid), pre(1).map(sigmoid), pre(2).map(Math.tanh), pre(3).map(sigmoid)];
      c = c.map((cv, u) => f[u] * cv + i[u] * cc[u]);
      h = c.map((cv, u) => o[u] * Math.tanh(cv));
      const oi = timeMajor ? (t * batch + b) * units : (b * time + t) * units;
      h.forEach((v, u) => (out[oi + u] = v));
    }
  }
  return out;
}

function randomInput(n: number, seed: number): Float32Array {
  const rnd = seededUniform(seed);
  return Float32Array.from({ length: n }, () => 2 * rnd() - 1);
}

describe('float UNIDIRECTIONAL_SEQUENCE_LSTM', () => {
  it.each([false, true])('matches the textbook LSTM (timeMajor %s, 2 batch entries with their own state)', (timeMajor) => {
    const opts = { seed: 11, time: 6, batch: 2, features: 3, hidden: 5, timeMajor };
    const g = floatLstmGraph(opts);
    const shape = g.tensors[g.inputs[0]].shape;
    const x = randomInput(6 * 2 * 3, 4);
    const out = asF32(new Interpreter(g).run([f32(x)]).outputs[0]);
    const expected = referenceLstm(g, x, shape, timeMajor);
    expected.forEach((v, i) => expect(Math.abs(out[i] - v)).toBeLessThan(1e-5));
  });

  it('keeps persistent state across runs until resetState, and resets per-run state every run', () => {
    const x = f32(randomInput(4 * 3, 9));
    const persistent = new Interpreter(floatLstmGraph({ seed: 3, time: 4, batch: 1, features: 3, hidden: 4 }));
    const first = persistent.run([x]).outputs[0];
    const second = persistent.run([x]).outputs[0];
    expect(Buffer.from(second).equals(Buffer.from(first))).toBe(false);
    persistent.resetState();
    expect(Buffer.from(persistent.run([x]).outputs[0]).equals(Buffer.from(first))).toBe(true);
    const perRun = new Interpreter(floatLstmGraph({ seed: 3, time: 4, batch: 1, features: 3, hidden: 4, state: 'per-run' }));
    expect(Buffer.from(perRun.run([x]).outputs[0]).equals(Buffer.from(first))).toBe(true);
    expect(Buffer.from(perRun.run([x]).outputs[0]).equals(Buffer.from(first))).toBe(true);
  });

  it('refuses LSTM variants TFLite Micro does not run, naming them', () => {
    const g = floatLstmGraph({ seed: 1, time: 2, batch: 1, features: 3, hidden: 4 });
    const peephole = g.tensors.length;
    g.tensors.push({ name: 'peephole', shape: [4], dtype: 'float32', data: new Uint8Array(16) });
    g.nodes[0].inputs[LSTM_INPUT.cellToForgetWeights] = peephole;
    expect(() => new Interpreter(g)).toThrow(/peephole connections is not supported/);
  });
});

/** A one-unit, one-feature, one-step int8 LSTM whose gate inputs all equal 0.5 (x = 0.5, every weight 1, no bias). */
function tinyInt8Lstm(): Graph {
  const b = new GraphBuilder('tiny');
  const x = b.input({ name: 'x', shape: [1, 1, 1], dtype: 'int8', quant: q(1 / 128) });
  const inputs = new Array<number>(24).fill(-1);
  inputs[0] = x;
  for (let k = 0; k < 4; k++) {
    inputs[LSTM_INPUT.inputToInputWeights + k] = b.constant({ name: `w${k}`, shape: [1, 1], dtype: 'int8', quant: q(1 / 64) }, new Int8Array([64]));
    inputs[LSTM_INPUT.recurrentToInputWeights + k] = b.constant({ name: `r${k}`, shape: [1, 1], dtype: 'int8', quant: q(1 / 64) }, new Int8Array([64]));
    inputs[LSTM_INPUT.inputGateBias + k] = b.constant({ name: `b${k}`, shape: [1], dtype: 'int32', quant: q(1 / 8192) }, new Int32Array([0]));
  }
  inputs[LSTM_INPUT.outputState] = b.state({ name: 'h', shape: [1, 1], dtype: 'int8', quant: q(1 / 128) });
  inputs[LSTM_INPUT.cellState] = b.state({ name: 'c', shape: [1, 1], dtype: 'int16', quant: q(2 ** -12) });
  return b.output(b.node('UnidirectionalSequenceLstm', {}, inputs, { name: 'y', dtype: 'int8', quant: q(1 / 128) })).build();
}

describe('integer UNIDIRECTIONAL_SEQUENCE_LSTM', () => {
  it('one step by hand: Q3.12 gates, table sigmoid/tanh, products with one effective scale each', () => {
    // Each gate's input FC: 64·64 = 4096 at 2^-13 per step → ×0.5 → 2048 (0.5 in Q3.12); recurrent FC: h = 0.
    // σ(0.5): 2048·3 = 6144, table entry 12 exactly (40794) → (40794·2^9 + 2^9) >> 10 = 20397 (0.62246 in Q0.15).
    // tanh(0.5): table entry 24 (47911) → 47911 − 32768 = 15143 (0.46213).
    // c = i·g: 20397·15143 at 2^-30 → cell 2^-12: 308871771 / 2^18 = 1178.25 → 1178 (0.28760).
    // tanh(c): 1178·3 = 3534 → entries 13/14 (41432, 42064), fraction 206/256 → 9173 (0.27994).
    // h = o·tanh(c): 20397·9173 = 187101681 at 2^-30 → output 2^-7: / 2^23 = 22.30 → 22.
    const out = new Interpreter(tinyInt8Lstm()).run([new Uint8Array(Int8Array.from([64]).buffer)]).outputs[0];
    expect(Array.from(new Int8Array(out.buffer, out.byteOffset, 1))).toEqual([22]);
  });

  it('a quantized random LSTM tracks the float one (int8 activations, int16 cell state)', () => {
    const fg = floatLstmGraph({ seed: 5, time: 8, batch: 1, features: 4, hidden: 6, weightRange: 0.6 });
    const ig = structuredClone(fg);
    const node = ig.nodes[0];
    const xScale = 1 / 128;
    const wScale = 0.6 / 127;
    const hScale = 1 / 128;
    for (const [pos, i] of node.inputs.entries()) {
      if (i < 0) continue;
      const t = ig.tensors[i];
      if (pos === 0) Object.assign(t, { dtype: 'int8', quant: q(xScale) });
      else if (pos === LSTM_INPUT.outputState) Object.assign(t, { dtype: 'int8', quant: q(hScale) });
      else if (pos === LSTM_INPUT.cellState) Object.assign(t, { dtype: 'int16', quant: q(2 ** -11) });
      else if (t.shape.length === 2) {
        const v = values(fg, i);
        Object.assign(t, { dtype: 'int8', quant: q(wScale), data: new Uint8Array(Int8Array.from(v, (w) => Math.round(w / wScale)).buffer) });
      } else {
        const v = values(fg, i);
        Object.assign(t, { dtype: 'int32', quant: q(xScale * wScale), data: new Uint8Array(Int32Array.from(v, (w) => Math.round(w / (xScale * wScale))).buffer) });
      }
    }
    Object.assign(ig.tensors[node.outputs[0]], { dtype: 'int8', quant: q(hScale) });
    const x = randomInput(8 * 4, 21);
    const fo = asF32(new Interpreter(fg).run([f32(x)]).outputs[0]);
    const xq = new Uint8Array(Int8Array.from(x, (v) => Math.max(-128, Math.min(127, Math.round(v / xScale)))).buffer);
    const io = new Int8Array(new Interpreter(ig).run([xq]).outputs[0].slice().buffer);
    const worst = Math.max(...Array.from(io, (v, i) => Math.abs(v * hScale - fo[i])));
    expect(worst).toBeLessThan(0.04);
  });
});

describe('GRU', () => {
  it.each([true, false])('float: matches the textbook GRU (linearBeforeReset %s)', (linearBeforeReset) => {
    const g = floatGruGraph({ seed: 8, time: 5, batch: 2, features: 3, hidden: 4, timeMajor: true, linearBeforeReset });
    const n = g.nodes[0].inputs;
    const x = randomInput(5 * 2 * 3, 2);
    const out = asF32(new Interpreter(g).run([f32(x)]).outputs[0]);
    const mat = (w: number, v: number[]): number[] => Array.from({ length: 4 }, (_, u) => v.reduce((s, xv, k) => s + values(g, n[w])[u * v.length + k] * xv, 0));
    const vec = (i: number): number[] => Array.from(values(g, n[i]));
    for (let b = 0; b < 2; b++) {
      let h = [0, 0, 0, 0];
      for (let t = 0; t < 5; t++) {
        const xv = Array.from(x.subarray((t * 2 + b) * 3, (t * 2 + b) * 3 + 3));
        const z = mat(1, xv).map((v, u) => sigmoid(v + mat(4, h)[u] + vec(7)[u]));
        const r = mat(2, xv).map((v, u) => sigmoid(v + mat(5, h)[u] + vec(8)[u]));
        const rec = linearBeforeReset ? mat(6, h).map((v, u) => r[u] * (v + vec(10)[u])) : mat(6, h.map((hv, u) => r[u] * hv)).map((v, u) => v + vec(10)[u]);
        const cand = mat(3, xv).map((v, u) => Math.tanh(v + vec(9)[u] + rec[u]));
        h = h.map((hv, u) => (1 - z[u]) * cand[u] + z[u] * hv);
        h.forEach((v, u) => expect(Math.abs(out[(t * 2 + b) * 4 + u] - v)).toBeLessThan(1e-5));
      }
    }
  });
});

describe('integer SVDF', () => {
  /** batch 1, 2 inputs, 2 filters of rank 1, memory 2; int16 time weights and state. */
  function tinySvdf(): Graph {
    const b = new GraphBuilder('svdf');
    const x = b.input({ name: 'x', shape: [1, 2], dtype: 'int8', quant: q(0.5, 1) });
    const wf = b.constant({ name: 'wf', shape: [2, 2], dtype: 'int8', quant: q(0.25) }, new Int8Array([2, 4, -8, 1]));
    const wt = b.constant({ name: 'wt', shape: [2, 2], dtype: 'int16', quant: q(0.5) }, new Int16Array([3, 1, -1, 2]));
    const bias = b.constant({ name: 'b', shape: [2], dtype: 'int32', quant: q(0.0625) }, new Int32Array([5, -6]));
    const state = b.state({ name: 's', shape: [1, 4], dtype: 'int16', quant: q(0.125) });
    const inputs = [x, wf, wt, bias, state];
    inputs[SVDF_INPUT.activationState] = state;
    return b.output(b.node('Svdf', { rank: 1, activation: 'relu' }, inputs, { name: 'y', dtype: 'int8', quant: q(0.125, -3) })).build();
  }

  it('two calls by hand: the state shifts, feature products enter its last column', () => {
    const it = new Interpreter(tinySvdf());
    const run = (x: number[]): number[] => Array.from(new Int8Array(it.run([new Uint8Array(Int8Array.from(x).buffer)]).outputs[0].slice().buffer));
    // Feature scale 0.5·0.25/0.125 = 1: x − 1 = [2, 3] → filter 0: 2·2 + 4·3 = 16, filter 1: −16 + 3 = −13.
    // State rows [0, 16], [0, −13]; time dots (state 0.125 · time 0.5 / output 0.125 = ×0.5): 3·0 + 1·16 = 16,
    // −1·0 + 2·−13 = −26.
    // Plus bias [5, −6]: 21, −32 → ×0.5 → 10.5 → 11, −16 → + zero point −3: 8, −19 (no relu: TFLite's integer SVDF has none).
    expect(run([3, 4])).toEqual([8, -19]);
    // Second call, x − 1 = [0, −2]: filters −8, −2; rows [16, −8], [−13, −2]: 3·16 − 8 = 40, 13 − 4 = 9; + bias 45, 3
    // → ×0.5: 22.5 → 23, 1.5 → 2 → 20, −1.
    expect(run([1, -1])).toEqual([20, -1]);
    it.resetState();
    expect(run([3, 4])).toEqual([8, -19]);
  });
});
