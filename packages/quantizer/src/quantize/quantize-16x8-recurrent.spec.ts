import { elementCount, Graph, GRU_INPUT, isWeighted, LSTM_INPUT, validateGraph } from '@tinyforge/ir';
import { Interpreter } from '@tinyforge/interpreter';
import { readOnnx, readTflite, writeTflite } from '@tinyforge/model-format';
import { recurrentOnnxModel } from '@tinyforge/model-format/testing';
import { Sample } from '../calibration/calibrate';
import { QuantizerError } from '../errors';
import { int8Inputs } from '../report/measure';
import { randomFloats, runFloat, seeded, smallCnn } from '../test-support/float-graphs';
import { quantizeModel, QuantizeOptions, QuantizeResult } from './quantize-model';

function samplesFor(graph: Graph, n: number, seed: number, lo = -1, hi = 1): Sample[] {
  const r = seeded(seed);
  return Array.from({ length: n }, () => graph.inputs.map((t) => randomFloats(elementCount(graph.tensors[t].shape), r, lo, hi)));
}

/** Largest |dequantized quantized output − float output| over the samples, per graph output. */
function worstOutputError(r: QuantizeResult, samples: Sample[]): number[] {
  const run = new Interpreter(r.int8Graph);
  const worst = r.floatGraph.outputs.map(() => 0);
  for (const s of samples) {
    const ref = runFloat(r.floatGraph, s);
    run.resetState();
    const outs = run.run(int8Inputs(r.int8Graph, r.floatGraph, s)).outputs;
    r.int8Graph.outputs.forEach((t, k) => {
      const tensor = r.int8Graph.tensors[t];
      const q = tensor.quant!;
      const values = tensor.dtype === 'int16' ? new Int16Array(outs[k].slice().buffer) : new Int8Array(outs[k].slice().buffer);
      values.forEach((v, i) => (worst[k] = Math.max(worst[k], Math.abs(q.scale[0] * (v - q.zeroPoint[0]) - ref[k][i]))));
    });
  }
  return worst;
}

const quantize = (g: Graph, calib: Sample[], o: QuantizeOptions = {}): QuantizeResult => quantizeModel(g, calib, o);

describe('--activations int16 (TFLite 16x8 mode)', () => {
  const g = smallCnn();
  const calib = samplesFor(g, 16, 11);
  const evalSet = samplesFor(g, 8, 12);
  const r16 = quantize(g, calib, { activations: 'int16' });
  const r8 = quantize(g, calib);

  it('gives int16 symmetric activations, int8 weights and int64 biases', () => {
    expect(validateGraph(r16.int8Graph)).toEqual([]);
    for (const n of r16.int8Graph.nodes) {
      const out = r16.int8Graph.tensors[n.outputs[0]];
      expect([out.dtype, out.quant?.zeroPoint[0]]).toEqual(['int16', 0]);
      if (isWeighted(n)) {
        expect(r16.int8Graph.tensors[n.inputs[1]].dtype).toBe('int8');
        expect(r16.int8Graph.tensors[n.inputs[2]].dtype).toBe('int64');
      }
    }
    const softmax = r16.int8Graph.nodes.find((n) => n.op === 'Softmax')!;
    expect(r16.int8Graph.tensors[softmax.outputs[0]].quant!.scale).toEqual([2 ** -15]);
  });

  it('is several times closer to float than int8 on held-out samples', () => {
    const [e16] = worstOutputError(r16, evalSet);
    const [e8] = worstOutputError(r8, evalSet);
    expect(e16).toBeLessThan(e8 / 4);
    expect(e16).toBeLessThan(2e-3);
  });

  it('writes a TFLite file that reads back to the same int16 graph (same outputs)', () => {
    const back = readTflite(writeTflite(r16.int8Graph));
    const x = int8Inputs(r16.int8Graph, r16.floatGraph, evalSet[0]);
    expect(Buffer.from(new Interpreter(back).run(x).outputs[0]).equals(Buffer.from(new Interpreter(r16.int8Graph).run(x).outputs[0]))).toBe(true);
  });
});

describe('recurrent layers (ONNX LSTM and GRU as PyTorch exports them)', () => {
  const lstm = readOnnx(recurrentOnnxModel({ cell: 'LSTM', seed: 5, seq: 10, batch: 1, features: 6, hidden: 12, classes: 5 }));
  const gru = readOnnx(recurrentOnnxModel({ cell: 'GRU', seed: 6, seq: 10, batch: 1, features: 6, hidden: 12, classes: 5 }));
  const calib = (g: Graph): Sample[] => samplesFor(g, 24, 31, -2, 2);
  const evalSet = (g: Graph): Sample[] => samplesFor(g, 8, 32, -2, 2);

  it('LSTM int8: int16 power-of-two cell state from its calibrated range, hidden state = output, per-tensor weights', () => {
    const r = quantize(lstm, calib(lstm));
    expect(validateGraph(r.int8Graph)).toEqual([]);
    const node = r.int8Graph.nodes.find((n) => n.op === 'UnidirectionalSequenceLstm')!;
    const t = (pos: number) => r.int8Graph.tensors[node.inputs[pos]];
    const cellRange = r.internalRanges.get(`${node.name}/cell`)!;
    const cellMax = Math.max(-cellRange.min, cellRange.max);
    const cellScale = t(LSTM_INPUT.cellState).quant!.scale[0];
    expect(t(LSTM_INPUT.cellState).dtype).toBe('int16');
    expect(Math.log2(cellScale * 32768)).toBe(Math.ceil(Math.log2(cellMax))); // smallest power of two covering it
    expect(t(LSTM_INPUT.outputState).quant).toEqual(r.int8Graph.tensors[node.outputs[0]].quant);
    expect(t(LSTM_INPUT.outputState).state).toBe('per-run');
    expect(t(LSTM_INPUT.inputToForgetWeights).quant!.scale).toHaveLength(1);
    expect(t(LSTM_INPUT.forgetGateBias).dtype).toBe('int32');
    // the gate inputs were calibrated too (the Q3.12 range check)
    expect(['input', 'forget', 'cell', 'output'].every((g) => r.internalRanges.has(`${node.name}/${g}_gate`))).toBe(true);
    const [logits, sequence] = worstOutputError(r, evalSet(lstm));
    expect(logits).toBeLessThan(0.05);
    expect(sequence).toBeLessThan(0.05);
  });

  it('LSTM 16x8: int16 activations and hidden state, int64 biases, closer to float', () => {
    const r = quantize(lstm, calib(lstm), { activations: 'int16' });
    expect(validateGraph(r.int8Graph)).toEqual([]);
    const node = r.int8Graph.nodes.find((n) => n.op === 'UnidirectionalSequenceLstm')!;
    expect(r.int8Graph.tensors[node.inputs[LSTM_INPUT.outputState]].dtype).toBe('int16');
    expect(r.int8Graph.tensors[node.inputs[LSTM_INPUT.forgetGateBias]].dtype).toBe('int64');
    const [logits16] = worstOutputError(r, evalSet(lstm));
    const [logits8] = worstOutputError(quantize(lstm, calib(lstm)), evalSet(lstm));
    expect(logits16).toBeLessThan(logits8);
  });

  it('GRU int8: int16 Q0.15 hidden state, int64 candidate recurrent bias; no 16x8 GRU kernel', () => {
    const r = quantize(gru, calib(gru));
    expect(validateGraph(r.int8Graph)).toEqual([]);
    const node = r.int8Graph.nodes.find((n) => n.op === 'UnidirectionalSequenceGru')!;
    const t = (pos: number) => r.int8Graph.tensors[node.inputs[pos]];
    expect([t(GRU_INPUT.hiddenState).dtype, t(GRU_INPUT.hiddenState).quant!.scale[0]]).toEqual(['int16', 2 ** -15]);
    expect([t(GRU_INPUT.updateGateBias).dtype, t(GRU_INPUT.candidateRecurrentBias).dtype]).toEqual(['int32', 'int64']);
    const [logits, sequence] = worstOutputError(r, evalSet(gru));
    expect(logits).toBeLessThan(0.05);
    expect(sequence).toBeLessThan(0.05);
    expect(() => quantize(gru, calib(gru), { activations: 'int16' })).toThrow(QuantizerError);
  });

  it('warns when calibrated gate inputs go beyond the ±8 of the integer kernel’s Q3.12 gates', () => {
    const r = quantize(lstm, samplesFor(lstm, 8, 40, -60, 60));
    expect(r.warnings.some((w) => /gate inputs reach .* beyond the ±8/.test(w))).toBe(true);
  });

  it('a quantized ONNX LSTM written as TFLite reads back as the same integer graph (state becomes a variable tensor)', () => {
    const r = quantize(lstm, calib(lstm));
    const back = readTflite(writeTflite(r.int8Graph));
    const node = back.nodes.find((n) => n.op === 'UnidirectionalSequenceLstm')!;
    expect(back.tensors[node.inputs[LSTM_INPUT.cellState]].state).toBe('persistent');
    const x = int8Inputs(r.int8Graph, r.floatGraph, evalSet(lstm)[0]);
    const a = new Interpreter(back).run(x).outputs;
    const b = new Interpreter(r.int8Graph).run(x).outputs;
    a.forEach((o, k) => expect(Buffer.from(o).equals(Buffer.from(b[k]))).toBe(true));
  });
});
