import { DType } from '../dtype';
import { elementCount, shapeToString, Tensor } from '../tensor';
import { attr, defineOp, DTypeContext, DTypeRule, FusedActivation, ShapeContext } from './op-def';

/**
 * Recurrent and stateful ops. Their state is an input tensor marked `state` (see Tensor.state) that the op reads and
 * updates in place: TFLite's variable tensors.
 */

/** UNIDIRECTIONAL_SEQUENCE_LSTM's 24 inputs, in TFLite's order (lstm_shared.h); -1 marks an omitted optional one. */
export const LSTM_INPUT = {
  input: 0,
  inputToInputWeights: 1,
  inputToForgetWeights: 2,
  inputToCellWeights: 3,
  inputToOutputWeights: 4,
  recurrentToInputWeights: 5,
  recurrentToForgetWeights: 6,
  recurrentToCellWeights: 7,
  recurrentToOutputWeights: 8,
  cellToInputWeights: 9,
  cellToForgetWeights: 10,
  cellToOutputWeights: 11,
  inputGateBias: 12,
  forgetGateBias: 13,
  cellGateBias: 14,
  outputGateBias: 15,
  projectionWeights: 16,
  projectionBias: 17,
  outputState: 18,
  cellState: 19,
  inputLayerNorm: 20,
  forgetLayerNorm: 21,
  cellLayerNorm: 22,
  outputLayerNorm: 23,
} as const;

export interface LstmAttrs {
  /** The cell gate's and the hidden state's activation (TFLite's fused_activation_function; tanh in practice). */
  activation: FusedActivation;
  /** Clip the cell state to [-cellClip, cellClip]; 0 = no clipping. */
  cellClip: number;
  /** Clip the projection to [-projClip, projClip]; 0 = no clipping. */
  projClip: number;
  /** Input [time, batch, features] when true, [batch, time, features] when false. */
  timeMajor: boolean;
}

const TIME_MAJOR = attr.withDefault(attr.bool(), false);
/** A clip bound: 0 (no clipping) or positive. */
const noClip = () => attr.withDefault({ ...attr.float(), check: (v: number) => (v >= 0 ? undefined : `must be ≥ 0, got ${v}`) }, 0);

/** [time, batch] of a rank-3 sequence input. */
function sequenceDims(c: ShapeContext<{ timeMajor: boolean }>, x: Tensor): { time: number; batch: number; features: number } {
  c.rank(x, 3, 'input');
  const [d0, d1, features] = x.shape;
  return c.attrs.timeMajor ? { time: d0, batch: d1, features } : { time: d1, batch: d0, features };
}

function matrix(c: ShapeContext<unknown>, t: Tensor | undefined, rows: number, cols: number, what: string): void {
  if (t === undefined) return;
  if (t.shape.length !== 2 || t.shape[0] !== rows || t.shape[1] !== cols) c.fail(`${what} is ${shapeToString(t.shape)}, expected [${rows}, ${cols}]`);
}

function vector(c: ShapeContext<unknown>, t: Tensor | undefined, n: number, what: string): void {
  if (t !== undefined && elementCount(t.shape) !== n) c.fail(`${what} has ${elementCount(t.shape)} elements, expected ${n}`);
}

function stateOperand(c: ShapeContext<unknown>, i: number, elements: number, what: string): void {
  const t = c.input(i);
  if (t.state === undefined) c.fail(`${what} '${t.name}' must be op state (a variable tensor)`);
  if (elementCount(t.shape) !== elements) c.fail(`${what} has ${elementCount(t.shape)} elements, expected ${elements}`);
}

/** The element type rules of a recurrent op: float, or integer activations with int8 weights. */
interface RecurrentTypes {
  /** Inputs that hold weights (int8 in integer models). */
  weights: readonly number[];
  /** Inputs that hold biases: int32 with int8 activations, int64 with int16 (TFLite's 16x8 convention). */
  biases: readonly number[];
  /** State inputs and the integer type each takes: 'activation' (the input's type) or a fixed one. */
  states: ReadonlyArray<[number, 'activation' | DType]>;
  /** Integer activation types the op has integer kernels for. */
  integer: readonly DType[];
}

function recurrentTypes(spec: RecurrentTypes): DTypeRule {
  return {
    inputTypes: ['float32', ...spec.integer],
    check(c: DTypeContext) {
      const x = c.input(0)!;
      const out = c.output;
      if (out.dtype !== x.dtype) c.bad(`output must be ${x.dtype}, got ${out.dtype}`);
      const isFloat = x.dtype === 'float32';
      if (!isFloat && !spec.integer.includes(x.dtype)) return c.bad(`unsupported input type ${x.dtype}`);
      const expect = (i: number, dtype: DType, role: string): void => {
        const t = c.input(i);
        if (t === undefined) return;
        if (t.dtype !== dtype) c.bad(`${role} '${t.name}' must be ${dtype}, got ${t.dtype}`);
        if (!isFloat) c.needQuant(t, role);
      };
      const biasType: DType = isFloat ? 'float32' : x.dtype === 'int16' ? 'int64' : 'int32';
      for (const i of spec.weights) expect(i, isFloat ? 'float32' : 'int8', `input ${i} (weights)`);
      for (const i of spec.biases) expect(i, biasType, `input ${i} (bias)`);
      for (const [i, kind] of spec.states) expect(i, isFloat ? 'float32' : kind === 'activation' ? x.dtype : kind, `input ${i} (state)`);
      if (!isFloat) {
        c.needQuant(x, 'input');
        c.needQuant(out, 'output');
      }
    },
  };
}

/**
 * UNIDIRECTIONAL_SEQUENCE_LSTM (TFLite's inputs, see LSTM_INPUT). Output [.., .., n_output] in the input's layout.
 * Integer models: int8 (or int16) activations and hidden state, int8 weights, int32 (int64) biases, int16 cell state.
 */
export const UNIDIRECTIONAL_SEQUENCE_LSTM = defineOp<LstmAttrs>()({
  arity: [20, 24],
  optionalInputs: [1, 5, 9, 10, 11, 12, 16, 17, 20, 21, 22, 23],
  attrs: {
    activation: attr.withDefault(attr.activation(), 'tanh' as FusedActivation),
    cellClip: noClip(),
    projClip: noClip(),
    timeMajor: TIME_MAJOR,
  },
  dtypes: recurrentTypes({
    weights: [1, 2, 3, 4, 5, 6, 7, 8, 16],
    biases: [12, 13, 14, 15, 17],
    states: [
      [LSTM_INPUT.outputState, 'activation'],
      [LSTM_INPUT.cellState, 'int16'],
    ],
    integer: ['int8', 'int16'],
  }),
  inferShape(c) {
    const x = c.input(0);
    const { time, batch, features } = sequenceDims(c, x);
    const forget = c.input(LSTM_INPUT.recurrentToForgetWeights);
    c.rank(forget, 2, 'recurrent-to-forget weights');
    const [nCell, nOutput] = forget.shape;
    const L = LSTM_INPUT;
    for (const i of [L.inputToInputWeights, L.inputToForgetWeights, L.inputToCellWeights, L.inputToOutputWeights]) {
      matrix(c, i === L.inputToInputWeights ? c.optional(i) : c.input(i), nCell, features, `input ${i} (input weights)`);
    }
    for (const i of [L.recurrentToInputWeights, L.recurrentToCellWeights, L.recurrentToOutputWeights]) {
      matrix(c, i === L.recurrentToInputWeights ? c.optional(i) : c.input(i), nCell, nOutput, `input ${i} (recurrent weights)`);
    }
    for (const i of [L.cellToInputWeights, L.cellToForgetWeights, L.cellToOutputWeights, L.inputGateBias]) vector(c, c.optional(i), nCell, `input ${i}`);
    for (const i of [L.forgetGateBias, L.cellGateBias, L.outputGateBias]) vector(c, c.input(i), nCell, `input ${i} (bias)`);
    for (let i = L.inputLayerNorm; i < c.inputCount; i++) vector(c, c.optional(i), nCell, `input ${i} (layer norm)`);
    const projection = c.optional(L.projectionWeights);
    if (projection !== undefined) matrix(c, projection, nOutput, nCell, `input ${L.projectionWeights} (projection)`);
    else if (nOutput !== nCell) c.fail(`recurrent weights are [${nCell}, ${nOutput}] but there is no projection`);
    vector(c, c.optional(L.projectionBias), nOutput, `input ${L.projectionBias} (projection bias)`);
    stateOperand(c, L.outputState, batch * nOutput, 'output state');
    stateOperand(c, L.cellState, batch * nCell, 'cell state');
    return c.attrs.timeMajor ? [time, batch, nOutput] : [batch, time, nOutput];
  },
  macs: (c) => {
    const x = c.inputShape(0);
    const [nCell, nOutput] = c.inputShape(LSTM_INPUT.recurrentToForgetWeights);
    const steps = x[0] * x[1];
    return steps * 4 * nCell * (x[2] + nOutput);
  },
  parametersFrom: 1,
});

/** The GRU's inputs (no TFLite builtin: tinyforge's own layout, per gate like the LSTM's). */
export const GRU_INPUT = {
  input: 0,
  inputToUpdateWeights: 1,
  inputToResetWeights: 2,
  inputToCandidateWeights: 3,
  recurrentToUpdateWeights: 4,
  recurrentToResetWeights: 5,
  recurrentToCandidateWeights: 6,
  /** Input and recurrent bias of the update gate, summed. */
  updateGateBias: 7,
  /** Input and recurrent bias of the reset gate, summed. */
  resetGateBias: 8,
  /** The candidate's input bias (ONNX Wbh). */
  candidateInputBias: 9,
  /** The candidate's recurrent bias (ONNX Rbh), applied before the reset gate when linearBeforeReset. */
  candidateRecurrentBias: 10,
  hiddenState: 11,
} as const;

export interface GruAttrs {
  timeMajor: boolean;
  /**
   * Candidate n = tanh(Wx + bWn + r ⊙ (R h + bRn)) when true (PyTorch nn.GRU, ONNX linear_before_reset = 1), else
   * n = tanh(Wx + bWn + R (r ⊙ h) + bRn).
   */
  linearBeforeReset: boolean;
}

/**
 * A GRU over a sequence (PyTorch nn.GRU / ONNX GRU, one direction): z = σ(W_z x + R_z h + b_z), r = σ(W_r x + R_r h +
 * b_r), n as linearBeforeReset says, h' = (1 − z) ⊙ n + z ⊙ h. Output [.., .., hidden] in the input's layout. Integer
 * models: int8 activations and weights, int32 input biases, an int64 candidate recurrent bias (its input is the int16
 * state) and an int16 hidden state of scale 2^-15 (|h| ≤ 1 always).
 */
export const UNIDIRECTIONAL_SEQUENCE_GRU = defineOp<GruAttrs>()({
  arity: [12, 12],
  optionalInputs: [7, 8, 9, 10],
  attrs: { timeMajor: TIME_MAJOR, linearBeforeReset: attr.withDefault(attr.bool(), true) },
  dtypes: {
    inputTypes: ['float32', 'int8'],
    check(c) {
      const G = GRU_INPUT;
      const base = recurrentTypes({ weights: [1, 2, 3, 4, 5, 6], biases: [7, 8, 9], states: [[G.hiddenState, 'int16']], integer: ['int8'] });
      base.check(c);
      const x = c.input(0)!;
      const rb = c.input(G.candidateRecurrentBias);
      const want: DType = x.dtype === 'float32' ? 'float32' : 'int64';
      if (rb !== undefined && rb.dtype !== want) c.bad(`input ${G.candidateRecurrentBias} (candidate recurrent bias) must be ${want}, got ${rb.dtype}`);
    },
  },
  inferShape(c) {
    const G = GRU_INPUT;
    const x = c.input(0);
    const { time, batch, features } = sequenceDims(c, x);
    const update = c.input(G.recurrentToUpdateWeights);
    c.rank(update, 2, 'recurrent-to-update weights');
    const hidden = update.shape[0];
    for (const i of [G.inputToUpdateWeights, G.inputToResetWeights, G.inputToCandidateWeights]) matrix(c, c.input(i), hidden, features, `input ${i} (input weights)`);
    for (const i of [G.recurrentToUpdateWeights, G.recurrentToResetWeights, G.recurrentToCandidateWeights]) matrix(c, c.input(i), hidden, hidden, `input ${i} (recurrent weights)`);
    for (const i of [G.updateGateBias, G.resetGateBias, G.candidateInputBias, G.candidateRecurrentBias]) vector(c, c.optional(i), hidden, `input ${i} (bias)`);
    stateOperand(c, G.hiddenState, batch * hidden, 'hidden state');
    return c.attrs.timeMajor ? [time, batch, hidden] : [batch, time, hidden];
  },
  macs: (c) => {
    const x = c.inputShape(0);
    const hidden = c.inputShape(GRU_INPUT.recurrentToUpdateWeights)[0];
    return x[0] * x[1] * 3 * hidden * (x[2] + hidden);
  },
  parametersFrom: 1,
});

/** SVDF's inputs (TFLite's order). */
export const SVDF_INPUT = { input: 0, weightsFeature: 1, weightsTime: 2, bias: 3, activationState: 4 } as const;

/**
 * SVDF (TFLite): a rank-`rank` filter bank over time. inputs: x [batch, in], weights_feature [filters, in],
 * weights_time [filters, memory], bias [units]? (units = filters / rank), state [batch, memory · filters]. Integer
 * models: int8 x and weights_feature, int16 (or int8) weights_time and state, int32 bias, int8 output.
 */
export const SVDF = defineOp<{ rank: number; activation: FusedActivation }>()({
  arity: [5, 5],
  optionalInputs: [SVDF_INPUT.bias],
  attrs: { rank: attr.positiveInt(), activation: attr.withDefault(attr.activation(), 'none' as FusedActivation) },
  dtypes: {
    inputTypes: ['float32', 'int8'],
    check(c) {
      const x = c.input(0)!;
      const wt = c.input(SVDF_INPUT.weightsTime);
      const state = c.input(SVDF_INPUT.activationState);
      const timeType: DType = x.dtype === 'int8' && wt?.dtype === 'int8' ? 'int8' : 'int16';
      recurrentTypes({ weights: [SVDF_INPUT.weightsFeature], biases: [SVDF_INPUT.bias], states: [], integer: ['int8'] }).check(c);
      if (x.dtype === 'int8') {
        if (wt !== undefined && wt.dtype !== 'int8' && wt.dtype !== 'int16') c.bad(`weights_time must be int16 or int8, got ${wt.dtype}`);
        if (state !== undefined && state.dtype !== timeType) c.bad(`the state must be ${timeType} like weights_time, got ${state.dtype}`);
        if (wt !== undefined) c.needQuant(wt, 'weights_time');
        if (state !== undefined) c.needQuant(state, 'state');
      } else if (x.dtype === 'float32') {
        for (const t of [wt, state]) if (t !== undefined && t.dtype !== 'float32') c.bad(`float SVDF needs float32 '${t.name}', got ${t.dtype}`);
      }
    },
  },
  inferShape(c) {
    const x = c.input(0);
    c.rank(x, 2, 'input');
    const [batch, features] = x.shape;
    const wf = c.input(SVDF_INPUT.weightsFeature);
    c.rank(wf, 2, 'weights_feature');
    const filters = wf.shape[0];
    if (wf.shape[1] !== features) c.fail(`weights_feature is ${shapeToString(wf.shape)}, expected [filters, ${features}]`);
    if (filters % c.attrs.rank !== 0) c.fail(`${filters} filters are not a multiple of rank ${c.attrs.rank}`);
    const wt = c.input(SVDF_INPUT.weightsTime);
    c.rank(wt, 2, 'weights_time');
    if (wt.shape[0] !== filters) c.fail(`weights_time is ${shapeToString(wt.shape)}, expected [${filters}, memory]`);
    const units = filters / c.attrs.rank;
    vector(c, c.optional(SVDF_INPUT.bias), units, 'bias');
    stateOperand(c, SVDF_INPUT.activationState, batch * wt.shape[1] * filters, 'activation state');
    return [batch, units];
  },
  macs: (c) => {
    const [batch, features] = c.inputShape(0);
    const [filters, memory] = c.inputShape(SVDF_INPUT.weightsTime);
    return batch * filters * (features + memory);
  },
  parametersFrom: 1,
});
