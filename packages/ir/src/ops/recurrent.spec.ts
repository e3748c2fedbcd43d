import { GraphBuilder } from '../builder';
import { nodeStats } from '../stats';
import { floatGruGraph, floatLstmGraph } from '../testing';
import { validateGraph } from '../validate';
import { LSTM_INPUT, SVDF_INPUT } from './recurrent';

const q = (scale: number, zeroPoint = 0) => ({ scale: [scale], zeroPoint: [zeroPoint], axis: 0 });

describe('UnidirectionalSequenceLstm', () => {
  it('infers [batch, time, hidden] batch-major and [time, batch, hidden] time-major', () => {
    const bm = floatLstmGraph({ seed: 1, time: 5, batch: 2, features: 3, hidden: 4 });
    expect(validateGraph(bm)).toEqual([]);
    expect(bm.tensors[bm.outputs[0]].shape).toEqual([2, 5, 4]);
    const tm = floatLstmGraph({ seed: 1, time: 5, batch: 2, features: 3, hidden: 4, timeMajor: true });
    expect(validateGraph(tm)).toEqual([]);
    expect(tm.tensors[tm.outputs[0]].shape).toEqual([5, 2, 4]);
  });

  it('counts 4 gates × (input + recurrent) MACs per step', () => {
    const g = floatLstmGraph({ seed: 1, time: 5, batch: 2, features: 3, hidden: 4 });
    const s = nodeStats(g, g.nodes[0]);
    expect(s.macs).toBe(5 * 2 * 4 * 4 * (3 + 4));
    // weights 4·(4·3 + 4·4) + biases 4·4; the state tensors are not parameters
    expect(s.params).toBe(4 * (12 + 16) + 16);
  });

  it('accepts omitted optional inputs but not omitted required ones', () => {
    const g = floatLstmGraph({ seed: 1, time: 2, batch: 1, features: 3, hidden: 4 });
    g.nodes[0].inputs[LSTM_INPUT.cellToForgetWeights] = -1;
    expect(validateGraph(g)).toEqual([]);
    g.nodes[0].inputs[LSTM_INPUT.inputToForgetWeights] = -1;
    expect(validateGraph(g).map((p) => p.code)).toContain('IR_REF');
  });

  it('needs its states to be state tensors of batch × units elements', () => {
    const g = floatLstmGraph({ seed: 1, time: 2, batch: 1, features: 3, hidden: 4 });
    const c = g.nodes[0].inputs[LSTM_INPUT.cellState];
    g.tensors[c].shape = [1, 5];
    expect(validateGraph(g)[0].message).toContain('cell state has 5 elements, expected 4');
    g.tensors[c].shape = [1, 4];
    delete g.tensors[c].state;
    expect(validateGraph(g).map((p) => p.code)).toContain('IR_ORDER');
  });

  it('checks the integer element types (int8 hidden state, int16 cell state, int32 biases)', () => {
    const g = floatLstmGraph({ seed: 1, time: 2, batch: 1, features: 3, hidden: 4 });
    for (const t of g.tensors) {
      t.dtype = t.shape.length === 1 ? 'int32' : 'int8';
      t.quant = q(0.01);
    }
    const cell = g.tensors[g.nodes[0].inputs[LSTM_INPUT.cellState]];
    expect(validateGraph(g).map((p) => p.message)).toEqual([expect.stringContaining("input 19 (state) 'c' must be int16, got int8")]);
    cell.dtype = 'int16';
    expect(validateGraph(g)).toEqual([]);
  });
});

describe('state tensors', () => {
  it('may be neither produced by a node, a constant, a graph input nor a graph output', () => {
    const g = floatLstmGraph({ seed: 2, time: 2, batch: 1, features: 3, hidden: 4 });
    const h = g.nodes[0].inputs[LSTM_INPUT.outputState];
    g.outputs.push(h);
    expect(validateGraph(g).map((p) => p.code)).toEqual(['IR_STATE']);
    g.outputs.pop();
    g.tensors[h].data = new Uint8Array(16);
    expect(validateGraph(g).map((p) => p.code)).toEqual(['IR_STATE']);
    delete g.tensors[h].data;
    g.tensors[g.outputs[0]].state = 'persistent';
    expect(validateGraph(g).map((p) => p.code)).toContain('IR_PRODUCER');
  });
});

describe('UnidirectionalSequenceGru', () => {
  it('infers the output shape and counts 3 gates', () => {
    const g = floatGruGraph({ seed: 3, time: 6, batch: 2, features: 5, hidden: 3, timeMajor: true });
    expect(validateGraph(g)).toEqual([]);
    expect(g.tensors[g.outputs[0]].shape).toEqual([6, 2, 3]);
    expect(nodeStats(g, g.nodes[0]).macs).toBe(6 * 2 * 3 * 3 * (5 + 3));
  });
});

describe('Svdf', () => {
  function svdf(opts: { rank: number; filters: number; memory: number; stateElements?: number }) {
    const b = new GraphBuilder('svdf');
    const x = b.input({ name: 'x', shape: [1, 6], dtype: 'float32' });
    const wf = b.constant({ name: 'wf', shape: [opts.filters, 6], dtype: 'float32' }, new Float32Array(opts.filters * 6));
    const wt = b.constant({ name: 'wt', shape: [opts.filters, opts.memory], dtype: 'float32' }, new Float32Array(opts.filters * opts.memory));
    const state = b.state({ name: 's', shape: [1, opts.stateElements ?? opts.filters * opts.memory], dtype: 'float32' });
    const inputs = [x, wf, wt, -1, state];
    inputs[SVDF_INPUT.activationState] = state;
    const out = b.tensor({ name: 'y', shape: [1, Math.floor(opts.filters / opts.rank)], dtype: 'float32' });
    const g = b.build();
    g.nodes.push({ name: 'svdf', op: 'Svdf', attrs: { rank: opts.rank, activation: 'relu' }, inputs, outputs: [out] });
    g.outputs.push(out);
    return g;
  }

  it('gives [batch, filters / rank] and allows an omitted bias', () => {
    expect(validateGraph(svdf({ rank: 2, filters: 8, memory: 3 }))).toEqual([]);
  });

  it('refuses a state that is not batch × memory × filters, and filters that rank does not divide', () => {
    expect(validateGraph(svdf({ rank: 2, filters: 8, memory: 3, stateElements: 20 }))[0].message).toContain('activation state has 20 elements, expected 24');
    expect(validateGraph(svdf({ rank: 3, filters: 8, memory: 3 }))[0].message).toContain('8 filters are not a multiple of rank 3');
  });
});

describe('element types of 16-bit models', () => {
  function unary(op: 'Softmax' | 'Quantize', inType: 'int8' | 'int16' | 'int32', outType: 'int8' | 'int16' | 'int32') {
    const b = new GraphBuilder('u');
    const x = b.input({ name: 'x', shape: [1, 4], dtype: inType, quant: q(0.1) });
    const out = b.tensor({ name: 'y', shape: [1, 4], dtype: outType, quant: outType === 'int8' ? q(1 / 256, -128) : q(1 / 65536, -32768) });
    const g = b.build();
    g.nodes.push({ name: 'n', op, attrs: op === 'Softmax' ? { beta: 1 } : {}, inputs: [x], outputs: [out] } as (typeof g.nodes)[number]);
    g.outputs = [out];
    return validateGraph(g).map((p) => p.message);
  }

  it('lets int8 softmax write int16 (as TFLite does), not int16 write int8', () => {
    expect(unary('Softmax', 'int8', 'int16')).toEqual([]);
    expect(unary('Softmax', 'int16', 'int8')).toEqual([expect.stringContaining('input 0 is int16 but the output is int8')]);
  });

  it('lets QUANTIZE requantize quantized int32 to and from int16, but not int32 to int32', () => {
    expect(unary('Quantize', 'int32', 'int16')).toEqual([]);
    expect(unary('Quantize', 'int16', 'int32')).toEqual([]);
    expect(unary('Quantize', 'int32', 'int32')).toEqual([expect.stringContaining('int32 → int32 is not a quantization')]);
  });
});
