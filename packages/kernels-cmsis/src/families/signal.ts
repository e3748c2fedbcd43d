/**
 * TFLite Micro's Signal library ops (the micro_speech audio front end, src/signal/tfg_signal.c) and the plain int32
 * arithmetic and casts around them (src/elementwise/tfg_int32.c). Nothing is quantized. The FFT's twiddles and the
 * log table are computed once, in the interpreter (kissFftrTables, LOG_LUT), and emitted as constants, so the C
 * needs no libm and agrees with the reference bit for bit.
 */
import { DType, Graph, Node, NodeOf, NodeTable, elementCount, handlerFor, tensorBytes } from '@tinyforge/ir';
import { LOG_LUT, kissFftrTables } from '@tinyforge/interpreter';
import { cPtr, cStruct } from './c-text';
import { CallBase, LoweringContext, defineFamily } from './family';

type SignalKernel =
  | 'tfg_signal_window'
  | 'tfg_signal_fft_scale_bits'
  | 'tfg_signal_fft_auto_scale'
  | 'tfg_signal_rfft'
  | 'tfg_signal_energy'
  | 'tfg_signal_filter_bank'
  | 'tfg_signal_filter_bank_sqrt'
  | 'tfg_signal_noise_estimate'
  | 'tfg_signal_spectral_subtraction'
  | 'tfg_signal_pcan'
  | 'tfg_signal_filter_bank_log'
  | 'tfg_int32_binary'
  | 'tfg_cast_int'
  | 'tfg_feature_window';

export interface SignalCall extends CallBase {
  kernel: SignalKernel;
  /** Every input tensor (constants included), in the node's order. */
  operands: number[];
  /** Integer parameters, per kernel (see emit). */
  ints: number[];
}

const KERNEL_OF: Record<string, SignalKernel> = {
  SignalWindow: 'tfg_signal_window',
  SignalFftScaleBits: 'tfg_signal_fft_scale_bits',
  SignalFftAutoScale: 'tfg_signal_fft_auto_scale',
  SignalRfft: 'tfg_signal_rfft',
  SignalEnergy: 'tfg_signal_energy',
  SignalFilterBank: 'tfg_signal_filter_bank',
  SignalFilterBankSquareRoot: 'tfg_signal_filter_bank_sqrt',
  SignalNoiseEstimate: 'tfg_signal_noise_estimate',
  SignalSpectralSubtraction: 'tfg_signal_spectral_subtraction',
  SignalPcan: 'tfg_signal_pcan',
  SignalFilterBankLog: 'tfg_signal_filter_bank_log',
  Add: 'tfg_int32_binary',
  Sub: 'tfg_int32_binary',
  Mul: 'tfg_int32_binary',
  Div: 'tfg_int32_binary',
  Minimum: 'tfg_int32_binary',
  Maximum: 'tfg_int32_binary',
  Cast: 'tfg_cast_int',
  FeatureWindow: 'tfg_feature_window',
};

/** tfg_int32_binary's op codes. */
const BINARY_CODE: Record<string, number> = { Add: 0, Sub: 1, Mul: 2, Div: 3, Minimum: 4, Maximum: 5 };
/** tfg_cast_int's element type codes. */
const CAST_CODE: Partial<Record<DType, number>> = { int8: 1, int16: 2, int32: 4, uint32: 5 };

const SIGNAL_OPS = ['FeatureWindow', 'SignalWindow', 'SignalFftScaleBits', 'SignalFftAutoScale', 'SignalRfft', 'SignalEnergy', 'SignalFilterBank', 'SignalFilterBankSquareRoot', 'SignalNoiseEstimate', 'SignalSpectralSubtraction', 'SignalPcan', 'SignalFilterBankLog'] as const;

/** Plain int32 arithmetic (no quantization) and integer casts; the int8/int16 families take the quantized ones. */
function takes(graph: Graph, node: Node): boolean {
  if (node.op === 'Cast') return true;
  if (node.op in BINARY_CODE) return graph.tensors[node.inputs[0]]?.dtype === 'int32' && graph.tensors[node.inputs[0]]?.quant === undefined;
  return true;
}

function noiseInts(a: NodeOf<'SignalNoiseEstimate'>['attrs'] | NodeOf<'SignalSpectralSubtraction'>['attrs']): number[] {
  const e = a as Partial<NodeOf<'SignalNoiseEstimate'>['attrs']> & Partial<NodeOf<'SignalSpectralSubtraction'>['attrs']>;
  return [e.smoothing ?? 0, e.oneMinusSmoothing ?? 0, e.alternateSmoothing ?? 0, e.alternateOneMinusSmoothing ?? 0, e.minSignalRemaining ?? 0, a.smoothingBits, a.spectralSubtractionBits, e.clamping ? 1 : 0];
}

const sizeOf = (ctx: LoweringContext, t: number): number => elementCount(ctx.tensor(t).shape);
const outputSize = (ctx: LoweringContext): number => sizeOf(ctx, ctx.node.outputs[0]);
const inputSize = (n: Node, ctx: LoweringContext): number[] => [sizeOf(ctx, n.inputs[0])];

function binaryInts(n: NodeOf<'Add' | 'Sub' | 'Mul' | 'Div' | 'Minimum' | 'Maximum'>, ctx: LoweringContext): number[] {
  const [a, b] = [ctx.tensor(n.inputs[0]), ctx.tensor(n.inputs[1])];
  for (const t of [a, b, ctx.tensor(n.outputs[0])]) if (t.dtype !== 'int32' || t.quant !== undefined) ctx.fail('KERNEL_UNSUPPORTED_TYPE', `plain int32 ${n.op} only, '${t.name}' is ${t.dtype}${t.quant ? ' (quantized)' : ''}`);
  if (n.attrs.activation !== 'none') ctx.fail('KERNEL_UNSUPPORTED_OP', `fused ${n.attrs.activation} on int32 ${n.op}`);
  const [size, bSize] = [outputSize(ctx), elementCount(b.shape)];
  if (elementCount(a.shape) !== size || (bSize !== 1 && bSize !== size)) ctx.fail('KERNEL_UNSUPPORTED_OP', `int32 ${n.op} broadcasts only a one-value second operand`);
  return [size, BINARY_CODE[n.op], bSize];
}

/** Each op's integer parameters (what emit reads as c.ints). */
const PARAMETERS: Partial<NodeTable<number[], [LoweringContext]>> = {
  SignalWindow: (n, ctx) => [outputSize(ctx), sizeOf(ctx, n.inputs[1]), n.attrs.shift],
  SignalFftScaleBits: inputSize,
  SignalFftAutoScale: inputSize,
  SignalFilterBankSquareRoot: inputSize,
  SignalRfft: (n, ctx) => {
    const x = ctx.tensor(n.inputs[0]);
    const frame = x.shape[x.shape.length - 1];
    return [n.attrs.fftLength, frame, elementCount(x.shape) / frame];
  },
  SignalEnergy: (n, ctx) => [outputSize(ctx), n.attrs.startIndex, n.attrs.endIndex],
  SignalFilterBank: (n) => [n.attrs.numChannels],
  SignalNoiseEstimate: (n, ctx) => [outputSize(ctx), ...noiseInts(n.attrs)],
  SignalSpectralSubtraction: (n, ctx) => [outputSize(ctx), ...noiseInts(n.attrs)],
  SignalPcan: (n, ctx) => [outputSize(ctx), n.attrs.snrShift],
  SignalFilterBankLog: (n, ctx) => [outputSize(ctx), n.attrs.inputCorrectionBits, n.attrs.outputScale],
  FeatureWindow: (n, ctx) => {
    const window = ctx.tensor(n.inputs[1]);
    return [tensorBytes(window) / window.shape[0], window.shape[0]];
  },
  Cast: (n, ctx) => {
    const [from, to] = [ctx.tensor(n.inputs[0]).dtype, ctx.tensor(n.outputs[0]).dtype];
    const codes = [CAST_CODE[from], CAST_CODE[to]];
    if (codes[0] === undefined || codes[1] === undefined) return ctx.fail('KERNEL_UNSUPPORTED_TYPE', `no C cast from ${from} to ${to}`);
    return [outputSize(ctx), codes[0], codes[1]];
  },
  Add: binaryInts,
  Sub: binaryInts,
  Mul: binaryInts,
  Div: binaryInts,
  Minimum: binaryInts,
  Maximum: binaryInts,
};

export const signalFamily = defineFamily<SignalCall>({
  name: 'signal',
  ops: [...SIGNAL_OPS, 'Add', 'Sub', 'Mul', 'Div', 'Minimum', 'Maximum', 'Cast'],
  takes,
  kernels: Object.fromEntries(Object.values(KERNEL_OF).map((k) => [k, 35])) as Record<SignalKernel, number>,
  lower(ctx) {
    const { node } = ctx;
    const kernel = KERNEL_OF[node.op] ?? ctx.fail('KERNEL_UNSUPPORTED_OP', `no kernel for ${node.op}`);
    const operands = [...node.inputs];
    // Activation inputs: what is not a constant (the noise estimate's op state is written in place).
    const inputs = operands.filter((t) => ctx.tensor(t).data === undefined);
    return { kernel, node: node.name, output: node.outputs[0], inputs, operands, ints: handlerFor(PARAMETERS, node)!(node, ctx) };
  },
  emit(c, out) {
    const [p0, p1, p2] = c.ints;
    const x = (k: number, ctype: string, writable = false): string => cPtr(out.at(c.operands[k]), ctype, writable);
    const y = (ctype: string): string => cPtr(out.at(c.output), ctype, true);
    switch (c.kernel) {
      case 'tfg_signal_window':
        out.line(`return tfg_signal_window(${x(0, 'int16_t')}, ${x(1, 'int16_t')}, ${p0}, ${p1}, ${p2}, ${y('int16_t')});`);
        return;
      case 'tfg_signal_fft_scale_bits':
        out.line(`return tfg_signal_fft_scale_bits(${x(0, 'int16_t')}, ${p0}, ${y('int32_t')});`);
        return;
      case 'tfg_signal_fft_auto_scale':
        out.line(`return tfg_signal_fft_auto_scale(${x(0, 'int16_t')}, ${x(1, 'int32_t')}, ${p0}, ${y('int16_t')});`);
        return;
      case 'tfg_signal_rfft': {
        const t = kissFftrTables(p0);
        const tw = out.constant('twiddles', 'int16_t', t.twiddles, `${c.node}: FFT twiddles`);
        const stw = out.constant('super_twiddles', 'int16_t', t.superTwiddles, `${c.node}: real FFT split twiddles`);
        const factors = out.constant('factors', 'int32_t', Int32Array.from(t.factors), `${c.node}: FFT radix stages`);
        out.line(`static const tfg_signal_rfft_params params = ${cStruct({ fft_length: p0, frame: p1, frames: p2, twiddles: tw, super_twiddles: stw, factors })};`);
        out.line(`return tfg_signal_rfft(&params, ${x(0, 'int16_t')}, ${y('int16_t')});`);
        return;
      }
      case 'tfg_signal_energy':
        out.line(`return tfg_signal_energy(${x(0, 'int16_t')}, ${p0}, ${p1}, ${p2}, ${y('uint32_t')});`);
        return;
      case 'tfg_signal_filter_bank': {
        const fields = { num_channels: p0, weights: x(1, 'int16_t'), unweights: x(2, 'int16_t'), frequency_starts: x(3, 'int16_t'), weight_starts: x(4, 'int16_t'), widths: x(5, 'int16_t') };
        out.line(`const tfg_signal_filter_bank_params params = ${cStruct(fields)};`);
        out.line(`return tfg_signal_filter_bank(&params, ${x(0, 'uint32_t')}, ${y('uint64_t')});`);
        return;
      }
      case 'tfg_signal_filter_bank_sqrt':
        out.line(`return tfg_signal_filter_bank_sqrt(${x(0, 'uint64_t')}, ${x(1, 'int32_t')}, ${p0}, ${y('uint32_t')});`);
        return;
      case 'tfg_signal_noise_estimate':
      case 'tfg_signal_spectral_subtraction': {
        const [, s, oms, as, aoms, msr, sb, ssb, clamp] = c.ints;
        const fields = { smoothing: `${s}u`, one_minus_smoothing: `${oms}u`, alternate_smoothing: `${as}u`, alternate_one_minus_smoothing: `${aoms}u`, min_signal_remaining: `${msr}u`, smoothing_bits: sb, spectral_subtraction_bits: ssb, clamping: clamp };
        out.line(`static const tfg_signal_noise_params params = ${cStruct(fields)};`);
        const second = c.kernel === 'tfg_signal_noise_estimate' ? x(1, 'uint32_t', true) : x(1, 'uint32_t');
        out.line(`return ${c.kernel}(&params, ${x(0, 'uint32_t')}, ${second}, ${p0}, ${y('uint32_t')});`);
        return;
      }
      case 'tfg_signal_pcan':
        out.line(`return tfg_signal_pcan(${x(0, 'uint32_t')}, ${x(1, 'uint32_t')}, ${x(2, 'int16_t')}, ${p0}, ${p1}, ${y('uint32_t')});`);
        return;
      case 'tfg_signal_filter_bank_log': {
        const lut = out.constant('log_lut', 'int16_t', Int16Array.from(LOG_LUT), `${c.node}: log2 fraction table`);
        out.line(`return tfg_signal_filter_bank_log(${x(0, 'uint32_t')}, ${p0}, ${p1}, ${p2}, (const uint16_t *)(const void *)${lut}, ${y('int16_t')});`);
        return;
      }
      case 'tfg_int32_binary':
        out.line(`return tfg_int32_binary(${p1}, ${x(0, 'int32_t')}, ${x(1, 'int32_t')}, ${p0}, ${p2}, ${y('int32_t')});`);
        return;
      case 'tfg_feature_window':
        out.line(`return tfg_feature_window(${cPtr(out.at(c.operands[0]), 'void', false)}, ${cPtr(out.at(c.operands[1]), 'void', true)}, ${p0}, ${p1}, ${cPtr(out.at(c.output), 'void', true)});`);
        return;
      case 'tfg_cast_int':
        out.line(`return tfg_cast_int(${cPtr(out.at(c.operands[0]), 'void', false)}, ${p1}, ${cPtr(out.at(c.output), 'void', true)}, ${p2}, ${p0});`);
        return;
    }
  },
  vector(c) {
    // These kernels are tested through whole models against the reference interpreter (audio front end specs); the
    // single-kernel vector driver does not run them.
    throw new RangeError(`${c.kernel} has no vector format: the signal family is tested through whole models`);
  },
});
