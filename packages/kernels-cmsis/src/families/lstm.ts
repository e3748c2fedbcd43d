/**
 * UNIDIRECTIONAL_SEQUENCE_LSTM: tfg_lstm_s8 (TFLite Micro's integer LSTM: int8 activations with an int16 cell, or
 * int16 activations, 16x8) and tfg_lstm_f32 (float). The standard LSTM only, as TFLite Micro runs it: no coupled
 * input gate, peepholes, projection or layer normalization. The hidden and cell state are op state tensors (the
 * code generator's state region); scratch holds the gates.
 */
import { Graph, LSTM_INPUT as L, Node, NodeOf } from '@tinyforge/ir';
import { checkedLog2 } from '@tinyforge/interpreter';
import { blobOf, cFloat, cLiteral, cPtr, cStruct, floatBits, scratchContext, sizeQuery } from './c-text';
import { CallBase, LoweringContext, ScratchFunction, defineFamily } from './family';
import {
  GateFc,
  GateMul,
  SequenceDims,
  cGateFc,
  cGateMul,
  cSequenceDims,
  floatConstant,
  gateFc,
  gateFcInts,
  gateMul,
  gateMulInts,
  maxRows,
  sequenceDims,
  sequenceInts,
  stateResetBytes,
  stateTensor,
} from './recurrent-common';

export interface LstmCall extends CallBase, SequenceDims {
  kernel: 'tfg_lstm_s8' | 'tfg_lstm_f32';
  hiddenState: number;
  cellState: number;
  /** Whether the state is reset before every run (ONNX) or carries across runs (TFLite variable tensors). */
  perRun: boolean;
  /** Reset bytes of the hidden and cell state (the vector format's initial state). */
  hiddenReset: Uint8Array;
  cellReset: Uint8Array;
  integer?: {
    activationBytes: number;
    inputFc: GateFc[];
    recurrentFc: GateFc[];
    forgetTimesCell: GateMul;
    inputTimesCellGate: GateMul;
    hidden: GateMul;
    cellClip: number;
    tanhMultiplier: number;
    tanhShift: number;
  };
  float?: {
    inputWeights: Float32Array[];
    recurrentWeights: Float32Array[];
    bias: (Float32Array | undefined)[];
    cellClip: number;
  };
}

/** Gates in TFLite's input order: input, forget, cell, output. */
const GATES = [0, 1, 2, 3];
const GATE_NAMES = ['input', 'forget', 'cell', 'output'];

function checkStandard(ctx: LoweringContext): void {
  const has = (i: number): boolean => ctx.node.inputs[i] !== undefined && ctx.node.inputs[i] >= 0;
  if (!has(L.inputToInputWeights)) ctx.fail('KERNEL_UNSUPPORTED_OP', 'a coupled input gate (CIFG) is not supported (TFLite Micro runs the standard LSTM only)');
  for (const i of [L.cellToInputWeights, L.cellToForgetWeights, L.cellToOutputWeights, L.projectionWeights, L.projectionBias, L.inputLayerNorm, L.forgetLayerNorm, L.cellLayerNorm, L.outputLayerNorm]) {
    if (has(i)) ctx.fail('KERNEL_UNSUPPORTED_OP', `input ${i} marks an LSTM variant (peephole, projection or layer norm) that is not supported`);
  }
  const a = (ctx.node as NodeOf<'UnidirectionalSequenceLstm'>).attrs;
  if (a.activation !== 'tanh') ctx.fail('KERNEL_UNSUPPORTED_OP', `cell activation ${a.activation} (the LSTM kernels use tanh)`);
}

function geometry(graph: Graph, node: Node): SequenceDims {
  const [d0, d1, inputSize] = graph.tensors[node.inputs[0]].shape;
  const units = graph.tensors[node.inputs[L.recurrentToForgetWeights]].shape[0];
  return { timeMajor: (node as NodeOf<'UnidirectionalSequenceLstm'>).attrs.timeMajor, d0, d1, inputSize, units };
}

const LSTM_S8_SCRATCH: ScratchFunction<SequenceDims> = {
  name: 'tfg_lstm_s8_get_buffer_size',
  byPath: false,
  args: '&params.dims',
  literalArgs: (g) => cLiteral('tfg_sequence_dims', cSequenceDims(g)),
  // Five gate vectors and one widened int8 row (input or hidden).
  bytes: (g) => (5 * maxRows(g) * g.units + Math.max(g.inputSize, g.units)) * 2,
};

const LSTM_F32_SCRATCH: ScratchFunction<SequenceDims> = {
  name: 'tfg_lstm_f32_get_buffer_size',
  byPath: false,
  args: '&params.dims',
  literalArgs: (g) => cLiteral('tfg_sequence_dims', cSequenceDims(g)),
  bytes: (g) => 4 * maxRows(g) * g.units * 4,
};

const GATE_INPUT_SCALE = 2 ** -12;
const GATE_OUTPUT_SCALE = 2 ** -15;

function lowerInteger(ctx: LoweringContext): LstmCall['integer'] {
  const { node } = ctx;
  const xT = ctx.quantized(node.inputs[0], ['int8', 'int16']);
  const hT = ctx.quantized(node.inputs[L.outputState], [xT.dtype]);
  const cT = ctx.quantized(node.inputs[L.cellState], ['int16']);
  const y = ctx.quantized(node.outputs[0], [xT.dtype]);
  const hScale = Math.fround(hT.quant.scale[0]);
  if (hScale !== Math.fround(y.quant.scale[0]) || hT.quant.zeroPoint[0] !== y.quant.zeroPoint[0]) {
    ctx.fail('KERNEL_BAD_QUANTIZATION', 'the output must share the hidden state’s scale and zero point (it is a copy of it)');
  }
  const cellScale = Math.fround(cT.quant.scale[0]);
  const cellPower = checkedLog2(cellScale).log2;
  const inputFc = GATES.map((g) => gateFc(ctx, xT, L.inputToInputWeights + g, L.inputGateBias + g, GATE_INPUT_SCALE));
  const recurrentFc = GATES.map((g) => gateFc(ctx, hT, L.recurrentToInputWeights + g, undefined, GATE_INPUT_SCALE));
  let tanhShift = 15 + cellPower - 3;
  let tanhMultiplier = 0;
  if (tanhShift < 0) {
    tanhShift = -tanhShift;
    tanhMultiplier = 3;
  }
  const a = (node as NodeOf<'UnidirectionalSequenceLstm'>).attrs;
  const hType = xT.dtype === 'int16' ? 'int16' : 'int8';
  return {
    activationBytes: xT.dtype === 'int16' ? 2 : 1,
    inputFc,
    recurrentFc,
    forgetTimesCell: gateMul(GATE_OUTPUT_SCALE, cellScale, cellScale, 0, 'int16'),
    inputTimesCellGate: gateMul(GATE_OUTPUT_SCALE, GATE_OUTPUT_SCALE, cellScale, 0, 'int16'),
    hidden: gateMul(GATE_OUTPUT_SCALE, GATE_OUTPUT_SCALE, hScale, hT.quant.zeroPoint[0], hType),
    cellClip: a.cellClip > 0 ? Math.trunc(Math.min(Math.max(Math.fround(a.cellClip) / cellScale, -32768), 32767)) : 0,
    tanhMultiplier,
    tanhShift,
  };
}

export const lstmFamily = defineFamily<LstmCall, SequenceDims>({
  name: 'lstm',
  ops: ['UnidirectionalSequenceLstm'],
  kernels: { tfg_lstm_s8: 27, tfg_lstm_f32: 28 },
  lower(ctx) {
    checkStandard(ctx);
    const node = ctx.node as NodeOf<'UnidirectionalSequenceLstm'>;
    const g = geometry(ctx.graph, node);
    const dims = sequenceDims(ctx, g.units, node.attrs.timeMajor);
    const hiddenState = stateTensor(ctx, L.outputState);
    const cellState = stateTensor(ctx, L.cellState);
    const base = {
      node: node.name,
      output: node.outputs[0],
      inputs: [node.inputs[0]],
      ...dims,
      hiddenState,
      cellState,
      perRun: ctx.tensor(hiddenState).state === 'per-run',
      hiddenReset: stateResetBytes(ctx.tensor(hiddenState)),
      cellReset: stateResetBytes(ctx.tensor(cellState)),
    };
    if (ctx.tensor(node.inputs[0]).dtype === 'float32') {
      const f = (i: number): Float32Array => floatConstant(ctx, i) ?? ctx.fail('KERNEL_BAD_SHAPE', `input ${i} is missing`);
      return {
        ...base,
        kernel: 'tfg_lstm_f32',
        float: {
          inputWeights: GATES.map((k) => f(L.inputToInputWeights + k)),
          recurrentWeights: GATES.map((k) => f(L.recurrentToInputWeights + k)),
          bias: GATES.map((k) => floatConstant(ctx, L.inputGateBias + k)),
          cellClip: Math.fround(node.attrs.cellClip),
        },
      };
    }
    return { ...base, kernel: 'tfg_lstm_s8', integer: lowerInteger(ctx) };
  },
  geometry,
  scratch: { tfg_lstm_s8: LSTM_S8_SCRATCH, tfg_lstm_f32: LSTM_F32_SCRATCH },
  emit(c, out) {
    const x = out.at(c.inputs[0]);
    const h = out.at(c.hiddenState);
    const cell = out.at(c.cellState);
    const y = out.at(c.output);
    if (c.float !== undefined) {
      const f = c.float;
      const arr = (name: string, a: Float32Array | undefined): string => (a === undefined ? '0' : out.constant(name, 'float', a, `${c.node}: ${name}`));
      const params = {
        dims: cSequenceDims(c),
        input_weights: `{${GATES.map((k) => arr(`${GATE_NAMES[k]}_w`, f.inputWeights[k])).join(', ')}}`,
        recurrent_weights: `{${GATES.map((k) => arr(`${GATE_NAMES[k]}_r`, f.recurrentWeights[k])).join(', ')}}`,
        bias: `{${GATES.map((k) => arr(`${GATE_NAMES[k]}_b`, f.bias[k])).join(', ')}}`,
        cell_clip: cFloat(f.cellClip),
      };
      out.line(`static const tfg_lstm_f32_params params = ${cStruct(params)};`);
      scratchContext(out, sizeQuery(LSTM_F32_SCRATCH));
      out.line(`return tfg_lstm_f32(&ctx, &params, ${cPtr(x, 'float', false)}, ${cPtr(h, 'float', true)}, ${cPtr(cell, 'float', true)}, ${cPtr(y, 'float', true)});`);
      return;
    }
    const i = c.integer!;
    const params = {
      dims: cSequenceDims(c),
      activation_bytes: i.activationBytes,
      input_fc: `{${GATES.map((k) => cGateFc(out, c.node, `${GATE_NAMES[k]}_in`, i.inputFc[k])).join(', ')}}`,
      recurrent_fc: `{${GATES.map((k) => cGateFc(out, c.node, `${GATE_NAMES[k]}_rec`, i.recurrentFc[k])).join(', ')}}`,
      forget_times_cell: cGateMul(i.forgetTimesCell),
      input_times_cell_gate: cGateMul(i.inputTimesCellGate),
      hidden: cGateMul(i.hidden),
      cell_clip: i.cellClip,
      cell_tanh_multiplier: i.tanhMultiplier,
      cell_tanh_shift: i.tanhShift,
    };
    out.line(`static const tfg_lstm_params params = ${cStruct(params)};`);
    scratchContext(out, sizeQuery(LSTM_S8_SCRATCH));
    out.line(`return tfg_lstm_s8(&ctx, &params, ${x}, ${h}, ${cPtr(cell, 'int16_t', true)}, ${y});`);
  },
  vector(c, inputs) {
    const state = [c.perRun ? 1 : 0, c.hiddenReset.length, c.cellReset.length];
    if (c.float !== undefined) {
      const f = c.float;
      return {
        ints: [...sequenceInts(c), ...state, floatBits(f.cellClip)],
        blobs: [blobOf(inputs[0]), ...f.inputWeights.map(blobOf), ...f.recurrentWeights.map(blobOf), ...f.bias.map(blobOf), c.hiddenReset, c.cellReset],
      };
    }
    const i = c.integer!;
    return {
      ints: [
        ...sequenceInts(c),
        ...state,
        i.activationBytes,
        ...i.inputFc.flatMap(gateFcInts),
        ...i.recurrentFc.flatMap(gateFcInts),
        ...gateMulInts(i.forgetTimesCell),
        ...gateMulInts(i.inputTimesCellGate),
        ...gateMulInts(i.hidden),
        i.cellClip,
        i.tanhMultiplier,
        i.tanhShift,
      ],
      blobs: [
        blobOf(inputs[0]),
        ...i.inputFc.map((f) => blobOf(f.weights)),
        ...i.recurrentFc.map((f) => blobOf(f.weights)),
        ...i.inputFc.map((f) => blobOf(f.bias64 ?? f.bias32)),
        c.hiddenReset,
        c.cellReset,
      ],
    };
  },
});
