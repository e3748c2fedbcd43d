/**
 * What the recurrent families (lstm.ts, gru.ts) share: the sequence geometry, integer gate layers and products in
 * TFLite Micro's integer-LSTM arithmetic (the reference interpreter's recurrent-common.ts, prepare side), their C
 * initializers and the state-tensor checks.
 */
import { Tensor, tensorBytes } from '@tinyforge/ir';
import { dtypeRange, layerMultipliers, quantizeMultiplier } from '@tinyforge/interpreter';
import { cStruct } from './c-text';
import { LayerWriter, LoweringContext } from './family';
import { optionalInput, typedConstant } from './s16-common';

export interface SequenceDims {
  timeMajor: boolean;
  d0: number;
  d1: number;
  inputSize: number;
  units: number;
}

export const cSequenceDims = (d: SequenceDims): string =>
  cStruct({ time_major: d.timeMajor ? 1 : 0, d0: d.d0, d1: d.d1, input_size: d.inputSize, units: d.units });

export const sequenceInts = (d: SequenceDims): number[] => [d.timeMajor ? 1 : 0, d.d0, d.d1, d.inputSize, d.units];

/** Rows per step: the batch for time-major input, one row otherwise (as the C `tfg_rnn_max_rows`). */
export const maxRows = (d: SequenceDims): number => (d.timeMajor ? Math.max(d.d1, 1) : 1);

export function sequenceDims(ctx: LoweringContext, units: number, timeMajor: boolean): SequenceDims {
  const x = ctx.tensor(ctx.node.inputs[0]);
  if (x.shape.length !== 3) ctx.fail('KERNEL_BAD_SHAPE', `sequence input '${x.name}' must have rank 3`);
  const [d0, d1, inputSize] = x.shape;
  return { timeMajor, d0, d1, inputSize, units };
}

/** An op state tensor the kernel updates in place (the code generator's state region). */
export function stateTensor(ctx: LoweringContext, position: number): number {
  const index = ctx.node.inputs[position];
  const t = ctx.tensor(index);
  if (t.state === undefined) ctx.fail('KERNEL_BAD_SHAPE', `input ${position} ('${t.name}') must be op state`);
  return index;
}

/** One integer gate layer into Q3.12 (the interpreter's integerFc). */
export interface GateFc {
  weights: Int8Array;
  bias32?: Int32Array;
  bias64?: BigInt64Array;
  inputOffset: number;
  multiplier: number;
  shift: number;
}

export function gateFc(ctx: LoweringContext, input: Tensor, weightsAt: number, biasAt: number | undefined, outputScale: number): GateFc {
  const w = ctx.tensor(ctx.node.inputs[weightsAt]);
  const weights = typedConstant(ctx, w, 'int8', 'weights');
  const wq = w.quant;
  if (wq === undefined || wq.scale.length !== 1 || wq.zeroPoint[0] !== 0) ctx.fail('KERNEL_BAD_QUANTIZATION', `weights '${w.name}' must be per-tensor and symmetric`);
  const inQ = input.quant;
  if (inQ === undefined) return ctx.fail('KERNEL_BAD_QUANTIZATION', `'${input.name}' is not quantized`);
  const wide = input.dtype === 'int16';
  const { multipliers, shifts } = layerMultipliers('FullyConnected', Math.fround(inQ.scale[0]), [Math.fround(wq!.scale[0])], outputScale, 1);
  const fc: GateFc = { weights, inputOffset: -inQ.zeroPoint[0], multiplier: multipliers[0], shift: shifts[0] };
  const b = biasAt === undefined ? undefined : optionalInput(ctx, biasAt);
  if (b !== undefined) {
    if (wide) fc.bias64 = typedConstant(ctx, b, 'int64', 'bias');
    else fc.bias32 = typedConstant(ctx, b, 'int32', 'bias');
  }
  return fc;
}

/** One product with an effective scale (the interpreter's integerMul). */
export interface GateMul {
  multiplier: number;
  shift: number;
  outputOffset: number;
  min: number;
  max: number;
}

export function gateMul(in1Scale: number, in2Scale: number, outScale: number, outputOffset: number, dtype: 'int8' | 'int16'): GateMul {
  const { multiplier, shift } = quantizeMultiplier((Math.fround(in1Scale) * Math.fround(in2Scale)) / Math.fround(outScale));
  return { multiplier, shift, outputOffset, ...dtypeRange(dtype) };
}

export const cGateMul = (m: GateMul): string => cStruct({ multiplier: m.multiplier, shift: m.shift, output_offset: m.outputOffset, min: m.min, max: m.max });
export const gateMulInts = (m: GateMul): number[] => [m.multiplier, m.shift, m.outputOffset, m.min, m.max];

/** A gate layer's C initializer, its constant arrays written through `out`. */
export function cGateFc(out: LayerWriter, node: string, name: string, fc: GateFc): string {
  const weights = out.constant(`${name}_w`, 'int8_t', fc.weights, `${node}: ${name} weights`);
  const b32 = fc.bias32 !== undefined ? out.constant(`${name}_b`, 'int32_t', fc.bias32, `${node}: ${name} bias`) : '0';
  const b64 = fc.bias64 !== undefined ? out.constant(`${name}_b`, 'int64_t', fc.bias64, `${node}: ${name} bias`) : '0';
  return cStruct({ weights, bias32: b32, bias64: b64, input_offset: fc.inputOffset, multiplier: fc.multiplier, shift: fc.shift });
}

/** A gate layer in the vector format: 4 ints (bias kind 0/1 int32/2 int64, offset, multiplier, shift) and 2 blobs. */
export const gateFcInts = (fc: GateFc): number[] => [fc.bias64 !== undefined ? 2 : fc.bias32 !== undefined ? 1 : 0, fc.inputOffset, fc.multiplier, fc.shift];

/** A float32 constant operand (weights, bias) or undefined for an absent optional one. */
export function floatConstant(ctx: LoweringContext, position: number): Float32Array | undefined {
  const t = optionalInput(ctx, position);
  return t === undefined ? undefined : typedConstant(ctx, t, 'float32', 'float operand');
}

/** A state tensor's initial bytes: its int8 zero point, else zero (TFLite Micro's ResetVariableTensors). */
export function stateResetByte(t: Tensor): number {
  return t.dtype === 'int8' && t.quant !== undefined ? t.quant.zeroPoint[0] & 0xff : 0;
}

export const stateResetBytes = (t: Tensor): Uint8Array => new Uint8Array(tensorBytes(t)).fill(stateResetByte(t));
