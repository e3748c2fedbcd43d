import * as fs from 'fs';
import { Graph, LSTM_INPUT, NodeOf, SVDF_INPUT, validateGraph } from '@tinyforge/ir';
import { readTflite, writeTflite } from './index';
import { readSharedTflm, SHARED_TFLM_DIR } from './shared-models';

const available = fs.existsSync(SHARED_TFLM_DIR);
if (!available) console.warn(`recurrent TFLite model tests skipped: ${SHARED_TFLM_DIR} not found`);
const d = available ? describe : describe.skip;

const read = (name: string): Graph => readTflite(readSharedTflm(name)!, { file: name });

d('TFLite Micro recurrent models', () => {
  it.each(['trained_lstm.tflite', 'trained_lstm_int8.tflite'])('%s: one UNIDIRECTIONAL_SEQUENCE_LSTM with persistent state', (name) => {
    const g = read(name);
    expect(g.nodes.map((n) => n.op)).toEqual(['UnidirectionalSequenceLstm', 'Reshape', 'FullyConnected', 'Softmax']);
    const lstm = g.nodes[0] as NodeOf<'UnidirectionalSequenceLstm'>;
    expect(lstm.attrs).toEqual({ activation: 'tanh', cellClip: 10, projClip: 0, timeMajor: false });
    const h = g.tensors[lstm.inputs[LSTM_INPUT.outputState]];
    const c = g.tensors[lstm.inputs[LSTM_INPUT.cellState]];
    expect([h.state, c.state]).toEqual(['persistent', 'persistent']);
    expect([h.data, c.data]).toEqual([undefined, undefined]);
    if (name.includes('int8')) {
      expect([h.dtype, c.dtype]).toEqual(['int8', 'int16']);
      expect(c.quant?.scale).toEqual([2 ** -12]);
    }
  });

  it.each([
    ['keyword_scrambled.tflite', 'int16'],
    ['keyword_scrambled_8bit.tflite', 'int8'],
  ])('%s: seven SVDFs on int8 activations with %s time weights and state', (name, stateType) => {
    const g = read(name);
    const svdfs = g.nodes.filter((n): n is NodeOf<'Svdf'> => n.op === 'Svdf');
    expect(svdfs).toHaveLength(7);
    for (const n of svdfs) {
      expect(g.tensors[n.inputs[0]].dtype).toBe('int8');
      expect(g.tensors[n.inputs[SVDF_INPUT.weightsTime]].dtype).toBe(stateType);
      const state = g.tensors[n.inputs[SVDF_INPUT.activationState]];
      expect([state.dtype, state.state]).toEqual([stateType, 'persistent']);
      expect(n.attrs).toEqual({ rank: 1, activation: 'relu' });
    }
    // int16 input → QUANTIZE → … → int8 SOFTMAX writing int16 → QUANTIZE to int32
    expect(g.tensors[g.inputs[0]].dtype).toBe('int16');
    expect(g.tensors[g.outputs[0]].dtype).toBe('int32');
  });

  it.each(['trained_lstm.tflite', 'trained_lstm_int8.tflite', 'keyword_scrambled.tflite', 'keyword_scrambled_8bit.tflite'])(
    '%s: write → read keeps ops, attributes, state and quantization; a second write is byte-identical',
    (name) => {
      const g = read(name);
      const bytes = writeTflite(g);
      const back = readTflite(bytes);
      expect(validateGraph(back)).toEqual([]);
      expect(back.nodes.map((n) => [n.op, n.attrs])).toEqual(g.nodes.map((n) => [n.op, n.attrs]));
      for (const [i, t] of g.tensors.entries()) expect({ ...back.tensors[i], data: undefined }).toEqual({ ...t, data: undefined });
      expect(Buffer.from(writeTflite(back)).equals(Buffer.from(bytes))).toBe(true);
    },
  );
});
