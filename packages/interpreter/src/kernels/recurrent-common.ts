import { Tensor } from '@tinyforge/ir';
import { multiplyByQuantizedMultiplier, quantizeMultiplier } from '../fixed-point';
import { multiplyByQuantizedMultiplierInt64 } from '../int16-fixed-point';
import { layerMultipliers } from '../quant-params';
import { KernelContext } from './context';
import { constantArray, floatWeights } from './weights';

/**
 * The building blocks of the recurrent kernels (LSTM, GRU): stepping through a sequence as TFLite Micro's
 * LstmStepManager does, and the integer gate arithmetic of its integer LSTM (fully connected layers to an int16
 * gate, saturating int16 adds, int16 multiplies with one effective scale).
 */

/** One step of a sequence op: the rows (batch entries) it computes and where they sit in input, output and state. */
export interface Step {
  rows: number;
  inputOffset: number;
  outputOffset: number;
  stateOffset: number;
}

/**
 * The steps in TFLite Micro's order: time-major input runs every batch entry at each time step; batch-major runs
 * batch entry by batch entry, each through all time steps, with its own slice of the state.
 */
export function sequenceSteps(shape: readonly number[], timeMajor: boolean, units: number): Step[] {
  const [d0, d1, features] = shape;
  const [time, batch] = timeMajor ? [d0, d1] : [d1, d0];
  const steps: Step[] = [];
  if (timeMajor) {
    for (let t = 0; t < time; t++) steps.push({ rows: batch, inputOffset: t * batch * features, outputOffset: t * batch * units, stateOffset: 0 });
  } else {
    for (let b = 0; b < batch; b++) {
      for (let t = 0; t < time; t++) steps.push({ rows: 1, inputOffset: (b * time + t) * features, outputOffset: (b * time + t) * units, stateOffset: b * units });
    }
  }
  return steps;
}

/** A float gate matrix product: out[r·units + u] (=|+=) Σ W[u, k]·x[r·cols + k] (+ bias[u]). */
export interface FloatFc {
  weights: Float32Array;
  bias?: Float32Array;
  units: number;
  cols: number;
}

export function floatFc(ctx: KernelContext, weightsAt: number, biasAt: number | undefined): FloatFc {
  const w = ctx.tensor(weightsAt);
  const bias = biasAt !== undefined && ctx.hasInput(biasAt) ? (constantArray(ctx, biasAt) as Float32Array) : undefined;
  return { weights: floatWeights(ctx, w, 0), bias, units: w.shape[0], cols: w.shape[1] };
}

/** Float32 accumulation as TFLite's reference (in a double, rounded to float32 once per output). */
export function runFloatFc(fc: FloatFc, x: Float32Array, xOffset: number, rows: number, out: Float32Array, accumulate: boolean): void {
  const { weights, bias, units, cols } = fc;
  for (let r = 0; r < rows; r++) {
    const xi = xOffset + r * cols;
    for (let u = 0; u < units; u++) {
      let acc = 0;
      const wi = u * cols;
      for (let k = 0; k < cols; k++) acc += weights[wi + k] * x[xi + k];
      const v = Math.fround(acc) + (bias === undefined ? 0 : bias[u]);
      out[r * units + u] = accumulate ? out[r * units + u] + v : v;
    }
  }
}

/**
 * An integer fully connected layer writing an int16 gate (TFLite Micro's reference_integer_ops::FullyConnected in
 * the integer LSTM): int8 input with an int32 bias and a wrapping int32 accumulator, or int16 input with an int64
 * bias and the int64 rescale; one per-tensor multiplier (input · weight scale in float, over the output scale).
 */
export interface IntegerFc {
  weights: Int8Array;
  units: number;
  cols: number;
  inputOffset: number;
  multiplier: number;
  shift: number;
  bias32?: Int32Array;
  bias64?: BigInt64Array;
  wide: boolean;
}

export function integerFc(ctx: KernelContext, input: Tensor, weightsAt: number, biasAt: number | undefined, outputScale: number): IntegerFc {
  const w = ctx.tensor(weightsAt);
  if (w.dtype !== 'int8') ctx.unsupported(`weights '${w.name}' must be int8`);
  const wq = ctx.quant(w);
  if (wq.zeroPoint !== 0) ctx.unsupported(`weights '${w.name}' must be symmetric (zero point 0)`);
  const inQ = ctx.quant(input);
  const wide = input.dtype === 'int16';
  const { multipliers, shifts } = layerMultipliers('FullyConnected', inQ.scale, [wq.scale], outputScale, 1);
  const fc: IntegerFc = { weights: constantArray(ctx, weightsAt) as Int8Array, units: w.shape[0], cols: w.shape[1], inputOffset: -inQ.zeroPoint, multiplier: multipliers[0], shift: shifts[0], wide };
  if (biasAt !== undefined && ctx.hasInput(biasAt)) {
    const b = ctx.tensor(biasAt);
    if (b.dtype !== (wide ? 'int64' : 'int32')) ctx.unsupported(`bias '${b.name}' must be ${wide ? 'int64' : 'int32'} with ${input.dtype} activations`);
    if (wide) fc.bias64 = constantArray(ctx, biasAt) as BigInt64Array;
    else fc.bias32 = constantArray(ctx, biasAt) as Int32Array;
  }
  return fc;
}

export function runIntegerFc(fc: IntegerFc, x: Int8Array | Int16Array, xOffset: number, rows: number, out: Int16Array): void {
  const { weights, units, cols, inputOffset, multiplier, shift } = fc;
  for (let r = 0; r < rows; r++) {
    const xi = xOffset + r * cols;
    for (let u = 0; u < units; u++) {
      let acc = 0;
      const wi = u * cols;
      for (let k = 0; k < cols; k++) acc += weights[wi + k] * (x[xi + k] + inputOffset);
      const v = fc.wide
        ? multiplyByQuantizedMultiplierInt64(acc, fc.bias64 === undefined ? 0n : fc.bias64[u], multiplier, shift)
        : multiplyByQuantizedMultiplier(((acc | 0) + (fc.bias32 === undefined ? 0 : fc.bias32[u])) | 0, multiplier, shift);
      out[r * units + u] = v < -32768 ? -32768 : v > 32767 ? 32767 : v;
    }
  }
}

/** out = a + b, saturated to int16 (the integer LSTM's AddElementWise). */
export function saturatingAdd(a: Int16Array, b: Int16Array, n: number, out: Int16Array, outOffset = 0, aOffset = 0): void {
  for (let i = 0; i < n; i++) {
    const v = a[aOffset + i] + b[i];
    out[outOffset + i] = v < -32768 ? -32768 : v > 32767 ? 32767 : v;
  }
}

/** An elementwise product with one effective scale (TFLite's MulElementwise with zero input offsets). */
export interface IntegerMul {
  multiplier: number;
  shift: number;
  outputOffset: number;
  min: number;
  max: number;
}

/** in1 scale · in2 scale / out scale, in double (the integer LSTM's CreateInterGateMulParams). */
export function integerMul(in1Scale: number, in2Scale: number, outScale: number, outputOffset: number, range: { min: number; max: number }): IntegerMul {
  const { multiplier, shift } = quantizeMultiplier((Math.fround(in1Scale) * Math.fround(in2Scale)) / Math.fround(outScale));
  return { multiplier, shift, outputOffset, ...range };
}

export function runIntegerMul(m: IntegerMul, a: ArrayLike<number>, aOffset: number, b: ArrayLike<number>, bOffset: number, n: number, out: Int8Array | Int16Array, outOffset: number): void {
  for (let i = 0; i < n; i++) {
    const v = m.outputOffset + multiplyByQuantizedMultiplier(a[aOffset + i] * b[bOffset + i], m.multiplier, m.shift);
    out[outOffset + i] = v < m.min ? m.min : v > m.max ? m.max : v;
  }
}

export const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));
