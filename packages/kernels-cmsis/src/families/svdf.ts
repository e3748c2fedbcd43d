/**
 * SVDF: tfg_svdf_s8 (TFLite Micro's integer SVDF: int8 activations, int16 — or int8 with a zero point — time
 * weights and state; effective scales formed in float as its Prepare does) and tfg_svdf_f32. The state is an op
 * state tensor; the integer kernel's scratch holds one int32 per filter.
 */
import { Graph, Node, NodeOf, SVDF_INPUT as S } from '@tinyforge/ir';
import { floatActivationRange, quantizeMultiplier } from '@tinyforge/interpreter';
import { blobOf, cFloat, cLiteral, cPtr, cStruct, floatBits, scratchContext, sizeQuery } from './c-text';
import { CallBase, ScratchFunction, defineFamily } from './family';
import { floatConstant, stateResetBytes, stateTensor } from './recurrent-common';
import { optionalInput, typedConstant } from './s16-common';

export interface SvdfDims {
  batch: number;
  inputSize: number;
  filters: number;
  memory: number;
  rank: number;
}

export interface SvdfCall extends CallBase, SvdfDims {
  kernel: 'tfg_svdf_s8' | 'tfg_svdf_f32';
  state: number;
  perRun: boolean;
  stateReset: Uint8Array;
  integer?: {
    inputOffset: number;
    stateBytes: number;
    stateZeroPoint: number;
    featureMultiplier: number;
    featureShift: number;
    outputMultiplier: number;
    outputShift: number;
    outputOffset: number;
    weightsFeature: Int8Array;
    weightsTime: Int8Array | Int16Array;
    bias?: Int32Array;
  };
  float?: { min: number; max: number; weightsFeature: Float32Array; weightsTime: Float32Array; bias?: Float32Array };
}

function geometry(graph: Graph, node: Node): SvdfDims {
  const [batch, inputSize] = graph.tensors[node.inputs[0]].shape;
  const [filters, memory] = graph.tensors[node.inputs[S.weightsTime]].shape;
  return { batch, inputSize, filters, memory, rank: (node as NodeOf<'Svdf'>).attrs.rank };
}

const cSvdfDims = (d: SvdfDims): string => cStruct({ batch: d.batch, input_size: d.inputSize, filters: d.filters, memory: d.memory, rank: d.rank });
const svdfInts = (d: SvdfDims): number[] => [d.batch, d.inputSize, d.filters, d.memory, d.rank];

const SVDF_SCRATCH: ScratchFunction<SvdfDims> = {
  name: 'tfg_svdf_s8_get_buffer_size',
  byPath: false,
  args: '&params.dims',
  literalArgs: (g) => cLiteral('tfg_svdf_dims', cSvdfDims(g)),
  bytes: (g) => g.filters * 4,
};

/** A finite float clamp bound as C (FLT_MAX stands for no bound: the same for every finite sum). */
const cBound = (v: number): string => (Number.isFinite(v) ? cFloat(v) : v > 0 ? '3.40282347e+38f' : '-3.40282347e+38f');

export const svdfFamily = defineFamily<SvdfCall, SvdfDims>({
  name: 'svdf',
  ops: ['Svdf'],
  kernels: { tfg_svdf_s8: 31, tfg_svdf_f32: 32 },
  lower(ctx) {
    const node = ctx.node as NodeOf<'Svdf'>;
    const dims = geometry(ctx.graph, node);
    if (dims.filters % dims.rank !== 0) ctx.fail('KERNEL_BAD_SHAPE', `${dims.filters} filters do not split into rank ${dims.rank}`);
    const state = stateTensor(ctx, S.activationState);
    const stateT = ctx.tensor(state);
    const base = { node: node.name, output: node.outputs[0], inputs: [node.inputs[0]], ...dims, state, perRun: stateT.state === 'per-run', stateReset: stateResetBytes(stateT) };
    if (ctx.tensor(node.inputs[0]).dtype === 'float32') {
      const range = floatActivationRange(node.attrs.activation) ?? ctx.fail('KERNEL_UNSUPPORTED_OP', `fused ${node.attrs.activation} is not supported`);
      const f = (i: number): Float32Array => floatConstant(ctx, i) ?? ctx.fail('KERNEL_BAD_SHAPE', `input ${i} is missing`);
      return { ...base, kernel: 'tfg_svdf_f32', float: { min: range.min, max: range.max, weightsFeature: f(S.weightsFeature), weightsTime: f(S.weightsTime), bias: floatConstant(ctx, S.bias) } };
    }
    const x = ctx.quantized(node.inputs[0], ['int8']);
    const wf = ctx.quantized(node.inputs[S.weightsFeature], ['int8']);
    const wt = ctx.quantized(node.inputs[S.weightsTime], ['int16', 'int8']);
    const st = ctx.quantized(state, [wt.dtype]);
    const y = ctx.quantized(node.outputs[0], ['int8']);
    const f = Math.fround;
    const [sx, swf, swt, ss, sy] = [x, wf, wt, st, y].map((t) => f(t.quant.scale[0]));
    const scale1 = quantizeMultiplier(f(f(sx * swf) / ss));
    const scale2 = quantizeMultiplier(f(f(ss * swt) / sy));
    const b = optionalInput(ctx, S.bias);
    return {
      ...base,
      kernel: 'tfg_svdf_s8',
      integer: {
        inputOffset: -x.quant.zeroPoint[0],
        stateBytes: wt.dtype === 'int16' ? 2 : 1,
        stateZeroPoint: st.quant.zeroPoint[0],
        featureMultiplier: scale1.multiplier,
        featureShift: scale1.shift,
        outputMultiplier: scale2.multiplier,
        outputShift: scale2.shift,
        outputOffset: y.quant.zeroPoint[0],
        weightsFeature: typedConstant(ctx, wf, 'int8', 'feature weights'),
        weightsTime: wt.dtype === 'int16' ? typedConstant(ctx, wt, 'int16', 'time weights') : typedConstant(ctx, wt, 'int8', 'time weights'),
        bias: b === undefined ? undefined : typedConstant(ctx, b, 'int32', 'bias'),
      },
    };
  },
  geometry,
  scratch: { tfg_svdf_s8: SVDF_SCRATCH },
  emit(c, out) {
    const x = out.at(c.inputs[0]);
    const state = out.at(c.state);
    const y = out.at(c.output);
    if (c.float !== undefined) {
      const f = c.float;
      const wf = out.constant('feature_w', 'float', f.weightsFeature, `${c.node}: feature weights`);
      const wt = out.constant('time_w', 'float', f.weightsTime, `${c.node}: time weights`);
      const bias = f.bias === undefined ? '0' : out.constant('bias', 'float', f.bias, `${c.node}: bias`);
      out.line(`static const tfg_svdf_dims dims = ${cSvdfDims(c)};`);
      out.line(`(void)${out.arena};`);
      out.line(
        `return tfg_svdf_f32(&dims, ${cBound(f.min)}, ${cBound(f.max)}, ${cPtr(x, 'float', false)}, ${cPtr(state, 'float', true)}, ${wf}, ${wt}, ${bias}, ${cPtr(y, 'float', true)});`,
      );
      return;
    }
    const i = c.integer!;
    const wf = out.constant('feature_w', 'int8_t', i.weightsFeature, `${c.node}: feature weights`);
    const wt = out.constant('time_w', i.stateBytes === 2 ? 'int16_t' : 'int8_t', i.weightsTime, `${c.node}: time weights`);
    const bias = i.bias === undefined ? '0' : out.constant('bias', 'int32_t', i.bias, `${c.node}: bias`);
    const params = {
      dims: cSvdfDims(c),
      input_offset: i.inputOffset,
      state_bytes: i.stateBytes,
      state_zero_point: i.stateZeroPoint,
      feature_multiplier: i.featureMultiplier,
      feature_shift: i.featureShift,
      output_multiplier: i.outputMultiplier,
      output_shift: i.outputShift,
      output_offset: i.outputOffset,
    };
    out.line(`static const tfg_svdf_params params = ${cStruct(params)};`);
    scratchContext(out, sizeQuery(SVDF_SCRATCH));
    out.line(`return tfg_svdf_s8(&ctx, &params, ${x}, ${state}, ${wf}, ${wt}, ${bias}, ${y});`);
  },
  vector(c, inputs) {
    const state = [c.perRun ? 1 : 0, c.stateReset.length];
    if (c.float !== undefined) {
      const f = c.float;
      return { ints: [...svdfInts(c), ...state, floatBits(Math.max(f.min, -3.4028234663852886e38)), floatBits(Math.min(f.max, 3.4028234663852886e38))], blobs: [blobOf(inputs[0]), blobOf(f.weightsFeature), blobOf(f.weightsTime), blobOf(f.bias), c.stateReset] };
    }
    const i = c.integer!;
    return {
      ints: [...svdfInts(c), ...state, i.inputOffset, i.stateBytes, i.stateZeroPoint, i.featureMultiplier, i.featureShift, i.outputMultiplier, i.outputShift, i.outputOffset],
      blobs: [blobOf(inputs[0]), blobOf(i.weightsFeature), blobOf(i.weightsTime), blobOf(i.bias), c.stateReset],
    };
  },
});
