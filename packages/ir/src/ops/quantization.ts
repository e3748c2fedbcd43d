import { dequantizesType, quantizesType } from './dtype-rules';
import { sameShape } from './elementwise';
import { defineOp, NoAttrs } from './op-def';

/** Float → quantized, or quantized → quantized with other parameters (requantization). */
export const QUANTIZE = defineOp<NoAttrs>()({ ...sameShape, attrs: {}, dtypes: quantizesType });

/** Quantized → float32. */
export const DEQUANTIZE = defineOp<NoAttrs>()({ ...sameShape, attrs: {}, dtypes: dequantizesType });
