/**
 * UnidirectionalSequenceGru (PyTorch nn.GRU / ONNX GRU): tfg_gru_s8 (tinyforge's integer GRU from TFLite's
 * integer-LSTM blocks, int16 Q0.15 hidden state) and tfg_gru_f32. The hidden state is an op state tensor.
 */
import { GRU_INPUT as G, Graph, Node, NodeOf } from '@tinyforge/ir';
import { checkedLog2, quantizeMultiplier } from '@tinyforge/interpreter';
import { blobOf, cLiteral, cPtr, cStruct, scratchContext, sizeQuery } from './c-text';
import { CallBase, ScratchFunction, defineFamily } from './family';
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

export interface GruCall extends CallBase, SequenceDims {
  kernel: 'tfg_gru_s8' | 'tfg_gru_f32';
  hiddenState: number;
  perRun: boolean;
  hiddenReset: Uint8Array;
  linearBeforeReset: boolean;
  integer?: {
    inputFc: GateFc[];
    recurrentFc: GateFc[];
    resetTimesRecurrent: GateMul;
    resetTimesHidden: GateMul;
    gateTimesState: GateMul;
    outputMultiplier: number;
    outputShift: number;
    outputOffset: number;
  };
  float?: {
    inputWeights: Float32Array[];
    recurrentWeights: Float32Array[];
    inputBias: (Float32Array | undefined)[];
    recurrentBias: (Float32Array | undefined)[];
  };
}

const GATE_NAMES = ['update', 'reset', 'candidate'];

function geometry(graph: Graph, node: Node): SequenceDims {
  const [d0, d1, inputSize] = graph.tensors[node.inputs[0]].shape;
  const units = graph.tensors[node.inputs[G.recurrentToUpdateWeights]].shape[0];
  return { timeMajor: (node as NodeOf<'UnidirectionalSequenceGru'>).attrs.timeMajor, d0, d1, inputSize, units };
}

const sizeArgs = { byPath: false, args: '&params.dims', literalArgs: (g: SequenceDims) => cLiteral('tfg_sequence_dims', cSequenceDims(g)) };
const GRU_S8_SCRATCH: ScratchFunction<SequenceDims> = { name: 'tfg_gru_s8_get_buffer_size', ...sizeArgs, bytes: (g) => (5 * maxRows(g) * g.units + g.inputSize) * 2 + maxRows(g) * g.units * 4 + 4 };
const GRU_F32_SCRATCH: ScratchFunction<SequenceDims> = { name: 'tfg_gru_f32_get_buffer_size', ...sizeArgs, bytes: (g) => 5 * maxRows(g) * g.units * 4 };

const Q3_12 = 2 ** -12;
const Q0_15 = 2 ** -15;

export const gruFamily = defineFamily<GruCall, SequenceDims>({
  name: 'gru',
  ops: ['UnidirectionalSequenceGru'],
  kernels: { tfg_gru_s8: 29, tfg_gru_f32: 30 },
  lower(ctx) {
    const node = ctx.node as NodeOf<'UnidirectionalSequenceGru'>;
    const g = geometry(ctx.graph, node);
    const dims = sequenceDims(ctx, g.units, node.attrs.timeMajor);
    const hiddenState = stateTensor(ctx, G.hiddenState);
    const base = {
      node: node.name,
      output: node.outputs[0],
      inputs: [node.inputs[0]],
      ...dims,
      hiddenState,
      perRun: ctx.tensor(hiddenState).state === 'per-run',
      hiddenReset: stateResetBytes(ctx.tensor(hiddenState)),
      linearBeforeReset: node.attrs.linearBeforeReset,
    };
    const weights = [G.inputToUpdateWeights, G.inputToResetWeights, G.inputToCandidateWeights];
    const recurrent = [G.recurrentToUpdateWeights, G.recurrentToResetWeights, G.recurrentToCandidateWeights];
    const inputBias = [G.updateGateBias, G.resetGateBias, G.candidateInputBias];
    if (ctx.tensor(node.inputs[0]).dtype === 'float32') {
      const f = (i: number): Float32Array => floatConstant(ctx, i) ?? ctx.fail('KERNEL_BAD_SHAPE', `input ${i} is missing`);
      return {
        ...base,
        kernel: 'tfg_gru_f32',
        float: {
          inputWeights: weights.map(f),
          recurrentWeights: recurrent.map(f),
          inputBias: inputBias.map((i) => floatConstant(ctx, i)),
          recurrentBias: [undefined, undefined, floatConstant(ctx, G.candidateRecurrentBias)],
        },
      };
    }
    const xT = ctx.quantized(node.inputs[0], ['int8']);
    const hT = ctx.quantized(node.inputs[G.hiddenState], ['int16']);
    const power = checkedLog2(Math.fround(hT.quant.scale[0]));
    if (!power.isPowerOfTwo || power.log2 !== -15 || hT.quant.zeroPoint[0] !== 0) ctx.fail('KERNEL_BAD_QUANTIZATION', 'the int16 hidden state must have scale 2^-15 and zero point 0 (Q0.15)');
    const y = ctx.quantized(node.outputs[0], ['int8']);
    const toOutput = quantizeMultiplier(Q0_15 / Math.fround(y.quant.scale[0]));
    return {
      ...base,
      kernel: 'tfg_gru_s8',
      integer: {
        inputFc: weights.map((w, k) => gateFc(ctx, xT, w, inputBias[k], Q3_12)),
        recurrentFc: recurrent.map((w, k) => gateFc(ctx, hT, w, k === 2 ? G.candidateRecurrentBias : undefined, Q3_12)),
        resetTimesRecurrent: gateMul(Q0_15, Q3_12, Q3_12, 0, 'int16'),
        resetTimesHidden: gateMul(Q0_15, Q0_15, Q0_15, 0, 'int16'),
        gateTimesState: gateMul(Q0_15, Q0_15, Q0_15, 0, 'int16'),
        outputMultiplier: toOutput.multiplier,
        outputShift: toOutput.shift,
        outputOffset: y.quant.zeroPoint[0],
      },
    };
  },
  geometry,
  scratch: { tfg_gru_s8: GRU_S8_SCRATCH, tfg_gru_f32: GRU_F32_SCRATCH },
  emit(c, out) {
    const x = out.at(c.inputs[0]);
    const h = out.at(c.hiddenState);
    const y = out.at(c.output);
    if (c.float !== undefined) {
      const f = c.float;
      const arr = (name: string, a: Float32Array | undefined): string => (a === undefined ? '0' : out.constant(name, 'float', a, `${c.node}: ${name}`));
      const list = (suffix: string, a: (Float32Array | undefined)[]): string => `{${a.map((v, k) => arr(`${GATE_NAMES[k]}_${suffix}`, v)).join(', ')}}`;
      const params = {
        dims: cSequenceDims(c),
        linear_before_reset: c.linearBeforeReset ? 1 : 0,
        input_weights: list('w', f.inputWeights),
        recurrent_weights: list('r', f.recurrentWeights),
        input_bias: list('wb', f.inputBias),
        recurrent_bias: list('rb', f.recurrentBias),
      };
      out.line(`static const tfg_gru_f32_params params = ${cStruct(params)};`);
      scratchContext(out, sizeQuery(GRU_F32_SCRATCH));
      out.line(`return tfg_gru_f32(&ctx, &params, ${cPtr(x, 'float', false)}, ${cPtr(h, 'float', true)}, ${cPtr(y, 'float', true)});`);
      return;
    }
    const i = c.integer!;
    const params = {
      dims: cSequenceDims(c),
      linear_before_reset: c.linearBeforeReset ? 1 : 0,
      input_fc: `{${i.inputFc.map((fc, k) => cGateFc(out, c.node, `${GATE_NAMES[k]}_in`, fc)).join(', ')}}`,
      recurrent_fc: `{${i.recurrentFc.map((fc, k) => cGateFc(out, c.node, `${GATE_NAMES[k]}_rec`, fc)).join(', ')}}`,
      reset_times_recurrent: cGateMul(i.resetTimesRecurrent),
      reset_times_hidden: cGateMul(i.resetTimesHidden),
      gate_times_state: cGateMul(i.gateTimesState),
      output_multiplier: i.outputMultiplier,
      output_shift: i.outputShift,
      output_offset: i.outputOffset,
    };
    out.line(`static const tfg_gru_params params = ${cStruct(params)};`);
    scratchContext(out, sizeQuery(GRU_S8_SCRATCH));
    out.line(`return tfg_gru_s8(&ctx, &params, ${x}, ${cPtr(h, 'int16_t', true)}, ${y});`);
  },
  vector(c, inputs) {
    const state = [c.perRun ? 1 : 0, c.hiddenReset.length, 0, c.linearBeforeReset ? 1 : 0];
    if (c.float !== undefined) {
      const f = c.float;
      return {
        ints: [...sequenceInts(c), ...state],
        blobs: [blobOf(inputs[0]), ...f.inputWeights.map(blobOf), ...f.recurrentWeights.map(blobOf), ...f.inputBias.map(blobOf), ...f.recurrentBias.map(blobOf), c.hiddenReset],
      };
    }
    const i = c.integer!;
    return {
      ints: [
        ...sequenceInts(c),
        ...state,
        ...i.inputFc.flatMap(gateFcInts),
        ...i.recurrentFc.flatMap(gateFcInts),
        ...gateMulInts(i.resetTimesRecurrent),
        ...gateMulInts(i.resetTimesHidden),
        ...gateMulInts(i.gateTimesState),
        i.outputMultiplier,
        i.outputShift,
        i.outputOffset,
      ],
      blobs: [
        blobOf(inputs[0]),
        ...i.inputFc.map((f) => blobOf(f.weights)),
        ...i.recurrentFc.map((f) => blobOf(f.weights)),
        ...i.inputFc.map((f) => blobOf(f.bias32 ?? f.bias64)),
        ...i.recurrentFc.map((f) => blobOf(f.bias32 ?? f.bias64)),
        c.hiddenReset,
      ],
    };
  },
});
