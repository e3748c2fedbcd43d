import { DType, isQuantizedDType } from '../dtype';
import { DTypeRule } from './op-def';

/**
 * The dtype rules ops share. Each is data (the types accepted) plus the check that reports what is wrong, in the
 * messages validation has always given.
 */

/** int32 / int64 without quantization: the plain integer arithmetic the ONNX QDQ export spells requantization with. */
const PLAIN_INTEGER: ReadonlySet<DType> = new Set<DType>(['int32', 'int64']);

export const QUANTIZED_TYPES: readonly DType[] = ['int8', 'uint8', 'int16'];
/** Float and the quantized types: what pooling, activations, softmax and mean compute on. */
export const FLOAT_OR_QUANTIZED: readonly DType[] = ['float32', ...QUANTIZED_TYPES];

/**
 * The first `inputs` inputs ('all': every input) and the output share one element type, one of `types`; a quantized
 * input and output need quantization parameters (plain int32/int64 arithmetic does not).
 */
export function sameType(inputs: number | 'all', types: readonly DType[]): DTypeRule {
  return {
    inputTypes: types,
    check(c) {
      const x = c.input(0)!;
      sameAsOutput(c, inputs);
      const plainInteger = types.includes(x.dtype) && PLAIN_INTEGER.has(x.dtype);
      if (!plainInteger && !types.includes(x.dtype)) c.bad(`unsupported type ${x.dtype}`);
      if (x.dtype !== 'float32' && !plainInteger) {
        c.needQuant(x, 'input');
        c.needQuant(c.output, 'output');
      }
    },
  };
}

/** Ops that move elements: any type, the same in and out (quantization parameters travel with the data). */
export function movesData(inputs: number | 'all'): DTypeRule {
  return { inputTypes: 'any', check: (c) => sameAsOutput(c, inputs) };
}

function sameAsOutput(c: Parameters<DTypeRule['check']>[0], inputs: number | 'all'): void {
  const n = inputs === 'all' ? c.inputCount : inputs;
  for (let i = 0; i < n; i++) {
    const t = c.input(i);
    if (t !== undefined && t.dtype !== c.output.dtype) c.bad(`input ${i} is ${t.dtype} but the output is ${c.output.dtype}`);
  }
}

/** Cast: any element type to any other; the output's dtype is the target. */
export const convertsType: DTypeRule = { inputTypes: 'any', check: () => undefined };

/**
 * Conv / depthwise / fully connected: float (float32 or int8 "hybrid" weights), int8 with int8 weights and an int32
 * bias, int16 with int8 weights and an int64 (or int32) bias.
 */
export const weightedTypes: DTypeRule = {
  inputTypes: ['float32', 'int8', 'int16'],
  check(c) {
    const x = c.input(0)!;
    const w = c.input(1);
    const bias = c.input(2);
    const out = c.output;
    if (w === undefined) return;
    if (x.dtype === 'float32') {
      if (w.dtype !== 'float32' && w.dtype !== 'int8') c.bad(`float input needs float32 or int8 weights, got ${w.dtype}`);
      if (bias !== undefined && bias.dtype !== 'float32') c.bad(`float model needs a float32 bias, got ${bias.dtype}`);
      if (out.dtype !== 'float32') c.bad(`float input gives a float32 output, got ${out.dtype}`);
    } else if (x.dtype === 'int8' || x.dtype === 'int16') {
      if (w.dtype !== 'int8') c.bad(`${x.dtype} input needs int8 weights, got ${w.dtype}`);
      const biasType = x.dtype === 'int8' ? 'int32' : 'int64';
      if (bias !== undefined && bias.dtype !== biasType && !(x.dtype === 'int16' && bias.dtype === 'int32')) {
        c.bad(`${x.dtype} input needs an ${biasType} bias, got ${bias.dtype}`);
      }
      if (out.dtype !== x.dtype) c.bad(`output must be ${x.dtype}, got ${out.dtype}`);
      c.needQuant(x, 'input');
      c.needQuant(w, 'weights');
      c.needQuant(out, 'output');
    } else {
      c.bad(`unsupported input type ${x.dtype}`);
    }
  },
};

/**
 * Quantize: float32 or quantized in, quantized out. int32 with quantization parameters counts as quantized here
 * (TFLite's QUANTIZE requantizes int32 ↔ int16/int8, e.g. a model's int32 output or a 16x8 model's int32 input).
 */
export const quantizesType: DTypeRule = {
  inputTypes: ['float32', ...QUANTIZED_TYPES, 'int32'],
  check(c) {
    const x = c.input(0)!;
    const out = c.output;
    const quantizedInt32 = (t: { dtype: DType; quant?: unknown }): boolean => t.dtype === 'int32' && t.quant !== undefined;
    if (!isQuantizedDType(out.dtype) && !quantizedInt32(out)) c.bad(`output must be int8, uint8, int16 or a quantized int32, got ${out.dtype}`);
    if (x.dtype !== 'float32' && !isQuantizedDType(x.dtype) && !quantizedInt32(x)) c.bad(`input must be float32, quantized or a quantized int32, got ${x.dtype}`);
    if (x.dtype === 'int32' && out.dtype === 'int32') c.bad('int32 → int32 is not a quantization');
    c.needQuant(out, 'output');
  },
};

/** Dequantize: quantized in, float32 out. */
export const dequantizesType: DTypeRule = {
  inputTypes: QUANTIZED_TYPES,
  check(c) {
    const x = c.input(0)!;
    if (c.output.dtype !== 'float32') c.bad(`output must be float32, got ${c.output.dtype}`);
    if (!isQuantizedDType(x.dtype)) c.bad(`input must be int8, uint8 or int16, got ${x.dtype}`);
    c.needQuant(x, 'input');
  },
};

/** Float32 only (input 0), e.g. BatchNorm, which the quantizer folds away. */
export const floatOnly: DTypeRule = {
  inputTypes: ['float32'],
  check(c) {
    const x = c.input(0)!;
    if (x.dtype !== 'float32') c.bad(`only float32 is supported, got ${x.dtype}`);
  },
};

/**
 * Softmax: float32 → float32, int16 → int16, and int8 → int8 or int16 (TFLite's int8 kernel may write an int16
 * output, as the keyword-spotting models do).
 */
export const softmaxTypes: DTypeRule = {
  inputTypes: ['float32', 'int8', 'int16'],
  check(c) {
    const x = c.input(0)!;
    const out = c.output;
    const allowed = x.dtype === 'int8' ? ['int8', 'int16'] : [x.dtype];
    if (!['float32', 'int8', 'int16'].includes(x.dtype)) c.bad(`unsupported type ${x.dtype}`);
    else if (!allowed.includes(out.dtype)) c.bad(`input 0 is ${x.dtype} but the output is ${out.dtype}`);
    if (x.dtype !== 'float32') {
      c.needQuant(x, 'input');
      c.needQuant(out, 'output');
    }
  },
};
