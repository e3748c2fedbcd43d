import { GRU_INPUT, LSTM_INPUT } from '@tinyforge/ir';
import { Attributes } from './attributes';
import { ImportContext } from './import-context';
import { constantFloatValues, constantIntValues, OnnxConstant } from './proto-values';

/**
 * ONNX LSTM and GRU (one direction, as PyTorch's nn.LSTM / nn.GRU export them) into the IR's recurrent ops. ONNX
 * stacks the gates in one tensor (LSTM: i, o, f, c; GRU: z, r, h) and keeps input and recurrent biases apart; the IR
 * has one tensor per gate, TFLite's way, with the two biases summed where the arithmetic allows. ONNX starts every
 * run from the initial state (zero here), so the IR state tensors are 'per-run'.
 */

interface Recurrence {
  x: number;
  /** time, batch, input features */
  seq: number;
  batch: number;
  features: number;
  hidden: number;
  /** layout = 0: [seq, batch, features] (time-major); 1: [batch, seq, features]. */
  timeMajor: boolean;
  name: string;
}

/** The checks both ops share, and the sizes of the recurrence. */
function recurrence(ctx: ImportContext, a: Attributes, defaultActivations: string[]): Recurrence {
  const direction = a.string('direction', 'forward');
  if (direction !== 'forward') throw ctx.unsupported(`direction '${direction}': only forward recurrences are supported`);
  if (a.has('activations') || a.has('activation_alpha') || a.has('activation_beta')) {
    throw ctx.unsupported(`explicit activations: only the defaults (${defaultActivations.join(', ')}) are supported`);
  }
  if (a.has('clip')) throw ctx.unsupported('clip (clipping the gates’ inputs has no counterpart in TFLite’s recurrent ops)');
  const layout = a.int('layout', 0);
  if (layout !== 0 && layout !== 1) throw ctx.error('FORMAT_MALFORMED', `layout ${layout} is neither 0 nor 1`);
  const x = ctx.input(0, 'X');
  const dims = ctx.onnxShape(x);
  if (dims.length !== 3) throw ctx.error('FORMAT_MALFORMED', `X must have rank 3, got ${JSON.stringify(dims)}`);
  const [d0, d1, features] = dims;
  const timeMajor = layout === 0;
  const [seq, batch] = timeMajor ? [d0, d1] : [d1, d0];
  const hidden = a.int('hidden_size', inferHidden(ctx, ctx.requireConstant(1, 'W')));
  if (ctx.inputName(4) !== undefined) {
    const lens = ctx.constant(4);
    if (lens === undefined || !constantIntValues(lens).every((v) => v === seq)) throw ctx.unsupported('sequence_lens other than the full length of every sequence');
  }
  return { x, seq, batch, features, hidden, timeMajor, name: ctx.nodeName };
}

function inferHidden(ctx: ImportContext, w: OnnxConstant): number {
  const gates = ctx.node.opType === 'LSTM' ? 4 : 3;
  if (w.dims.length !== 3 || w.dims[1] % gates !== 0) throw ctx.error('FORMAT_MALFORMED', `W has shape ${JSON.stringify(w.dims)}, expected [1, ${gates}·hidden, input]`);
  return w.dims[1] / gates;
}

/** A float constant's values, checked against the expected ONNX shape. */
function floats(ctx: ImportContext, i: number, what: string, dims: number[]): number[] {
  const c = ctx.requireConstant(i, what);
  if (c.dtype !== 'float32') throw ctx.unsupported(`${what} '${c.name}' is ${c.dtype}; only float32 weights are supported`);
  if (c.dims.length !== dims.length || c.dims.some((d, k) => d !== dims[k])) throw ctx.error('FORMAT_MALFORMED', `${what} has shape ${JSON.stringify(c.dims)}, expected ${JSON.stringify(dims)}`);
  return constantFloatValues(c);
}

/** An optional initial state must be a constant zero: the IR's recurrent state starts at zero. */
function zeroInitialState(ctx: ImportContext, i: number, what: string): void {
  if (ctx.inputName(i) === undefined) return;
  const c = ctx.constant(i);
  if (c === undefined || c.dtype !== 'float32' || constantFloatValues(c).some((v) => v !== 0)) throw ctx.unsupported(`${what} other than a constant zero`);
}

/** Refuse an output the IR op does not produce when anything reads it. */
function unusedOutput(ctx: ImportContext, k: number, what: string): void {
  const name = ctx.node.output?.[k];
  if (name === undefined || name === '') return;
  if ((ctx.readers.get(name) ?? []).length > 0 || ctx.graphOutputs.has(name)) throw ctx.unsupported(`the ${what} output (${name})`);
}

function constant(ctx: ImportContext, name: string, shape: number[], values: ArrayLike<number>): number {
  return ctx.addConstant(ctx.tensorName(name), shape, 'float32', new Uint8Array(Float32Array.from(values).buffer));
}

/** Rows [g·hidden, (g+1)·hidden) of a stacked [1, gates·hidden, cols] weight, as [hidden, cols]. */
const gateRows = (values: number[], g: number, hidden: number, cols: number): number[] => values.slice(g * hidden * cols, (g + 1) * hidden * cols);

/** The op's output bound as Y ([seq, 1, batch, hidden] or [batch, seq, 1, hidden]) and Y_h (the last step). */
function bindOutputs(ctx: ImportContext, r: Recurrence, out: number): void {
  const y = ctx.node.output?.[0];
  if (y !== undefined && y !== '') ctx.bind(y, ctx.reshapeOnnx(out, r.timeMajor ? [r.seq, 1, r.batch, r.hidden] : [r.batch, r.seq, 1, r.hidden], y));
  const yh = ctx.node.output?.[1];
  if (yh !== undefined && yh !== '') {
    const [begin, end] = r.timeMajor ? [[r.seq - 1, 0, 0], [r.seq, r.batch, r.hidden]] : [[0, r.seq - 1, 0], [r.batch, r.seq, r.hidden]];
    const slice = { beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0, offset: false };
    const operands = [out, ctx.int32Constant(`${yh}/begin`, begin), ctx.int32Constant(`${yh}/end`, end), ctx.int32Constant(`${yh}/strides`, [1, 1, 1])];
    ctx.bind(yh, ctx.emit('StridedSlice', slice, operands, yh, { suffix: 'last_step' }));
  }
}

function stateTensor(ctx: ImportContext, name: string, r: Recurrence): number {
  const t = ctx.addTensor(`${ctx.nodeName}/${name}`, [r.batch, r.hidden], 'float32');
  ctx.graph.tensors[t].state = 'per-run';
  return t;
}

/** ONNX LSTM → UnidirectionalSequenceLstm. Peepholes, coupled input/forget gates and the cell state output are refused. */
export function importLstm(ctx: ImportContext, a: Attributes): void {
  const r = recurrence(ctx, a, ['Sigmoid', 'Tanh', 'Tanh']);
  if (a.int('input_forget', 0) !== 0) throw ctx.unsupported('input_forget = 1 (coupled input and forget gates)');
  if (ctx.inputName(7) !== undefined) throw ctx.unsupported('peephole weights P (TFLite Micro’s LSTM has none)');
  zeroInitialState(ctx, 5, 'initial_h');
  zeroInitialState(ctx, 6, 'initial_c');
  unusedOutput(ctx, 2, 'cell state Y_c');
  const { hidden: h, features } = r;
  const w = floats(ctx, 1, 'W', [1, 4 * h, features]);
  const rec = floats(ctx, 2, 'R', [1, 4 * h, h]);
  const b = ctx.inputName(3) === undefined ? new Array<number>(8 * h).fill(0) : floats(ctx, 3, 'B', [1, 8 * h]);
  const inputs = new Array<number>(24).fill(-1);
  inputs[LSTM_INPUT.input] = r.x;
  // ONNX order i, o, f, c → the IR's (TFLite's) input, forget, cell, output.
  const onnxGate = { input: 0, output: 1, forget: 2, cell: 3 };
  (['input', 'forget', 'cell', 'output'] as const).forEach((gate, k) => {
    const g = onnxGate[gate];
    inputs[LSTM_INPUT.inputToInputWeights + k] = constant(ctx, `${r.name}/w_${gate}`, [h, features], gateRows(w, g, h, features));
    inputs[LSTM_INPUT.recurrentToInputWeights + k] = constant(ctx, `${r.name}/r_${gate}`, [h, h], gateRows(rec, g, h, h));
    const bias = Array.from({ length: h }, (_, u) => b[g * h + u] + b[4 * h + g * h + u]);
    inputs[LSTM_INPUT.inputGateBias + k] = constant(ctx, `${r.name}/b_${gate}`, [h], bias);
  });
  inputs[LSTM_INPUT.outputState] = stateTensor(ctx, 'h', r);
  inputs[LSTM_INPUT.cellState] = stateTensor(ctx, 'c', r);
  const attrs = { activation: 'tanh' as const, cellClip: 0, projClip: 0, timeMajor: r.timeMajor };
  bindOutputs(ctx, r, ctx.emit('UnidirectionalSequenceLstm', attrs, inputs, `${r.name}/sequence`, { suffix: 'lstm' }));
}

/** ONNX GRU → UnidirectionalSequenceGru (linear_before_reset as the op's attribute). */
export function importGru(ctx: ImportContext, a: Attributes): void {
  const r = recurrence(ctx, a, ['Sigmoid', 'Tanh']);
  zeroInitialState(ctx, 5, 'initial_h');
  const { hidden: h, features } = r;
  const w = floats(ctx, 1, 'W', [1, 3 * h, features]);
  const rec = floats(ctx, 2, 'R', [1, 3 * h, h]);
  const b = ctx.inputName(3) === undefined ? new Array<number>(6 * h).fill(0) : floats(ctx, 3, 'B', [1, 6 * h]);
  const inputs = new Array<number>(12).fill(-1);
  inputs[GRU_INPUT.input] = r.x;
  // ONNX order z, r, h (update, reset, candidate), as the IR's.
  (['update', 'reset', 'candidate'] as const).forEach((gate, g) => {
    inputs[GRU_INPUT.inputToUpdateWeights + g] = constant(ctx, `${r.name}/w_${gate}`, [h, features], gateRows(w, g, h, features));
    inputs[GRU_INPUT.recurrentToUpdateWeights + g] = constant(ctx, `${r.name}/r_${gate}`, [h, h], gateRows(rec, g, h, h));
  });
  const wb = (g: number, u: number): number => b[g * h + u];
  const rb = (g: number, u: number): number => b[3 * h + g * h + u];
  inputs[GRU_INPUT.updateGateBias] = constant(ctx, `${r.name}/b_update`, [h], Array.from({ length: h }, (_, u) => wb(0, u) + rb(0, u)));
  inputs[GRU_INPUT.resetGateBias] = constant(ctx, `${r.name}/b_reset`, [h], Array.from({ length: h }, (_, u) => wb(1, u) + rb(1, u)));
  inputs[GRU_INPUT.candidateInputBias] = constant(ctx, `${r.name}/b_candidate_input`, [h], Array.from({ length: h }, (_, u) => wb(2, u)));
  inputs[GRU_INPUT.candidateRecurrentBias] = constant(ctx, `${r.name}/b_candidate_recurrent`, [h], Array.from({ length: h }, (_, u) => rb(2, u)));
  inputs[GRU_INPUT.hiddenState] = stateTensor(ctx, 'h', r);
  const attrs = { timeMajor: r.timeMajor, linearBeforeReset: a.int('linear_before_reset', 0) !== 0 };
  bindOutputs(ctx, r, ctx.emit('UnidirectionalSequenceGru', attrs, inputs, `${r.name}/sequence`, { suffix: 'gru' }));
}
