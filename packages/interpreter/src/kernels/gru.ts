import { GRU_INPUT as G } from '@tinyforge/ir';
import { multiplyByQuantizedMultiplier, quantizeMultiplier } from '../fixed-point';
import { checkedLog2, logisticInt16, tanhInt16 } from '../int16-fixed-point';
import { dtypeRange } from '../quant-params';
import { Evaluate, KernelContext } from './context';
import { floatFc, integerFc, integerMul, runFloatFc, runIntegerFc, runIntegerMul, saturatingAdd, sequenceSteps, sigmoid } from './recurrent-common';

/**
 * The GRU (PyTorch nn.GRU / ONNX GRU, one direction). TFLite has no GRU kernel; the integer version is built from
 * TFLite's integer LSTM arithmetic: gate pre-activations in Q3.12 (each fully connected layer with its own effective
 * scale), sigmoid/tanh to Q0.15, products with one effective scale each, and an int16 hidden state in Q0.15 (a GRU's
 * hidden state always lies in [-1, 1]), requantized to the int8 output.
 */

function layout(ctx: KernelContext<'UnidirectionalSequenceGru'>) {
  const units = ctx.tensor(G.recurrentToUpdateWeights).shape[0];
  const steps = sequenceSteps(ctx.tensor(0).shape, ctx.node.attrs.timeMajor, units);
  return { units, steps, maxRows: Math.max(1, ...steps.map((s) => s.rows)) };
}

export function floatGru(ctx: KernelContext<'UnidirectionalSequenceGru'>): Evaluate {
  const { units, steps, maxRows } = layout(ctx);
  const linearBeforeReset = ctx.node.attrs.linearBeforeReset;
  const fc = {
    xz: floatFc(ctx, G.inputToUpdateWeights, G.updateGateBias),
    hz: floatFc(ctx, G.recurrentToUpdateWeights, undefined),
    xr: floatFc(ctx, G.inputToResetWeights, G.resetGateBias),
    hr: floatFc(ctx, G.recurrentToResetWeights, undefined),
    xn: floatFc(ctx, G.inputToCandidateWeights, G.candidateInputBias),
    hn: floatFc(ctx, G.recurrentToCandidateWeights, G.candidateRecurrentBias),
  };
  const x = ctx.input<Float32Array>(0);
  const h = ctx.input<Float32Array>(G.hiddenState);
  const y = ctx.outputArray<Float32Array>();
  const [z, r, n, hn, rh] = [0, 1, 2, 3, 4].map(() => new Float32Array(maxRows * units));
  const observe = ctx.observe;
  return () => {
    for (const s of steps) {
      const count = s.rows * units;
      const at = s.stateOffset;
      runFloatFc(fc.xz, x, s.inputOffset, s.rows, z, false);
      runFloatFc(fc.hz, h, at, s.rows, z, true);
      runFloatFc(fc.xr, x, s.inputOffset, s.rows, r, false);
      runFloatFc(fc.hr, h, at, s.rows, r, true);
      observe?.('update_gate', z.subarray(0, count));
      observe?.('reset_gate', r.subarray(0, count));
      for (let i = 0; i < count; i++) {
        z[i] = sigmoid(z[i]);
        r[i] = sigmoid(r[i]);
      }
      runFloatFc(fc.xn, x, s.inputOffset, s.rows, n, false);
      if (linearBeforeReset) {
        runFloatFc(fc.hn, h, at, s.rows, hn, false);
        for (let i = 0; i < count; i++) n[i] = n[i] + r[i] * hn[i];
      } else {
        for (let i = 0; i < count; i++) rh[i] = r[i] * h[at + i];
        runFloatFc(fc.hn, rh, 0, s.rows, n, true);
      }
      observe?.('candidate_gate', n.subarray(0, count));
      for (let i = 0; i < count; i++) n[i] = Math.tanh(n[i]);
      for (let i = 0; i < count; i++) h[at + i] = (1 - z[i]) * n[i] + z[i] * h[at + i];
      y.set(h.subarray(at, at + count), s.outputOffset);
    }
  };
}

const Q3_12 = 2 ** -12;
const Q0_15 = 2 ** -15;

export function integerGru(ctx: KernelContext<'UnidirectionalSequenceGru'>): Evaluate {
  const { units, steps, maxRows } = layout(ctx);
  const linearBeforeReset = ctx.node.attrs.linearBeforeReset;
  const xT = ctx.tensor(0);
  const hT = ctx.tensor(G.hiddenState);
  if (hT.dtype !== 'int16') ctx.unsupported(`the hidden state must be int16, got ${hT.dtype}`);
  const hQ = ctx.quant(hT);
  const power = checkedLog2(hQ.scale);
  if (!power.isPowerOfTwo || power.log2 !== -15 || hQ.zeroPoint !== 0) ctx.unsupported('the int16 hidden state must have scale 2^-15 and zero point 0 (Q0.15)');
  const outQ = ctx.quant(ctx.output);
  const fc = {
    xz: integerFc(ctx, xT, G.inputToUpdateWeights, G.updateGateBias, Q3_12),
    hz: integerFc(ctx, hT, G.recurrentToUpdateWeights, undefined, Q3_12),
    xr: integerFc(ctx, xT, G.inputToResetWeights, G.resetGateBias, Q3_12),
    hr: integerFc(ctx, hT, G.recurrentToResetWeights, undefined, Q3_12),
    xn: integerFc(ctx, xT, G.inputToCandidateWeights, G.candidateInputBias, Q3_12),
    hn: integerFc(ctx, hT, G.recurrentToCandidateWeights, G.candidateRecurrentBias, Q3_12),
  };
  const int16Range = dtypeRange('int16');
  const resetTimesRecurrent = integerMul(Q0_15, Q3_12, Q3_12, 0, int16Range);
  const resetTimesHidden = integerMul(Q0_15, Q0_15, Q0_15, 0, int16Range);
  const gateTimesState = integerMul(Q0_15, Q0_15, Q0_15, 0, int16Range);
  const toOutput = quantizeMultiplier(Q0_15 / Math.fround(outQ.scale));
  const outRange = dtypeRange(ctx.output.dtype);
  const x = ctx.input<Int8Array>(0);
  const h = ctx.input<Int16Array>(G.hiddenState);
  const y = ctx.outputArray<Int8Array>();
  const [z, r, n, t, u] = [0, 1, 2, 3, 4].map(() => new Int16Array(maxRows * units));
  const oneMinusZ = new Int32Array(maxRows * units);
  const sigmoidGate = (a: Int16Array, count: number): void => {
    for (let i = 0; i < count; i++) a[i] = logisticInt16(a[i], 0, 0);
  };
  return () => {
    for (const s of steps) {
      const count = s.rows * units;
      const at = s.stateOffset;
      runIntegerFc(fc.xz, x, s.inputOffset, s.rows, z);
      runIntegerFc(fc.hz, h, at, s.rows, t);
      saturatingAdd(z, t, count, z);
      sigmoidGate(z, count);
      runIntegerFc(fc.xr, x, s.inputOffset, s.rows, r);
      runIntegerFc(fc.hr, h, at, s.rows, t);
      saturatingAdd(r, t, count, r);
      sigmoidGate(r, count);
      runIntegerFc(fc.xn, x, s.inputOffset, s.rows, n);
      if (linearBeforeReset) {
        runIntegerFc(fc.hn, h, at, s.rows, t);
        runIntegerMul(resetTimesRecurrent, r, 0, t, 0, count, t, 0);
      } else {
        runIntegerMul(resetTimesHidden, r, 0, h, at, count, u, 0);
        runIntegerFc(fc.hn, u, 0, s.rows, t);
      }
      saturatingAdd(n, t, count, n);
      for (let i = 0; i < count; i++) n[i] = tanhInt16(n[i], 0, 0);
      // h' = (1 − z)·n + z·h, with 1 − z as 32768 − z in Q0.15.
      for (let i = 0; i < count; i++) oneMinusZ[i] = 32768 - z[i];
      runIntegerMul(gateTimesState, oneMinusZ, 0, n, 0, count, t, 0);
      runIntegerMul(gateTimesState, z, 0, h, at, count, u, 0);
      saturatingAdd(t, u, count, h, at);
      for (let i = 0; i < count; i++) {
        const v = outQ.zeroPoint + multiplyByQuantizedMultiplier(h[at + i], toOutput.multiplier, toOutput.shift);
        y[s.outputOffset + i] = v < outRange.min ? outRange.min : v > outRange.max ? outRange.max : v;
      }
    }
  };
}
