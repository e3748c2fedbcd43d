import { OpType } from '@tinyforge/ir';
import { floatClamp, floatLeakyRelu, int8Clamp, int8Relu, quantizedLeakyRelu } from './activations';
import { floatBatchNorm } from './batch-norm';
import { prepareConcatenation } from './concatenation';
import { KernelEntry } from './context';
import { floatConv2D, int8Conv2D } from './conv2d';
import { floatDepthwiseConv2D, int8DepthwiseConv2D } from './depthwise-conv2d';
import { floatBinary, quantizedAddSub, quantizedMul } from './elementwise';
import { floatFullyConnected, int8FullyConnected } from './fully-connected';
import { prepareStridedSlice, prepareTile, prepareTranspose } from './gather';
import { floatHardSwish, int8HardSwish } from './hard-swish';
import { int16LogisticTanh, int16Mean, int16Softmax } from './int16-activations';
import { int16Conv2D, int16DepthwiseConv2D, int16FullyConnected } from './int16-weighted';
import { int32Binary, int64Binary, prepareCast, roundHalfEven, unaryInt64, unaryNumber } from './integer-arithmetic';
import { floatGru, integerGru } from './gru';
import { floatPointwise, int8LogisticTanh, logistic } from './logistic-tanh';
import { floatLstm, integerLstm } from './lstm';
import { floatMean, int8Mean } from './mean';
import { preparePad } from './pad';
import { floatPool2D, quantizedPool2D } from './pool2d';
import { dequantize, quantizeFloat, requantize } from './quantize';
import { floatSoftmax, int8Softmax } from './softmax';
import {
  featureWindow,
  signalEnergy,
  signalFftAutoScale,
  signalFftScaleBits,
  signalFilterBank,
  signalFilterBankLog,
  signalFilterBankSquareRoot,
  signalNoiseEstimate,
  signalPcan,
  signalRfft,
  signalSpectralSubtraction,
  signalWindow,
} from './signal';
import { floatSvdf, integerSvdf } from './svdf';
import { floatTransposeConv2D, int16TransposeConv2D, int8TransposeConv2D } from './transpose-conv2d';

/**
 * One entry per op: its kernels by the element type of the first input (see KernelEntry). View ops (Reshape,
 * Squeeze, Identity: OpDef.view in the IR) have none; the interpreter aliases their buffers instead.
 */
export const KERNELS: { readonly [K in OpType]?: KernelEntry<K> } = {
  Conv2D: { float32: floatConv2D, int8: int8Conv2D, int16: int16Conv2D },
  DepthwiseConv2D: { float32: floatDepthwiseConv2D, int8: int8DepthwiseConv2D, int16: int16DepthwiseConv2D },
  FullyConnected: { float32: floatFullyConnected, int8: int8FullyConnected, int16: int16FullyConnected },
  TransposeConv2D: { float32: floatTransposeConv2D, int8: int8TransposeConv2D, int16: int16TransposeConv2D },
  AveragePool2D: { float32: floatPool2D('average'), int8: quantizedPool2D('average'), int16: quantizedPool2D('average') },
  MaxPool2D: { float32: floatPool2D('max'), int8: quantizedPool2D('max'), int16: quantizedPool2D('max') },
  Softmax: { float32: floatSoftmax, int8: int8Softmax, int16: int16Softmax },
  Add: {
    float32: floatBinary((p, q) => p + q),
    int8: quantizedAddSub(1),
    int16: quantizedAddSub(1),
    int32: int32Binary((p, q) => (p + q) | 0),
    int64: int64Binary((p, q) => p + q),
  },
  Sub: {
    float32: floatBinary((p, q) => p - q),
    int8: quantizedAddSub(-1),
    int16: quantizedAddSub(-1),
    int32: int32Binary((p, q) => (p - q) | 0),
    int64: int64Binary((p, q) => p - q),
  },
  Mul: {
    float32: floatBinary((p, q) => p * q),
    int8: quantizedMul,
    int16: quantizedMul,
    int32: int32Binary(Math.imul),
    int64: int64Binary((p, q) => p * q),
  },
  // Integer Div truncates toward zero; a zero divisor gives 0 rather than trapping.
  Div: {
    float32: floatBinary((p, q) => p / q),
    int32: int32Binary((p, q) => (q === 0 ? 0 : Math.trunc(p / q) | 0)),
    int64: int64Binary((p, q) => (q === 0n ? 0n : p / q)),
  },
  Round: { float32: unaryNumber(roundHalfEven), int32: unaryNumber((v) => v), int64: unaryInt64((v) => v) },
  Abs: { float32: unaryNumber(Math.abs), int32: unaryNumber(Math.abs), int64: unaryInt64((v) => BigInt.asIntN(64, v < 0n ? -v : v)) },
  Sign: { float32: unaryNumber(Math.sign), int32: unaryNumber(Math.sign), int64: unaryInt64((v) => (v > 0n ? 1n : v < 0n ? -1n : 0n)) },
  Minimum: { float32: floatBinary(Math.min), int32: int32Binary(Math.min), int64: int64Binary((p, q) => (p < q ? p : q)) },
  Maximum: { float32: floatBinary(Math.max), int32: int32Binary(Math.max), int64: int64Binary((p, q) => (p > q ? p : q)) },
  Cast: { any: prepareCast },
  Mean: { float32: floatMean, int8: int8Mean, int16: int16Mean },
  Pad: { any: preparePad },
  Concatenation: { any: prepareConcatenation },
  Quantize: { float32: quantizeFloat, int8: requantize, uint8: requantize, int16: requantize, int32: requantize },
  Dequantize: { int8: dequantize, uint8: dequantize, int16: dequantize },
  Logistic: { float32: floatPointwise(logistic), int8: int8LogisticTanh('logistic'), int16: int16LogisticTanh('logistic') },
  Tanh: { float32: floatPointwise(Math.tanh), int8: int8LogisticTanh('tanh'), int16: int16LogisticTanh('tanh') },
  Relu: { float32: floatClamp(() => [0, Infinity]), int8: int8Relu },
  Relu6: { float32: floatClamp(() => [0, 6]), int8: int8Clamp(() => [0, 6]) },
  Clip: { float32: floatClamp((a) => [a.min, a.max]), int8: int8Clamp((a) => [a.min, a.max]) },
  LeakyRelu: { float32: floatLeakyRelu, int8: quantizedLeakyRelu, int16: quantizedLeakyRelu },
  HardSwish: { float32: floatHardSwish, int8: int8HardSwish },
  Transpose: { any: prepareTranspose },
  Tile: { any: prepareTile },
  StridedSlice: { any: prepareStridedSlice },
  BatchNorm: { float32: floatBatchNorm },
  UnidirectionalSequenceLstm: { float32: floatLstm, int8: integerLstm, int16: integerLstm },
  UnidirectionalSequenceGru: { float32: floatGru, int8: integerGru },
  Svdf: { float32: floatSvdf, int8: integerSvdf },
  SignalWindow: { int16: signalWindow },
  SignalFftScaleBits: { int16: signalFftScaleBits },
  SignalFftAutoScale: { int16: signalFftAutoScale },
  SignalRfft: { int16: signalRfft },
  SignalEnergy: { int16: signalEnergy },
  SignalFilterBank: { uint32: signalFilterBank },
  SignalFilterBankSquareRoot: { uint64: signalFilterBankSquareRoot },
  SignalNoiseEstimate: { uint32: signalNoiseEstimate },
  SignalSpectralSubtraction: { uint32: signalSpectralSubtraction },
  SignalPcan: { uint32: signalPcan },
  SignalFilterBankLog: { uint32: signalFilterBankLog },
  FeatureWindow: { any: featureWindow },
};
