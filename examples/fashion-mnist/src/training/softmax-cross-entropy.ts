/**
 * Softmax over the logits followed by cross-entropy against `label`. Writes d(loss)/d(logits) = p − onehot into
 * `grad` and returns the loss. Logits are shifted by their maximum so exp never overflows.
 */
export function softmaxCrossEntropy(logits: Float32Array, label: number, grad: Float32Array): number {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i] - max);
  for (let i = 0; i < logits.length; i++) grad[i] = Math.exp(logits[i] - max) / sum - (i === label ? 1 : 0);
  return Math.log(sum) - (logits[label] - max);
}
