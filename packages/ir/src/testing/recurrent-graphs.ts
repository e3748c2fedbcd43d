import { GraphBuilder } from '../builder';
import { Graph } from '../graph';
import { GRU_INPUT, LSTM_INPUT } from '../ops/recurrent';
import { seededUniform } from '../random';
import { StateKind } from '../tensor';

export interface SequenceModelOptions {
  seed: number;
  time: number;
  batch: number;
  features: number;
  hidden: number;
  timeMajor?: boolean;
  /** Weights are uniform in [-range, range]. */
  weightRange?: number;
  state?: StateKind;
}

function uniform(rnd: () => number, n: number, range: number): Float32Array {
  return Float32Array.from({ length: n }, () => (2 * rnd() - 1) * range);
}

function sequenceShape(o: SequenceModelOptions, last: number): number[] {
  return o.timeMajor ? [o.time, o.batch, last] : [o.batch, o.time, last];
}

/** A float UNIDIRECTIONAL_SEQUENCE_LSTM with seeded random weights (standard LSTM: no peephole, projection, CIFG). */
export function floatLstmGraph(o: SequenceModelOptions): Graph {
  const rnd = seededUniform(o.seed);
  const range = o.weightRange ?? 0.5;
  const b = new GraphBuilder(`lstm_${o.seed}`);
  const f = (name: string, shape: number[]): number => b.constant({ name, shape, dtype: 'float32' }, uniform(rnd, shape.reduce((p, d) => p * d, 1), range));
  const x = b.input({ name: 'x', shape: sequenceShape(o, o.features), dtype: 'float32' });
  const inputs = new Array<number>(24).fill(-1);
  inputs[LSTM_INPUT.input] = x;
  const gates = ['input', 'forget', 'cell', 'output'];
  gates.forEach((g, k) => {
    inputs[LSTM_INPUT.inputToInputWeights + k] = f(`w_${g}`, [o.hidden, o.features]);
    inputs[LSTM_INPUT.recurrentToInputWeights + k] = f(`r_${g}`, [o.hidden, o.hidden]);
    inputs[LSTM_INPUT.inputGateBias + k] = f(`b_${g}`, [o.hidden]);
  });
  inputs[LSTM_INPUT.outputState] = b.state({ name: 'h', shape: [o.batch, o.hidden], dtype: 'float32' }, o.state);
  inputs[LSTM_INPUT.cellState] = b.state({ name: 'c', shape: [o.batch, o.hidden], dtype: 'float32' }, o.state);
  const y = b.node('UnidirectionalSequenceLstm', { timeMajor: o.timeMajor ?? false }, inputs, { name: 'lstm', dtype: 'float32' });
  return b.output(y).build();
}

/** A float GRU (PyTorch's form: linear before reset) with seeded random weights. */
export function floatGruGraph(o: SequenceModelOptions & { linearBeforeReset?: boolean }): Graph {
  const rnd = seededUniform(o.seed);
  const range = o.weightRange ?? 0.5;
  const b = new GraphBuilder(`gru_${o.seed}`);
  const f = (name: string, shape: number[]): number => b.constant({ name, shape, dtype: 'float32' }, uniform(rnd, shape.reduce((p, d) => p * d, 1), range));
  const x = b.input({ name: 'x', shape: sequenceShape(o, o.features), dtype: 'float32' });
  const inputs = new Array<number>(12).fill(-1);
  inputs[GRU_INPUT.input] = x;
  ['update', 'reset', 'candidate'].forEach((g, k) => {
    inputs[GRU_INPUT.inputToUpdateWeights + k] = f(`w_${g}`, [o.hidden, o.features]);
    inputs[GRU_INPUT.recurrentToUpdateWeights + k] = f(`r_${g}`, [o.hidden, o.hidden]);
  });
  inputs[GRU_INPUT.updateGateBias] = f('b_update', [o.hidden]);
  inputs[GRU_INPUT.resetGateBias] = f('b_reset', [o.hidden]);
  inputs[GRU_INPUT.candidateInputBias] = f('b_candidate_in', [o.hidden]);
  inputs[GRU_INPUT.candidateRecurrentBias] = f('b_candidate_rec', [o.hidden]);
  inputs[GRU_INPUT.hiddenState] = b.state({ name: 'h', shape: [o.batch, o.hidden], dtype: 'float32' }, o.state);
  const attrs = { timeMajor: o.timeMajor ?? false, linearBeforeReset: o.linearBeforeReset ?? true };
  const y = b.node('UnidirectionalSequenceGru', attrs, inputs, { name: 'gru', dtype: 'float32' });
  return b.output(y).build();
}
