import { OpType, Quantization } from '@tinyforge/ir';

/** How each op's int8 output parameters are chosen (TFLite's operator properties). */
export type OutputRule =
  /** From the calibrated range of the output (narrowed by a fused activation). */
  | 'calibrated'
  /** The input's parameters: the kernel moves or selects int8 values without rescaling. */
  | 'same-as-input'
  /** Fixed by the spec, whatever the data. */
  | 'fixed'
  /** The union of the inputs' ranges; inputs with other parameters are requantized first. */
  | 'union-of-inputs';

export const OUTPUT_RULES: Partial<Record<OpType, OutputRule>> = {
  Conv2D: 'calibrated',
  DepthwiseConv2D: 'calibrated',
  FullyConnected: 'calibrated',
  TransposeConv2D: 'calibrated',
  Add: 'calibrated',
  Sub: 'calibrated',
  Mul: 'calibrated',
  Mean: 'calibrated',
  Relu: 'calibrated',
  LeakyRelu: 'calibrated',
  HardSwish: 'calibrated',
  AveragePool2D: 'same-as-input',
  MaxPool2D: 'same-as-input',
  Reshape: 'same-as-input',
  Squeeze: 'same-as-input',
  Identity: 'same-as-input',
  Pad: 'same-as-input',
  Transpose: 'same-as-input',
  Tile: 'same-as-input',
  StridedSlice: 'same-as-input',
  Relu6: 'same-as-input',
  Clip: 'same-as-input',
  Softmax: 'fixed',
  Logistic: 'fixed',
  Tanh: 'fixed',
  Concatenation: 'union-of-inputs',
};

/** Softmax and logistic: [0, 1) in steps of 1/256; tanh: [−1, 1) in steps of 1/128. */
export function fixedOutputQuant(op: OpType): Quantization {
  return op === 'Tanh' ? { scale: [1 / 128], zeroPoint: [0], axis: 0 } : { scale: [1 / 256], zeroPoint: [-128], axis: 0 };
}
