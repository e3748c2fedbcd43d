import { DType } from '../dtype';
import { elementCount, shapeToString, Tensor } from '../tensor';
import { DTypeContext, DTypeRule, NoAttrs, ShapeContext, attr, defineOp } from './op-def';

/**
 * TFLite Micro's Signal library ops (the audio front end of micro_speech: tensorflow/lite/micro signal/), on plain
 * integers: int16 samples and spectra, uint32 energies, uint64 filter bank sums; nothing here is quantized. Two of
 * the library's ops have two outputs; the IR gives every node one, so each is two nodes computing the same values:
 * FFT_AUTO_SCALE is SignalFftScaleBits (the shift) + SignalFftAutoScale (the shifted samples), and
 * FILTER_BANK_SPECTRAL_SUBTRACTION is SignalNoiseEstimate (the running noise estimate, kept as op state) +
 * SignalSpectralSubtraction (the signal less that estimate).
 */

/** Inputs `types[i]` in order, and the output `output`; no quantization anywhere. */
function fixedTypes(inputs: readonly (DType | undefined)[], output: DType): DTypeRule {
  return {
    inputTypes: inputs[0] === undefined ? 'any' : [inputs[0]],
    check(c: DTypeContext) {
      inputs.forEach((want, i) => {
        const t = c.input(i);
        if (want !== undefined && t !== undefined && t.dtype !== want) c.bad(`input ${i} must be ${want}, got ${t.dtype}`);
      });
      if (c.output.dtype !== output) c.bad(`the output must be ${output}, got ${c.output.dtype}`);
    },
  };
}

const vectorOf = (c: ShapeContext<unknown>, t: Tensor, what: string): number => {
  if (t.shape.length < 1) c.fail(`${what} must have at least one dimension, got ${shapeToString(t.shape)}`);
  return t.shape[t.shape.length - 1];
};

const scalar = (c: ShapeContext<unknown>, t: Tensor, what: string): void => {
  if (elementCount(t.shape) !== 1) c.fail(`${what} must be one value, got ${shapeToString(t.shape)}`);
};

/** SignalWindow: each frame of x (the window's length) times the window, >> shift, saturated to int16. */
export const SIGNAL_WINDOW = defineOp<{ shift: number }>()({
  arity: [2, 2],
  attrs: { shift: attr.int() },
  dtypes: fixedTypes(['int16', 'int16'], 'int16'),
  inferShape(c) {
    const n = elementCount(c.input(1).shape);
    if (n === 0 || elementCount(c.input(0).shape) % n !== 0) c.fail(`the input ${shapeToString(c.input(0).shape)} is not whole frames of the ${n}-sample window`);
    if (c.attrs.shift < 0 || c.attrs.shift > 31) c.fail(`shift ${c.attrs.shift} is not 0…31`);
    return [...c.input(0).shape];
  },
  macs: (c) => c.outputElements,
  parametersFrom: 1,
});

/** SignalFftScaleBits: the left shift that brings max |x| to the top of int16 (0 when it is there already). */
export const SIGNAL_FFT_SCALE_BITS = defineOp<NoAttrs>()({
  arity: [1, 1],
  attrs: {},
  dtypes: fixedTypes(['int16'], 'int32'),
  inferShape: () => [],
});

/** SignalFftAutoScale: x << scale bits (input 1, from SignalFftScaleBits of the same x). */
export const SIGNAL_FFT_AUTO_SCALE = defineOp<NoAttrs>()({
  arity: [2, 2],
  attrs: {},
  dtypes: fixedTypes(['int16', 'int32'], 'int16'),
  inferShape(c) {
    scalar(c, c.input(1), 'the scale bits');
    return [...c.input(0).shape];
  },
});

/**
 * SignalRfft: the real FFT of each frame (last axis) zero-padded to fftLength, as KISS FFT's 16-bit fixed point
 * computes it (each radix stage divides by its radix): fftLength / 2 + 1 bins as interleaved (real, imaginary).
 */
export const SIGNAL_RFFT = defineOp<{ fftLength: number }>()({
  arity: [1, 1],
  attrs: { fftLength: attr.positiveInt() },
  dtypes: fixedTypes(['int16'], 'int16'),
  inferShape(c) {
    const n = c.attrs.fftLength;
    if (n < 4 || (n & (n - 1)) !== 0) c.fail(`fft_length ${n} is not a power of two of at least 4`);
    const frame = vectorOf(c, c.input(0), 'the input');
    if (frame > n) c.fail(`frames of ${frame} samples do not fit fft_length ${n}`);
    return [...c.input(0).shape.slice(0, -1), (n / 2 + 1) * 2];
  },
  macs: (c) => {
    const n = c.attrs.fftLength;
    return (n / 2) * Math.log2(n / 2) * 2 * (elementCount(c.inputShape(0)) / c.inputShape(0)[c.inputShape(0).length - 1]);
  },
});

/** SignalEnergy: re² + im² of bins startIndex…endIndex-1 of an interleaved spectrum; other bins are 0. */
export const SIGNAL_ENERGY = defineOp<{ startIndex: number; endIndex: number }>()({
  arity: [1, 1],
  attrs: { startIndex: attr.int(), endIndex: attr.int() },
  dtypes: fixedTypes(['int16'], 'uint32'),
  inferShape(c) {
    const n = elementCount(c.input(0).shape);
    if (n % 2 !== 0) c.fail(`a spectrum of ${n} values is not (real, imaginary) pairs`);
    const { startIndex, endIndex } = c.attrs;
    if (startIndex < 0 || endIndex < startIndex || endIndex > n / 2) c.fail(`bins ${startIndex}…${endIndex} are not within the ${n / 2} bins`);
    return [n / 2];
  },
  macs: (c) => 2 * (c.attrs.endIndex - c.attrs.startIndex),
});

export const SIGNAL_FILTER_BANK_INPUT = { input: 0, weights: 1, unweights: 2, channelFrequencyStarts: 3, channelWeightStarts: 4, channelWidths: 5 } as const;

/**
 * SignalFilterBank: triangular mel channels over a uint32 spectrum, uint64 sums. Each of the numChannels + 1 bands
 * adds weights × energy to its channel and unweights × energy to the next; the first band's sum is dropped.
 */
export const SIGNAL_FILTER_BANK = defineOp<{ numChannels: number }>()({
  arity: [6, 6],
  attrs: { numChannels: attr.positiveInt() },
  dtypes: fixedTypes(['uint32', 'int16', 'int16', 'int16', 'int16', 'int16'], 'uint64'),
  inferShape(c) {
    const bands = c.attrs.numChannels + 1;
    const spectrum = elementCount(c.input(0).shape);
    const weights = elementCount(c.input(SIGNAL_FILTER_BANK_INPUT.weights).shape);
    if (elementCount(c.input(SIGNAL_FILTER_BANK_INPUT.unweights).shape) !== weights) c.fail('weights and unweights differ in length');
    const starts = c.constInts(SIGNAL_FILTER_BANK_INPUT.channelFrequencyStarts, 'channel frequency starts');
    const weightStarts = c.constInts(SIGNAL_FILTER_BANK_INPUT.channelWeightStarts, 'channel weight starts');
    const widths = c.constInts(SIGNAL_FILTER_BANK_INPUT.channelWidths, 'channel widths');
    for (const [what, v] of [['channel frequency starts', starts], ['channel weight starts', weightStarts], ['channel widths', widths]] as const) {
      if (v.length !== bands) c.fail(`${what} has ${v.length} values, expected ${bands} (num_channels + 1)`);
    }
    for (let i = 0; i < bands; i++) {
      if (widths[i] < 0 || starts[i] < 0 || weightStarts[i] < 0) c.fail(`band ${i} has a negative start or width`);
      if (starts[i] + widths[i] > spectrum) c.fail(`band ${i} reads bins ${starts[i]}…${starts[i] + widths[i] - 1} of ${spectrum}`);
      if (weightStarts[i] + widths[i] > weights) c.fail(`band ${i} reads weights ${weightStarts[i]}…${weightStarts[i] + widths[i] - 1} of ${weights}`);
    }
    return [c.attrs.numChannels];
  },
  macs: (c) => 2 * c.inputShape(SIGNAL_FILTER_BANK_INPUT.weights).reduce((p, d) => p * d, 1),
  parametersFrom: 1,
});

/** SignalFilterBankSquareRoot: the integer square root of each uint64 sum (rounded), >> scale bits (input 1). */
export const SIGNAL_FILTER_BANK_SQUARE_ROOT = defineOp<NoAttrs>()({
  arity: [2, 2],
  attrs: {},
  dtypes: fixedTypes(['uint64', 'int32'], 'uint32'),
  inferShape(c) {
    scalar(c, c.input(1), 'the scale bits');
    return [...c.input(0).shape];
  },
});

/** The smoothing constants of FILTER_BANK_SPECTRAL_SUBTRACTION (even channels: smoothing; odd: alternate). */
export interface NoiseEstimateAttrs {
  smoothing: number;
  oneMinusSmoothing: number;
  alternateSmoothing: number;
  alternateOneMinusSmoothing: number;
  smoothingBits: number;
  spectralSubtractionBits: number;
  clamping: boolean;
}

const noiseAttrs = {
  smoothing: attr.int(),
  oneMinusSmoothing: attr.int(),
  alternateSmoothing: attr.int(),
  alternateOneMinusSmoothing: attr.int(),
  smoothingBits: attr.int(),
  spectralSubtractionBits: attr.int(),
  clamping: attr.bool(),
};

function checkBits(c: ShapeContext<{ smoothingBits: number; spectralSubtractionBits: number }>): void {
  for (const [what, v] of [['smoothing_bits', c.attrs.smoothingBits], ['spectral_subtraction_bits', c.attrs.spectralSubtractionBits]] as const) {
    if (!Number.isInteger(v) || v < 0 || v > 31) c.fail(`${what} ${v} is not 0…31`);
  }
}

/**
 * SignalNoiseEstimate: updates the running per-channel noise estimate (input 1, op state that persists across
 * invocations, zero at reset) from the channel energies and outputs it.
 */
export const SIGNAL_NOISE_ESTIMATE = defineOp<NoiseEstimateAttrs>()({
  arity: [2, 2],
  attrs: noiseAttrs,
  dtypes: fixedTypes(['uint32', 'uint32'], 'uint32'),
  inferShape(c) {
    checkBits(c);
    const state = c.input(1);
    if (state.state !== 'persistent') c.fail(`the noise estimate '${state.name}' must be persistent op state`);
    if (elementCount(state.shape) !== elementCount(c.input(0).shape)) c.fail(`the noise estimate has ${elementCount(state.shape)} channels, the input ${elementCount(c.input(0).shape)}`);
    return [...c.input(0).shape];
  },
});

/** SignalSpectralSubtraction: each channel less its noise estimate (input 1), floored at a fraction of itself. */
export const SIGNAL_SPECTRAL_SUBTRACTION = defineOp<{ minSignalRemaining: number; smoothingBits: number; spectralSubtractionBits: number }>()({
  arity: [2, 2],
  attrs: { minSignalRemaining: attr.int(), smoothingBits: attr.int(), spectralSubtractionBits: attr.int() },
  dtypes: fixedTypes(['uint32', 'uint32'], 'uint32'),
  inferShape(c) {
    checkBits(c);
    if (elementCount(c.input(1).shape) !== elementCount(c.input(0).shape)) c.fail('the noise estimate and the input differ in length');
    return [...c.input(0).shape];
  },
});

/** SignalPcan: per-channel automatic gain control from the noise estimate (input 1) through a gain table (input 2). */
export const SIGNAL_PCAN = defineOp<{ snrShift: number }>()({
  arity: [3, 3],
  parametersFrom: 2,
  attrs: { snrShift: attr.int() },
  dtypes: fixedTypes(['uint32', 'uint32', 'int16'], 'uint32'),
  inferShape(c) {
    if (c.attrs.snrShift < 0 || c.attrs.snrShift > 63) c.fail(`snr_shift ${c.attrs.snrShift} is not 0…63`);
    if (elementCount(c.input(1).shape) !== elementCount(c.input(0).shape)) c.fail('the noise estimate and the input differ in length');
    // The gain table's segments: 3 entries for 0…2, then 4 per octave up to 2^31 (WideDynamicFunction).
    if (elementCount(c.input(2).shape) < 4 * 32 - 6 + 3) c.fail(`the gain table has ${elementCount(c.input(2).shape)} entries, needs ${4 * 32 - 6 + 3}`);
    return [...c.input(0).shape];
  },
});

/** SignalFilterBankLog: outputScale · ln(x << correction bits) in fixed point, saturated to int16 (0 for x ≤ 1). */
export const SIGNAL_FILTER_BANK_LOG = defineOp<{ inputCorrectionBits: number; outputScale: number }>()({
  arity: [1, 1],
  attrs: { inputCorrectionBits: attr.int(), outputScale: attr.int() },
  dtypes: fixedTypes(['uint32'], 'int16'),
  inferShape(c) {
    if (c.attrs.inputCorrectionBits < 0 || c.attrs.inputCorrectionBits > 31) c.fail(`input_correction_bits ${c.attrs.inputCorrectionBits} is not 0…31`);
    return [...c.input(0).shape];
  },
});

/**
 * FeatureWindow: the last `rows` feature rows of a stream (the spectrogram a keyword classifier reads), kept as
 * persistent op state (input 1, [rows, features], of x's type and quantization): each run drops the oldest row,
 * appends x (one row of `features` values) and outputs the window, oldest row first. `stride`: the nodes that read the
 * window (the classifier of a pipeline, see `pipelineSchedule`) run on every stride-th run only; 1 runs them always.
 */
export const FEATURE_WINDOW = defineOp<{ stride: number }>()({
  arity: [2, 2],
  attrs: { stride: attr.positiveInt() },
  dtypes: {
    inputTypes: 'any',
    check(c: DTypeContext) {
      const [x, state] = [c.input(0), c.input(1)];
      if (x !== undefined && state !== undefined && state.dtype !== x.dtype) c.bad(`the window '${state.name}' is ${state.dtype}, the row ${x.dtype}`);
      if (x !== undefined && c.output.dtype !== x.dtype) c.bad(`the output must be ${x.dtype}, got ${c.output.dtype}`);
    },
  },
  inferShape(c) {
    const state = c.input(1);
    if (state.state !== 'persistent') c.fail(`the window '${state.name}' must be persistent op state`);
    if (state.shape.length !== 2) c.fail(`the window must be [rows, features], got ${shapeToString(state.shape)}`);
    if (elementCount(c.input(0).shape) !== state.shape[1]) c.fail(`the row has ${elementCount(c.input(0).shape)} values, the window's rows ${state.shape[1]}`);
    return [...state.shape];
  },
});
