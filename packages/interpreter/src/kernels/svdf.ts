import { SVDF_INPUT as S } from '@tinyforge/ir';
import { multiplyByQuantizedMultiplier, quantizeMultiplier } from '../fixed-point';
import { dtypeRange, floatActivationRange } from '../quant-params';
import { Evaluate, KernelContext } from './context';
import { constantArray } from './weights';

/**
 * SVDF as TFLite Micro computes it (svdf_common.cc). Each call shifts the state (batch × filters rows of `memory`
 * values) left by one, writes each filter's feature product into its row's last slot, dots every row with its time
 * weights, sums each unit's `rank` filters, adds the bias. The state is the node's state tensor (input 4).
 */

function sizes(ctx: KernelContext<'Svdf'>) {
  const [batch, inputSize] = ctx.tensor(0).shape;
  const [filters, memory] = ctx.tensor(S.weightsTime).shape;
  const rank = ctx.node.attrs.rank;
  return { batch, inputSize, filters, memory, rank, units: filters / rank };
}

export function floatSvdf(ctx: KernelContext<'Svdf'>): Evaluate {
  const { batch, inputSize, filters, memory, rank, units } = sizes(ctx);
  const activation = ctx.node.attrs.activation;
  const range = floatActivationRange(activation) ?? ctx.unsupported(`fused ${activation} is not supported`);
  const wf = constantArray(ctx, S.weightsFeature) as Float32Array;
  const wt = constantArray(ctx, S.weightsTime) as Float32Array;
  const bias = ctx.hasInput(S.bias) ? (constantArray(ctx, S.bias) as Float32Array) : new Float32Array(units);
  const x = ctx.input<Float32Array>(0);
  const state = ctx.input<Float32Array>(S.activationState);
  const y = ctx.outputArray<Float32Array>();
  return () => {
    state.copyWithin(0, 1);
    for (let b = 0; b < batch; b++) {
      for (let f = 0; f < filters; f++) {
        let acc = 0;
        for (let k = 0; k < inputSize; k++) acc += wf[f * inputSize + k] * x[b * inputSize + k];
        state[(b * filters + f) * memory + memory - 1] = acc;
      }
      for (let u = 0; u < units; u++) {
        let sum = bias[u];
        for (let j = 0; j < rank; j++) {
          const f = u * rank + j;
          let acc = 0;
          for (let m = 0; m < memory; m++) acc += wt[f * memory + m] * state[(b * filters + f) * memory + m];
          sum += Math.fround(acc);
        }
        y[b * units + u] = Math.min(range.max, Math.max(range.min, sum));
      }
    }
  };
}

/**
 * The integer SVDF: int8 input and feature weights, int16 (or int8, with a zero point) time weights and state, int32
 * bias, int8 output. The feature products are rescaled into the state's scale and clamped to its type; the sums are
 * wrapping int32s rescaled to the output. Like TFLite's and TFLite Micro's integer kernels it applies no fused
 * activation beyond the int8 clamp.
 */
export function integerSvdf(ctx: KernelContext<'Svdf'>): Evaluate {
  const { batch, inputSize, filters, memory, rank, units } = sizes(ctx);
  const wfT = ctx.tensor(S.weightsFeature);
  const wtT = ctx.tensor(S.weightsTime);
  const stateT = ctx.tensor(S.activationState);
  if (wfT.dtype !== 'int8' || (wtT.dtype !== 'int16' && wtT.dtype !== 'int8') || stateT.dtype !== wtT.dtype || ctx.output.dtype !== 'int8') {
    ctx.unsupported('integer SVDF needs int8 input, feature weights and output, and int16 (or int8) time weights and state of one type');
  }
  const inQ = ctx.quant(ctx.tensor(0));
  const wfQ = ctx.quant(wfT);
  const wtQ = ctx.quant(wtT);
  const stateQ = ctx.quant(stateT);
  const outQ = ctx.quant(ctx.output);
  const f = Math.fround;
  // Effective scales formed in float, then widened, as TFLite Micro's Prepare does.
  const scale1 = quantizeMultiplier(f(f(inQ.scale * wfQ.scale) / stateQ.scale));
  const scale2 = quantizeMultiplier(f(f(stateQ.scale * wtQ.scale) / outQ.scale));
  const stateRange = dtypeRange(stateT.dtype);
  const wf = constantArray(ctx, S.weightsFeature) as Int8Array;
  const wt = constantArray(ctx, S.weightsTime) as Int8Array | Int16Array;
  const bias = ctx.hasInput(S.bias) ? (constantArray(ctx, S.bias) as Int32Array) : new Int32Array(units);
  const x = ctx.input<Int8Array>(0);
  const state = ctx.input<Int8Array | Int16Array>(S.activationState);
  const y = ctx.outputArray<Int8Array>();
  const scratch = new Int32Array(filters);
  return () => {
    state.copyWithin(0, 1);
    for (let b = 0; b < batch; b++) {
      for (let r = 0; r < filters; r++) {
        let dot = 0;
        for (let k = 0; k < inputSize; k++) dot += wf[r * inputSize + k] * (x[b * inputSize + k] - inQ.zeroPoint);
        let v = multiplyByQuantizedMultiplier(dot | 0, scale1.multiplier, scale1.shift);
        v = v < stateRange.min ? stateRange.min : v > stateRange.max ? stateRange.max : v;
        // Stored in the state's type: an int8 state with a zero point wraps, as the C++ cast does.
        state[(b * filters + r) * memory + memory - 1] = stateQ.zeroPoint + v;
      }
      for (let r = 0; r < filters; r++) {
        let dot = 0;
        const base = (b * filters + r) * memory;
        for (let m = 0; m < memory; m++) dot += wt[r * memory + m] * (state[base + m] - stateQ.zeroPoint);
        scratch[r] = dot;
      }
      for (let u = 0; u < units; u++) {
        let sum = bias[u];
        for (let j = 0; j < rank; j++) sum = (sum + scratch[u * rank + j]) | 0;
        const v = multiplyByQuantizedMultiplier(sum, scale2.multiplier, scale2.shift) + outQ.zeroPoint;
        y[b * units + u] = v < -128 ? -128 : v > 127 ? 127 : v;
      }
    }
  };
}
