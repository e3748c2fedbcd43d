/**
 * IR node → kernel call, with TFLite Micro's prepare-step arithmetic: offsets from zero points, per-channel
 * multipliers (double precision; FC's per-tensor product in float32 as TFLM does), SAME/VALID padding, clamps.
 */
import {
  FusedActivation,
  Graph,
  Node,
  Quantization,
  Tensor,
  explicitPadding,
  viewAs,
} from '@tinyforge/ir';
import { KernelLoweringError } from './errors';
import { isExtraOp, lowerExtra } from './lower-extra';
import { calculateInputRadius, perChannelMultipliers, quantizeMultiplier, quantizedActivationRange } from '@tinyforge/interpreter';
import {
  AddCall,
  Clamp,
  ConvCall,
  DepthwiseCall,
  Dims4,
  FullyConnectedCall,
  KernelCall,
  MulCall,
  PoolCall,
} from './kernel-call';

const ADD_LEFT_SHIFT_S8 = 20;

export function lowerNode(graph: Graph, node: Node): KernelCall {
  const fail = (code: string, message: string): never => {
    throw new KernelLoweringError(code, message, { node: node.name });
  };
  const tensor = (i: number): Tensor => {
    const t = graph.tensors[i];
    if (t === undefined) fail('KERNEL_BAD_SHAPE', `tensor index ${i} out of range`);
    return t as Tensor;
  };
  const activationTensor = (i: number): Tensor & { quant: Quantization } => {
    const t = tensor(i);
    if (t.dtype !== 'int8') fail('KERNEL_UNSUPPORTED_TYPE', `tensor '${t.name}' is ${t.dtype}, kernels take int8`);
    if (t.quant === undefined || t.quant.scale.length !== 1) {
      fail('KERNEL_BAD_QUANTIZATION', `tensor '${t.name}' needs one per-tensor scale`);
    }
    return t as Tensor & { quant: Quantization };
  };
  const clampOf = (activation: FusedActivation, out: Tensor & { quant: Quantization }): Clamp => {
    const c = quantizedActivationRange(activation, 'int8', out.quant.scale[0], out.quant.zeroPoint[0]);
    if (c === undefined) fail('KERNEL_UNSUPPORTED_OP', `fused activation '${activation}' has no int8 clamp`);
    return c as Clamp;
  };
  const base = { node: node.name, output: node.outputs[0] };

  switch (node.op) {
    case 'Conv2D':
    case 'DepthwiseConv2D': {
      const x = activationTensor(node.inputs[0]);
      const w = tensor(node.inputs[1]);
      const y = activationTensor(node.outputs[0]);
      const weights = int8Constant(w, fail);
      const bias = node.inputs[2] >= 0 && node.inputs[2] !== undefined ? int32Constant(tensor(node.inputs[2]), fail) : undefined;
      const input = dims4(x.shape, x.name, fail);
      const outputDims = dims4(y.shape, y.name, fail);
      const filter = dims4(w.shape, w.name, fail);
      const a = node.attrs;
      const pad = explicitPadding(input.h, input.w, filter.h, filter.w, a.strideH, a.strideW, a.dilationH, a.dilationW, a.padding);
      if (pad.outH !== outputDims.h || pad.outW !== outputDims.w) {
        fail('KERNEL_BAD_SHAPE', `output ${outputDims.h}x${outputDims.w} disagrees with geometry ${pad.outH}x${pad.outW}`);
      }
      const channels = outputDims.c;
      const { multipliers, shifts } = perChannel(x.quant.scale[0], w.quant, y.quant.scale[0], channels, w.name, fail);
      const common = {
        ...base,
        inputs: [node.inputs[0]],
        input,
        filter,
        outputDims,
        inputOffset: -x.quant.zeroPoint[0],
        outputOffset: y.quant.zeroPoint[0],
        stride: { h: a.strideH, w: a.strideW },
        padding: { h: pad.top, w: pad.left },
        dilation: { h: a.dilationH, w: a.dilationW },
        activation: clampOf(a.activation, y),
        weights,
        bias,
        multipliers,
        shifts,
      };
      if (node.op === 'Conv2D') return { kernel: 'tfg_convolve_wrapper_s8', ...common } satisfies ConvCall;
      if (channels % input.c !== 0) fail('KERNEL_BAD_SHAPE', `${channels} output channels for ${input.c} inputs`);
      return { kernel: 'tfg_depthwise_conv_s8', ...common, channelMultiplier: channels / input.c } satisfies DepthwiseCall;
    }
    case 'FullyConnected': {
      const x = activationTensor(node.inputs[0]);
      const w = tensor(node.inputs[1]);
      const y = activationTensor(node.outputs[0]);
      const weights = int8Constant(w, fail);
      const bias = node.inputs[2] >= 0 && node.inputs[2] !== undefined ? int32Constant(tensor(node.inputs[2]), fail) : undefined;
      const [channels, depth] = w.shape;
      if (w.shape.length !== 2 || x.shape.reduce((p, d) => p * d, 1) % depth !== 0) {
        fail('KERNEL_BAD_SHAPE', `weights ${JSON.stringify(w.shape)} do not fit input ${JSON.stringify(x.shape)}`);
      }
      const batches = x.shape.reduce((p, d) => p * d, 1) / depth;
      const wq = w.quant;
      if (wq === undefined) return fail('KERNEL_BAD_QUANTIZATION', `weights '${w.name}' are not quantized`);
      const perChannelWeights = wq.scale.length > 1;
      let multipliers: Int32Array;
      let shifts: Int32Array;
      if (perChannelWeights) {
        ({ multipliers, shifts } = perChannel(x.quant.scale[0], wq, y.quant.scale[0], channels, w.name, fail));
      } else {
        // TFLM multiplies the two float scales in float32 before widening to double.
        const product = Math.fround(Math.fround(x.quant.scale[0]) * Math.fround(wq.scale[0]));
        const q = quantizeMultiplier(product / Math.fround(y.quant.scale[0]));
        multipliers = Int32Array.of(q.multiplier);
        shifts = Int32Array.of(q.shift);
      }
      return {
        kernel: perChannelWeights ? 'tfg_fully_connected_per_channel_s8' : 'tfg_fully_connected_s8',
        ...base,
        inputs: [node.inputs[0]],
        batches,
        depth,
        channels,
        inputOffset: -x.quant.zeroPoint[0],
        filterOffset: -wq.zeroPoint[0],
        outputOffset: y.quant.zeroPoint[0],
        activation: clampOf(node.attrs.activation, y),
        weights,
        bias,
        multipliers,
        shifts,
      } satisfies FullyConnectedCall;
    }
    case 'AveragePool2D':
    case 'MaxPool2D': {
      const x = activationTensor(node.inputs[0]);
      const y = activationTensor(node.outputs[0]);
      if (x.quant.scale[0] !== y.quant.scale[0] || x.quant.zeroPoint[0] !== y.quant.zeroPoint[0]) {
        fail('KERNEL_BAD_QUANTIZATION', 'pooling needs the same quantization on input and output');
      }
      const input = dims4(x.shape, x.name, fail);
      const outputDims = dims4(y.shape, y.name, fail);
      const a = node.attrs;
      const pad = explicitPadding(input.h, input.w, a.filterH, a.filterW, a.strideH, a.strideW, 1, 1, a.padding);
      return {
        kernel: node.op === 'AveragePool2D' ? 'tfg_avgpool_s8' : 'tfg_maxpool_s8',
        ...base,
        inputs: [node.inputs[0]],
        input,
        filter: { h: a.filterH, w: a.filterW },
        outputDims,
        stride: { h: a.strideH, w: a.strideW },
        padding: { h: pad.top, w: pad.left },
        activation: clampOf(a.activation, y),
      } satisfies PoolCall;
    }
    case 'Add':
    case 'Mul': {
      const a = activationTensor(node.inputs[0]);
      const b = activationTensor(node.inputs[1]);
      const y = activationTensor(node.outputs[0]);
      // Element-wise ops take any rank up to 4; right-aligned, lower ranks are leading 1s.
      const outputDims = broadcastDims(y.shape, 4, y.name, fail);
      const input1 = broadcastDims(a.shape, y.shape.length, a.name, fail);
      const input2 = broadcastDims(b.shape, y.shape.length, b.name, fail);
      const [sa, sb, sy] = [a.quant.scale[0], b.quant.scale[0], y.quant.scale[0]].map(Math.fround);
      const shared = { ...base, inputs: [node.inputs[0], node.inputs[1]], input1, input2, outputDims };
      if (node.op === 'Mul') {
        const q = quantizeMultiplier((sa * sb) / sy);
        return {
          kernel: 'tfg_elementwise_mul_s8',
          ...shared,
          input1Offset: -a.quant.zeroPoint[0],
          input2Offset: -b.quant.zeroPoint[0],
          outputOffset: y.quant.zeroPoint[0],
          outputMultiplier: q.multiplier,
          outputShift: q.shift,
          activation: clampOf(node.attrs.activation, y),
        } satisfies MulCall;
      }
      const twiceMax = 2 * Math.max(sa, sb);
      const q1 = quantizeMultiplier(sa / twiceMax);
      const q2 = quantizeMultiplier(sb / twiceMax);
      const qo = quantizeMultiplier(twiceMax / (2 ** ADD_LEFT_SHIFT_S8 * sy));
      return {
        kernel: 'tfg_elementwise_add_s8',
        ...shared,
        input1Offset: -a.quant.zeroPoint[0],
        input1Multiplier: q1.multiplier,
        input1Shift: q1.shift,
        input2Offset: -b.quant.zeroPoint[0],
        input2Multiplier: q2.multiplier,
        input2Shift: q2.shift,
        leftShift: ADD_LEFT_SHIFT_S8,
        outputOffset: y.quant.zeroPoint[0],
        outputMultiplier: qo.multiplier,
        outputShift: qo.shift,
        activation: clampOf(node.attrs.activation, y),
      } satisfies AddCall;
    }
    case 'Softmax': {
      const x = activationTensor(node.inputs[0]);
      const y = activationTensor(node.outputs[0]);
      if (y.quant.scale[0] !== 1 / 256 || y.quant.zeroPoint[0] !== -128) {
        fail('KERNEL_BAD_QUANTIZATION', 'int8 softmax output must have scale 1/256 and zero point -128');
      }
      const rowSize = x.shape[x.shape.length - 1] ?? 1;
      const size = x.shape.reduce((p, d) => p * d, 1);
      const s = softmaxScaling(Math.fround(node.attrs.beta), Math.fround(x.quant.scale[0]));
      if (s.leftShift < 0) fail('KERNEL_BAD_QUANTIZATION', 'beta × input scale is too small for the fixed-point softmax');
      return {
        kernel: 'tfg_softmax_s8',
        ...base,
        inputs: [node.inputs[0]],
        rows: size / rowSize,
        rowSize,
        inputMultiplier: s.multiplier,
        inputLeftShift: s.leftShift,
        diffMin: s.diffMin,
      };
    }
    case 'Reshape':
    case 'Squeeze':
    case 'Identity': {
      const x = tensor(node.inputs[0]);
      return { kernel: 'tfg_reshape_s8', ...base, inputs: [node.inputs[0]], size: x.shape.reduce((p, d) => p * d, 1) };
    }
    default:
      if (isExtraOp(node.op)) return lowerExtra({ graph, node, fail, tensor, activation: activationTensor });
      return fail('KERNEL_UNSUPPORTED_OP', `no int8 kernel for ${node.op}`);
  }
}

type Fail = (code: string, message: string) => never;

function dims4(shape: number[], name: string, fail: Fail): Dims4 {
  if (shape.length !== 4) fail('KERNEL_BAD_SHAPE', `tensor '${name}' has rank ${shape.length}, expected 4 (NHWC)`);
  const [n, h, w, c] = shape;
  return { n, h, w, c };
}

/** Right-align a shape to rank 4 (numpy broadcasting) after checking it is not longer than the output's. */
function broadcastDims(shape: number[], outRank: number, name: string, fail: Fail): Dims4 {
  if (shape.length > 4 || shape.length > outRank) fail('KERNEL_BAD_SHAPE', `tensor '${name}' rank ${shape.length}`);
  const s = [1, 1, 1, 1, ...shape].slice(-4);
  return { n: s[0], h: s[1], w: s[2], c: s[3] };
}

function int8Constant(t: Tensor, fail: Fail): Int8Array {
  if (t.dtype !== 'int8' || t.data === undefined) fail('KERNEL_UNSUPPORTED_TYPE', `weights '${t.name}' must be constant int8`);
  return viewAs(t.data as Uint8Array, 'int8');
}

function int32Constant(t: Tensor, fail: Fail): Int32Array {
  if (t.dtype !== 'int32' || t.data === undefined) fail('KERNEL_UNSUPPORTED_TYPE', `bias '${t.name}' must be constant int32`);
  return viewAs(t.data as Uint8Array, 'int32');
}

function perChannel(
  inputScale: number,
  wq: Quantization | undefined,
  outputScale: number,
  channels: number,
  name: string,
  fail: Fail,
): { multipliers: Int32Array; shifts: Int32Array } {
  if (wq === undefined || (wq.scale.length !== 1 && wq.scale.length !== channels)) {
    return fail('KERNEL_BAD_QUANTIZATION', `weights '${name}' need 1 or ${channels} scales`);
  }
  if (wq.zeroPoint.some((z) => z !== 0)) fail('KERNEL_BAD_QUANTIZATION', `weights '${name}' must be symmetric`);
  return perChannelMultipliers(inputScale, wq.scale, outputScale, channels);
}

const SOFTMAX_DIFF_INTEGER_BITS = 5;

/** TFLite's PreprocessSoftmaxScaling: beta · input_scale into Q5.26 (multiplier, left shift, diff_min). */
function softmaxScaling(beta: number, inputScale: number): { multiplier: number; leftShift: number; diffMin: number } {
  const real = Math.min(beta * inputScale * 2 ** (31 - SOFTMAX_DIFF_INTEGER_BITS), 2 ** 31 - 1);
  const { multiplier, shift } = quantizeMultiplier(real);
  return { multiplier, leftShift: shift, diffMin: -calculateInputRadius(SOFTMAX_DIFF_INTEGER_BITS, shift) };
}
