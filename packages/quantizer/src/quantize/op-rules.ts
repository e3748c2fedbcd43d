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
  | 'union-of-inputs'
  /** A recurrent op: its output, state and weights together (quantize-recurrent.ts). */
  | 'recurrent';

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
  UnidirectionalSequenceLstm: 'recurrent',
  UnidirectionalSequenceGru: 'recurrent',
};

/** Ops without a 16x8 (int16 activation) kernel: refused by `--activations int16`. */
export const NO_INT16_KERNEL: ReadonlySet<OpType> = new Set<OpType>(['HardSwish', 'Relu', 'Relu6', 'Clip', 'UnidirectionalSequenceGru']);

/**
 * Softmax and logistic: [0, 1) in steps of 1/256; tanh: [−1, 1) in steps of 1/128. On int16 all three are Q0.15
 * (scale 2^-15, zero point 0), as TFLite's 16x8 kernels require.
 */
export function fixedOutputQuant(op: OpType, int16 = false): Quantization {
  if (int16) return { scale: [2 ** -15], zeroPoint: [0], axis: 0 };
  return op === 'Tanh' ? { scale: [1 / 128], zeroPoint: [0], axis: 0 } : { scale: [1 / 256], zeroPoint: [-128], axis: 0 };
}
