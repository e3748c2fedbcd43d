import { FLOAT_OR_QUANTIZED, sameType, softmaxTypes } from './dtype-rules';
import { sameShape } from './elementwise';
import { attr, defineOp, NoAttrs } from './op-def';

/** Pointwise activations and softmax: same shape and type in and out, float or quantized. */
const pointwise = { ...sameShape, dtypes: sameType(1, FLOAT_OR_QUANTIZED) };
/** The activations proper: element by element (softmax reads its whole last axis). */
const activation = { ...pointwise, elementwise: true };

export const RELU = defineOp<NoAttrs>()({ ...activation, attrs: {}, asFusedActivation: () => 'relu' });
export const RELU6 = defineOp<NoAttrs>()({ ...activation, attrs: {}, asFusedActivation: () => 'relu6' });

/** Clamp to [min, max]; Relu/Relu6 are the common special cases and are imported as those. */
export const CLIP = defineOp<{ min: number; max: number }>()({
  ...activation,
  attrs: { min: attr.float(), max: attr.float() },
  asFusedActivation: ({ min, max }) => {
    if (min === 0 && max === 6) return 'relu6';
    if (min === 0 && max === Infinity) return 'relu';
    if (min === -1 && max === 1) return 'relu_n1_to_1';
    return undefined;
  },
});

export const LEAKY_RELU = defineOp<{ alpha: number }>()({ ...activation, attrs: { alpha: attr.float() } });
export const LOGISTIC = defineOp<NoAttrs>()({ ...activation, attrs: {} });
export const TANH = defineOp<NoAttrs>()({ ...activation, attrs: {} });
export const HARD_SWISH = defineOp<NoAttrs>()({ ...activation, attrs: {} });

/** Softmax over the last axis. */
export const SOFTMAX = defineOp<{ beta: number }>()({ ...pointwise, dtypes: softmaxTypes, attrs: { beta: attr.withDefault(attr.float(), 1) } });
