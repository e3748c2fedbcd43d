import { OpType } from '@tinyforge/ir';
import { prepareClampActivation } from './activations';
import { prepareBatchNorm } from './batch-norm';
import { prepareConcatenation } from './concatenation';
import { KernelFactory } from './context';
import { prepareConv2D } from './conv2d';
import { prepareDepthwiseConv2D } from './depthwise-conv2d';
import { prepareBinary } from './elementwise';
import { isPlainInteger, prepareCast, prepareIntegerBinary, prepareUnaryArithmetic } from './integer-arithmetic';
import { prepareFullyConnected } from './fully-connected';
import { prepareStridedSlice, prepareTranspose } from './gather';
import { prepareHardSwish } from './hard-swish';
import { prepareLogisticTanh } from './logistic-tanh';
import { prepareMean } from './mean';
import { preparePad } from './pad';
import { preparePool2D } from './pool2d';
import { prepareDequantize, prepareQuantize } from './quantize';
import { prepareSoftmax } from './softmax';

/** Add / Sub / Mul / Div: int32 and int64 tensors get plain integer arithmetic, float and int8 their own kernels. */
const prepareArithmetic: KernelFactory = (ctx) => (isPlainInteger(ctx.tensor(0).dtype) ? prepareIntegerBinary(ctx) : prepareBinary(ctx));

/** One prepare function per op; view ops (Reshape, Squeeze, Identity) are aliased by the interpreter instead. */
export const KERNELS: Partial<Record<OpType, KernelFactory>> = {
  Conv2D: prepareConv2D,
  DepthwiseConv2D: prepareDepthwiseConv2D,
  FullyConnected: prepareFullyConnected,
  AveragePool2D: preparePool2D,
  MaxPool2D: preparePool2D,
  Softmax: prepareSoftmax,
  Add: prepareArithmetic,
  Sub: prepareArithmetic,
  Mul: prepareArithmetic,
  Div: prepareArithmetic,
  Round: prepareUnaryArithmetic,
  Abs: prepareUnaryArithmetic,
  Sign: prepareUnaryArithmetic,
  Cast: prepareCast,
  Mean: prepareMean,
  Pad: preparePad,
  Concatenation: prepareConcatenation,
  Quantize: prepareQuantize,
  Dequantize: prepareDequantize,
  Logistic: prepareLogisticTanh,
  Tanh: prepareLogisticTanh,
  Relu: prepareClampActivation,
  Relu6: prepareClampActivation,
  LeakyRelu: prepareClampActivation,
  Clip: prepareClampActivation,
  HardSwish: prepareHardSwish,
  Transpose: prepareTranspose,
  StridedSlice: prepareStridedSlice,
  BatchNorm: prepareBatchNorm,
};
