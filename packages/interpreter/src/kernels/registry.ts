import { OpType } from '@tinyforge/ir';
import { KernelFactory } from './context';
import { prepareConv2D } from './conv2d';
import { prepareDepthwiseConv2D } from './depthwise-conv2d';
import { prepareBinary } from './elementwise';
import { prepareFullyConnected } from './fully-connected';
import { preparePool2D } from './pool2d';
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
};
