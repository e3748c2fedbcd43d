import { Node, Tensor } from '@tinyforge/ir';
import { ModelFormatError } from '../errors';
import { FlexValue, readFlexbufferMap } from './flexbuffer';

/**
 * TFLite Micro's Signal library custom operators (signal/micro/kernels/*.cc: custom code "Signal…", options in a
 * FlexBuffers map keyed by the names below) → IR nodes. FFT_AUTO_SCALE and FILTER_BANK_SPECTRAL_SUBTRACTION have two
 * outputs and become two nodes each (see ir ops/signal.ts); the spectral subtraction's noise estimate, which TFLite
 * Micro keeps inside the op across invocations (zero at reset), becomes a persistent state tensor.
 */
export interface SignalOpContext {
  label: string;
  file?: string;
  offset: number;
  name: string;
  inputs: readonly number[];
  outputs: readonly number[];
  tensors: readonly Tensor[];
  /** Adds a tensor to the graph (op state), returning its index. */
  addTensor(t: Tensor): number;
}

type Options = Record<string, FlexValue>;
type SignalReader = (o: Options, c: SignalOpContext) => Node[];

export function signalOpNodes(custom: string, optionBytes: Uint8Array | undefined, c: SignalOpContext): Node[] | undefined {
  const read = SIGNAL_READERS[custom];
  if (read === undefined) return undefined;
  const options = optionBytes === undefined || optionBytes.length === 0 ? {} : readFlexbufferMap(optionBytes, { file: c.file, offset: c.offset, what: `${c.label} custom options` });
  return read(options, c);
}

function fail(c: SignalOpContext, message: string): never {
  throw new ModelFormatError('FORMAT_MALFORMED', `${c.label}: ${message}`, { file: c.file, offset: c.offset });
}

function arity(c: SignalOpContext, inputs: number, outputs: number): void {
  if (c.inputs.length !== inputs || c.inputs.some((t) => t < 0)) fail(c, `takes ${inputs} inputs, got ${c.inputs.length}`);
  if (c.outputs.length !== outputs) fail(c, `gives ${outputs} outputs, got ${c.outputs.length}`);
}

function int(o: Options, key: string, c: SignalOpContext): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isInteger(v)) return fail(c, `option '${key}' must be an integer, got ${JSON.stringify(v)}`);
  // TFLite Micro reads every option with ElementAsInt32.
  return v | 0;
}

function bool(o: Options, key: string, c: SignalOpContext): boolean {
  const v = o[key];
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  return fail(c, `option '${key}' must be a boolean, got ${JSON.stringify(v)}`);
}

const node = (name: string, op: Node['op'], attrs: object, inputs: readonly number[], outputs: readonly number[]): Node =>
  ({ name, op, attrs, inputs: [...inputs], outputs: [...outputs] }) as Node;

const SIGNAL_READERS: Record<string, SignalReader> = {
  SignalWindow: (o, c) => {
    arity(c, 2, 1);
    return [node(c.name, 'SignalWindow', { shift: int(o, 'shift', c) }, c.inputs, c.outputs)];
  },
  SignalFftAutoScale: (_o, c) => {
    arity(c, 1, 2);
    const [shifted, bits] = c.outputs;
    return [
      node(`${c.name}/scale_bits`, 'SignalFftScaleBits', {}, c.inputs, [bits]),
      node(c.name, 'SignalFftAutoScale', {}, [c.inputs[0], bits], [shifted]),
    ];
  },
  SignalRfft: (o, c) => {
    arity(c, 1, 1);
    // T is the TensorType of the samples; only INT16 (7), the fixed-point FFT, is supported.
    if (o.T !== undefined && o.T !== 7) throw new ModelFormatError('FORMAT_UNSUPPORTED', `${c.label}: only the int16 FFT is supported (T = ${JSON.stringify(o.T)})`, { file: c.file, offset: c.offset });
    return [node(c.name, 'SignalRfft', { fftLength: int(o, 'fft_length', c) }, c.inputs, c.outputs)];
  },
  SignalEnergy: (o, c) => {
    arity(c, 1, 1);
    return [node(c.name, 'SignalEnergy', { startIndex: int(o, 'start_index', c), endIndex: int(o, 'end_index', c) }, c.inputs, c.outputs)];
  },
  SignalFilterBank: (o, c) => {
    arity(c, 6, 1);
    return [node(c.name, 'SignalFilterBank', { numChannels: int(o, 'num_channels', c) }, c.inputs, c.outputs)];
  },
  SignalFilterBankSquareRoot: (_o, c) => {
    arity(c, 2, 1);
    return [node(c.name, 'SignalFilterBankSquareRoot', {}, c.inputs, c.outputs)];
  },
  SignalFilterBankSpectralSubtraction: (o, c) => {
    arity(c, 1, 2);
    const [output, noise] = c.outputs;
    const channels = int(o, 'num_channels', c);
    const input = c.tensors[c.inputs[0]];
    if (input.shape.reduce((p, d) => p * d, 1) !== channels) fail(c, `num_channels ${channels} but the input is [${input.shape.join(', ')}]`);
    const state = c.addTensor({ name: `${c.name}/noise_estimate_state`, shape: [channels], dtype: 'uint32', state: 'persistent' });
    const bits = { smoothingBits: int(o, 'smoothing_bits', c), spectralSubtractionBits: int(o, 'spectral_subtraction_bits', c) };
    const estimate = {
      smoothing: int(o, 'smoothing', c),
      oneMinusSmoothing: int(o, 'one_minus_smoothing', c),
      alternateSmoothing: int(o, 'alternate_smoothing', c),
      alternateOneMinusSmoothing: int(o, 'alternate_one_minus_smoothing', c),
      ...bits,
      clamping: bool(o, 'clamping', c),
    };
    return [
      node(`${c.name}/noise_estimate`, 'SignalNoiseEstimate', estimate, [c.inputs[0], state], [noise]),
      node(c.name, 'SignalSpectralSubtraction', { minSignalRemaining: int(o, 'min_signal_remaining', c), ...bits }, [c.inputs[0], noise], [output]),
    ];
  },
  SignalPCAN: (o, c) => {
    arity(c, 3, 1);
    return [node(c.name, 'SignalPcan', { snrShift: int(o, 'snr_shift', c) }, c.inputs, c.outputs)];
  },
  SignalFilterBankLog: (o, c) => {
    arity(c, 1, 1);
    return [node(c.name, 'SignalFilterBankLog', { inputCorrectionBits: int(o, 'input_correction_bits', c), outputScale: int(o, 'output_scale', c) }, c.inputs, c.outputs)];
  },
};
