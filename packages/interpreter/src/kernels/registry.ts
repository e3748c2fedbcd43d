import { OpType } from '@tinyforge/ir';
import { prepareClampActivation } from './activations';
import { prepareBatchNorm } from './batch-norm';
import { prepareConcatenation } from './concatenation';
import { KernelFactory } from './context';
import { prepareConv2D } from './conv2d';
import { prepareDepthwiseConv2D } from './depthwise-conv2d';
import { prepareBinary } from './elementwise';
import { prepareFullyConnected } from './fully-connected';
import { prepareStridedSlice, prepareTranspose } from './gather';
import { prepareHardSwish } from './hard-swish';
import { prepareLogisticTanh } from './logistic-tanh';
import { prepareMean } from './mean';
import { preparePad } from './pad';
import { preparePool2D } from './pool2d';
import { prepareDequantize, prepareQuantize } from './quantize';
import { prepareSoftmax } from './softmax';

/** One prepare function per op; view ops (Reshape, Squeeze, Identity) are aliased by the interpreter instead. */
export const KERNELS: Partial<Record<OpType, KernelFactory>> = {
  Conv2D: prepareConv2D,
  DepthwiseConv2D: prepareDepthwiseConv2D,
  FullyConnected: prepareFullyConnected,
  AveragePool2D: preparePool2D,
  MaxPool2D: preparePool2D,
  Softmax: prepareSoftmax,
  Add: prepareBinary,
  Sub: prepareBinary,
  Mul: prepareBinary,
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
