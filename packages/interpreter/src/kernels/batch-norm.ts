import { Evaluate, KernelContext } from './context';
import { constantArray } from './weights';

/** BATCH_NORM (float only, from ONNX): per-channel (x − mean)/√(var + ε)·scale + bias over the last axis. */
export function floatBatchNorm(ctx: KernelContext<'BatchNorm'>): Evaluate {
  const node = ctx.node;
  const [scale, bias, mean, variance] = [1, 2, 3, 4].map((k) => constantArray(ctx, k) as Float32Array);
  const channels = scale.length;
  // Fold to one multiply-add per element, in double, once.
  const mul = new Float64Array(channels);
  const add = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    mul[c] = scale[c] / Math.sqrt(variance[c] + node.attrs.epsilon);
    add[c] = bias[c] - mean[c] * mul[c];
  }
  const input = ctx.input<Float32Array>(0);
  const output = ctx.outputArray<Float32Array>();
  return () => {
    for (let i = 0; i < output.length; i++) {
      const c = i % channels;
      output[i] = input[i] * mul[c] + add[c];
    }
  };
}
