import { LSTM_INPUT as L } from '@tinyforge/ir';
import { checkedLog2, logisticInt16, tanhInt16 } from '../int16-fixed-point';
import { dtypeRange } from '../quant-params';
import { Evaluate, KernelContext } from './context';
import { floatFc, integerFc, IntegerFc, integerMul, runFloatFc, runIntegerFc, runIntegerMul, saturatingAdd, sequenceSteps, sigmoid } from './recurrent-common';

/**
 * UNIDIRECTIONAL_SEQUENCE_LSTM as TFLite Micro computes it (lstm_eval.h): per step, the forget, input and cell gates
 * from the input and the previous hidden state, the cell update, then the output gate and the new hidden state,
 * which is also the step's output. The state lives in the node's state tensors (inputs 18 and 19). TFLite Micro
 * supports the standard LSTM only; so does this kernel (no peephole, projection, layer norm or coupled input gate).
 */

const GATES = ['input', 'forget', 'cell', 'output'] as const;
type Gate = (typeof GATES)[number];

/** Refuse the LSTM variants TFLite Micro does not run. */
function checkStandard(ctx: KernelContext<'UnidirectionalSequenceLstm'>): void {
  const variant: [number, string][] = [
    [L.inputToInputWeights, 'a coupled input gate (CIFG)'],
    [L.cellToForgetWeights, 'peephole connections'],
    [L.projectionWeights, 'a projection'],
    [L.forgetLayerNorm, 'layer normalization'],
  ];
  for (const [i, what] of variant) {
    const present = i === L.inputToInputWeights ? !ctx.hasInput(i) : ctx.hasInput(i);
    if (present) ctx.unsupported(`${what} is not supported (TFLite Micro runs the standard LSTM only)`);
  }
  for (const i of [L.cellToInputWeights, L.cellToOutputWeights, L.projectionBias, L.inputLayerNorm, L.cellLayerNorm, L.outputLayerNorm]) {
    if (ctx.hasInput(i)) ctx.unsupported(`input ${i} marks an LSTM variant that is not supported (standard LSTM only)`);
  }
  if (ctx.node.attrs.projClip !== 0) ctx.unsupported('proj_clip without a projection');
}

/** The four gates' input and recurrent weight positions and bias position. */
const gateInputs = (g: Gate): { w: number; r: number; b: number } => {
  const k = GATES.indexOf(g);
  return { w: L.inputToInputWeights + k, r: L.recurrentToInputWeights + k, b: L.inputGateBias + k };
};

function layout(ctx: KernelContext<'UnidirectionalSequenceLstm'>) {
  const units = ctx.tensor(L.recurrentToForgetWeights).shape[0];
  const steps = sequenceSteps(ctx.tensor(0).shape, ctx.node.attrs.timeMajor, units);
  const maxRows = Math.max(1, ...steps.map((s) => s.rows));
  return { units, steps, maxRows };
}

/** The float LSTM. */
export function floatLstm(ctx: KernelContext<'UnidirectionalSequenceLstm'>): Evaluate {
  checkStandard(ctx);
  const a = ctx.node.attrs;
  if (a.activation !== 'tanh') ctx.unsupported(`cell activation ${a.activation} (TFLite Micro's LSTM uses tanh)`);
  const { units, steps, maxRows } = layout(ctx);
  const gates = GATES.map((g) => {
    const p = gateInputs(g);
    return { input: floatFc(ctx, p.w, p.b), recurrent: floatFc(ctx, p.r, undefined) };
  });
  const x = ctx.input<Float32Array>(0);
  const h = ctx.input<Float32Array>(L.outputState);
  const c = ctx.input<Float32Array>(L.cellState);
  const y = ctx.outputArray<Float32Array>();
  const buffers = GATES.map(() => new Float32Array(maxRows * units));
  const clip = Math.fround(a.cellClip);
  const observe = ctx.observe;
  const gate = (k: number, out: Float32Array, rows: number, xOffset: number, hOffset: number, f: (v: number) => number): void => {
    runFloatFc(gates[k].input, x, xOffset, rows, out, false);
    runFloatFc(gates[k].recurrent, h, hOffset, rows, out, true);
    observe?.(`${GATES[k]}_gate`, out.subarray(0, rows * units));
    for (let i = 0; i < rows * units; i++) out[i] = f(out[i]);
  };
  const [inputGate, forgetGate, cellGate, outputGate] = buffers;
  return () => {
    for (const s of steps) {
      const n = s.rows * units;
      gate(1, forgetGate, s.rows, s.inputOffset, s.stateOffset, sigmoid);
      gate(0, inputGate, s.rows, s.inputOffset, s.stateOffset, sigmoid);
      gate(2, cellGate, s.rows, s.inputOffset, s.stateOffset, Math.tanh);
      for (let i = 0; i < n; i++) {
        let v = Math.fround(forgetGate[i] * c[s.stateOffset + i]) + Math.fround(inputGate[i] * cellGate[i]);
        if (clip > 0) v = Math.max(-clip, Math.min(clip, v));
        c[s.stateOffset + i] = v;
      }
      observe?.('cell', c.subarray(s.stateOffset, s.stateOffset + n));
      gate(3, outputGate, s.rows, s.inputOffset, s.stateOffset, sigmoid);
      for (let i = 0; i < n; i++) h[s.stateOffset + i] = outputGate[i] * Math.tanh(c[s.stateOffset + i]);
      y.set(h.subarray(s.stateOffset, s.stateOffset + n), s.outputOffset);
    }
  };
}

/** Gate pre-activations are Q3.12 (scale 2^-12) and gate outputs Q0.15 (2^-15) in TFLite's integer LSTM. */
const GATE_INPUT_SCALE = 2 ** -12;
const GATE_OUTPUT_SCALE = 2 ** -15;

/**
 * The integer LSTM: int8 (or int16) activations and hidden state, int8 weights, int32 (int64) biases, an int16 cell
 * state of power-of-two scale. Every gate's two fully connected layers write Q3.12 directly (each with its own
 * effective scale, input · weight / 2^-12), their sum saturates, sigmoid/tanh give Q0.15; the cell update and the new
 * hidden state are products with one effective scale each.
 */
export function integerLstm(ctx: KernelContext<'UnidirectionalSequenceLstm'>): Evaluate {
  checkStandard(ctx);
  const a = ctx.node.attrs;
  if (a.activation !== 'tanh') ctx.unsupported(`cell activation ${a.activation} (TFLite Micro's integer LSTM uses tanh)`);
  const { units, steps, maxRows } = layout(ctx);
  const xT = ctx.tensor(0);
  const hT = ctx.tensor(L.outputState);
  const cT = ctx.tensor(L.cellState);
  if (hT.dtype !== xT.dtype || ctx.output.dtype !== xT.dtype) ctx.unsupported('the hidden state and the output must have the input type');
  if (cT.dtype !== 'int16') ctx.unsupported(`the cell state must be int16, got ${cT.dtype}`);
  const hQ = ctx.quant(hT);
  const outQ = ctx.quant(ctx.output);
  if (hQ.scale !== outQ.scale || hQ.zeroPoint !== outQ.zeroPoint) ctx.unsupported('the output must share the hidden state’s scale and zero point (it is a copy of it)');
  const cellScale = ctx.quant(cT).scale;
  const cellPower = checkedLog2(cellScale).log2;
  const gates = GATES.map((g) => {
    const p = gateInputs(g);
    return { input: integerFc(ctx, xT, p.w, p.b, GATE_INPUT_SCALE), recurrent: integerFc(ctx, hT, p.r, undefined, GATE_INPUT_SCALE) };
  });
  const int16Range = dtypeRange('int16');
  const forgetTimesCell = integerMul(GATE_OUTPUT_SCALE, cellScale, cellScale, 0, int16Range);
  const inputTimesCellGate = integerMul(GATE_OUTPUT_SCALE, GATE_OUTPUT_SCALE, cellScale, 0, int16Range);
  const hidden = integerMul(GATE_OUTPUT_SCALE, GATE_OUTPUT_SCALE, hQ.scale, hQ.zeroPoint, dtypeRange(hT.dtype));
  // The cell clip in cell-state units, truncated to int16 as the C++ casts it.
  const cellClip = Math.trunc(Math.min(Math.max(Math.fround(a.cellClip) / cellScale, -32768), 32767));
  // Tanh of the cell state: the cell scale's power of two sets the input shift (TFLite Micro's lstm_internal::Tanh).
  let tanhShift = 15 + cellPower - 3;
  let tanhMultiplier = 0;
  if (tanhShift < 0) {
    tanhShift = -tanhShift;
    tanhMultiplier = 3;
  }
  const x = ctx.input<Int8Array | Int16Array>(0);
  const h = ctx.input<Int8Array | Int16Array>(L.outputState);
  const c = ctx.input<Int16Array>(L.cellState);
  const y = ctx.outputArray<Int8Array | Int16Array>();
  const [inputGate, forgetGate, cellGate, outputGate, scratch] = [0, 1, 2, 3, 4].map(() => new Int16Array(maxRows * units));
  const gate = (fcs: { input: IntegerFc; recurrent: IntegerFc }, out: Int16Array, rows: number, xOffset: number, hOffset: number, f: (v: number) => number): void => {
    runIntegerFc(fcs.input, x, xOffset, rows, out);
    runIntegerFc(fcs.recurrent, h, hOffset, rows, scratch);
    saturatingAdd(out, scratch, rows * units, out);
    for (let i = 0; i < rows * units; i++) out[i] = f(out[i]);
  };
  const gateSigmoid = (v: number): number => logisticInt16(v, 0, 0);
  const gateTanh = (v: number): number => tanhInt16(v, 0, 0); // Q3.12 in: the power-of-two path
  return () => {
    for (const s of steps) {
      const n = s.rows * units;
      const at = s.stateOffset;
      gate(gates[1], forgetGate, s.rows, s.inputOffset, at, gateSigmoid);
      gate(gates[0], inputGate, s.rows, s.inputOffset, at, gateSigmoid);
      gate(gates[2], cellGate, s.rows, s.inputOffset, at, gateTanh);
      runIntegerMul(forgetTimesCell, forgetGate, 0, c, at, n, c, at);
      runIntegerMul(inputTimesCellGate, inputGate, 0, cellGate, 0, n, scratch, 0);
      saturatingAdd(c, scratch, n, c, at, at);
      // TFLite clips when the quantized clip is positive (a clip below one cell-state step quantizes to 0: none).
      if (cellClip > 0) for (let i = at; i < at + n; i++) c[i] = c[i] > cellClip ? cellClip : c[i] < -cellClip ? -cellClip : c[i];
      gate(gates[3], outputGate, s.rows, s.inputOffset, at, gateSigmoid);
      for (let i = 0; i < n; i++) scratch[i] = tanhInt16(c[at + i], tanhMultiplier, tanhShift);
      runIntegerMul(hidden, scratch, 0, outputGate, 0, n, h, at);
      y.set(h.subarray(at, at + n), s.outputOffset);
    }
  };
}
