import { DType, Graph, GRU_INPUT, LSTM_INPUT, Node, Quantization } from '@tinyforge/ir';
import { Range } from '../calibration/observers';
import { QuantizerError } from '../errors';
import { copyFloats } from '../passes/graph-edit';
import { powerOfTwoInt16Quant, quantizeBias, quantizeBias64, quantizeWeights } from './params';

/**
 * Quantization of the recurrent ops, as TFLite's converter quantizes an LSTM for its integer kernel: int8 (or int16)
 * activations with the hidden state sharing the output's parameters, symmetric per-tensor int8 weights, biases at
 * input · weight scale (int32, int64 with int16 activations), and a 16-bit cell state whose power-of-two scale
 * covers the calibrated cell range. The gates need no parameters of their own: TFLite Micro's kernel fixes their
 * inputs at Q3.12 and outputs at Q0.15, so calibration only checks that the gate inputs stay inside ±8.
 */

export interface RecurrentContext {
  params: Map<number, Quantization>;
  dtypes: Map<number, DType>;
  activationQuant: (r: Range) => Quantization;
  outputRange: Range;
  int16: boolean;
  /** Calibrated ranges inside the node: `${node}/cell`, `${node}/forget_gate`, … */
  internal?: ReadonlyMap<string, Range>;
  warnings?: string[];
}

/** The largest |gate input| TFLite's integer LSTM represents: its gate inputs are Q3.12. */
const GATE_INPUT_LIMIT = 8;

export function quantizeRecurrent(g: Graph, node: Node, c: RecurrentContext): void {
  const xQ = c.params.get(node.inputs[0]);
  if (xQ === undefined) throw new QuantizerError('QUANT_UNSUPPORTED', 'the sequence input is not a quantized activation', { node: node.name });
  const out = node.outputs[0];
  const outQ = c.activationQuant(c.outputRange);
  c.params.set(out, outQ);
  checkGateRanges(node, c);
  if (node.op === 'UnidirectionalSequenceLstm') quantizeLstm(g, node.inputs, node.name, xQ, outQ, c);
  else if (node.op === 'UnidirectionalSequenceGru') quantizeGru(g, node.inputs, node.name, xQ, c);
  else throw new QuantizerError('QUANT_UNSUPPORTED', `${node.op} has no recurrent quantization rule`, { node: node.name });
}

function quantizeLstm(g: Graph, inputs: number[], name: string, xQ: Quantization, outQ: Quantization, c: RecurrentContext): void {
  // The hidden state is the output's copy: same parameters (TFLite's restrict_scale between inputs 18 and the output).
  c.params.set(inputs[LSTM_INPUT.outputState], outQ);
  const cell = c.internal?.get(`${name}/cell`);
  if (cell === undefined) throw new QuantizerError('QUANT_UNSUPPORTED', 'no calibrated cell-state range (calibrate the float graph first)', { node: name });
  const cellState = inputs[LSTM_INPUT.cellState];
  c.params.set(cellState, powerOfTwoInt16Quant(Math.max(Math.abs(cell.min), Math.abs(cell.max))));
  c.dtypes.set(cellState, 'int16');
  for (let k = 0; k < 4; k++) {
    const w = weights(g, inputs, LSTM_INPUT.inputToInputWeights + k, name);
    weights(g, inputs, LSTM_INPUT.recurrentToInputWeights + k, name);
    bias(g, inputs, LSTM_INPUT.inputGateBias + k, xQ.scale[0], w, c.int16, name);
  }
}

/** The GRU's hidden state is int16 Q0.15 (it always lies in [-1, 1]); the kernel has int8 activations only. */
function quantizeGru(g: Graph, inputs: number[], name: string, xQ: Quantization, c: RecurrentContext): void {
  const hidden = inputs[GRU_INPUT.hiddenState];
  c.params.set(hidden, { scale: [2 ** -15], zeroPoint: [0], axis: 0 });
  c.dtypes.set(hidden, 'int16');
  const [wz, wr, wn] = [0, 1, 2].map((k) => weights(g, inputs, GRU_INPUT.inputToUpdateWeights + k, name));
  const rn = [0, 1, 2].map((k) => weights(g, inputs, GRU_INPUT.recurrentToUpdateWeights + k, name))[2];
  bias(g, inputs, GRU_INPUT.updateGateBias, xQ.scale[0], wz, false, name);
  bias(g, inputs, GRU_INPUT.resetGateBias, xQ.scale[0], wr, false, name);
  bias(g, inputs, GRU_INPUT.candidateInputBias, xQ.scale[0], wn, false, name);
  // The candidate's recurrent bias adds to the recurrent product, whose input is the int16 state: int64.
  bias(g, inputs, GRU_INPUT.candidateRecurrentBias, 2 ** -15, rn, true, name);
}

/** A gate input beyond ±8 saturates TFLite's Q3.12 gate arithmetic: say so. */
function checkGateRanges(node: Node, c: RecurrentContext): void {
  for (const [key, r] of c.internal ?? []) {
    if (!key.startsWith(`${node.name}/`) || !key.endsWith('_gate')) continue;
    const worst = Math.max(Math.abs(r.min), Math.abs(r.max));
    if (worst > GATE_INPUT_LIMIT) {
      c.warnings?.push(`${node.name}: ${key.slice(node.name.length + 1).replace('_', ' ')} inputs reach ${worst.toFixed(2)} in calibration, beyond the ±8 the integer kernel's Q3.12 gates hold (they saturate)`);
    }
  }
}

/** Quantize weight input `pos` symmetric per tensor (the integer LSTM takes one scale per weight tensor); its scale. */
function weights(g: Graph, inputs: number[], pos: number, name: string): number {
  const t = g.tensors[inputs[pos]];
  if (t.dtype !== 'float32' || t.data === undefined) throw new QuantizerError('QUANT_NOT_FLOAT', `weights '${t.name}' are ${t.dtype}, expected float32 constants`, { node: name });
  const q = quantizeWeights(copyFloats(t.data), t.shape, undefined);
  g.tensors.push({ name: t.name, shape: [...t.shape], dtype: 'int8', data: new Uint8Array(q.data.buffer), quant: q.quant });
  inputs[pos] = g.tensors.length - 1;
  return q.quant.scale[0];
}

/** Quantize bias input `pos` (if present) at inputScale · weightScale: int32, or int64 for a wide accumulator. */
function bias(g: Graph, inputs: number[], pos: number, inputScale: number, weightScale: number, wide: boolean, name: string): void {
  const i = inputs[pos];
  if (i === undefined || i < 0) return;
  const t = g.tensors[i];
  if (t.dtype !== 'float32' || t.data === undefined) throw new QuantizerError('QUANT_NOT_FLOAT', `bias '${t.name}' is ${t.dtype}, expected float32 constants`, { node: name });
  const values = copyFloats(t.data);
  const q = wide ? quantizeBias64(values, inputScale, [weightScale]) : quantizeBias(values, inputScale, [weightScale]);
  g.tensors.push({ name: t.name, shape: [...t.shape], dtype: wide ? 'int64' : 'int32', data: new Uint8Array(q.data.buffer), quant: q.quant });
  inputs[pos] = g.tensors.length - 1;
}
