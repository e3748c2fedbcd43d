/**
 * Dataset metrics of `tinyforge validate`: one engine's outputs (dequantized to real values) against the float
 * model's outputs and the labels. Every figure is over all samples: the output-error figures flatten every output
 * value of every sample into one vector (as STM32Cube.AI's validate does), top-1 looks at the first output only.
 */

/** What one engine produced for one sample: the real values of every model output, back to back. */
export type OutputValues = Float32Array | Float64Array | number[];

export interface OutputComparison {
  /** Root of the mean squared difference. */
  rmse: number;
  /** Mean absolute difference. */
  mae: number;
  /** Cosine of the angle between the two flattened output vectors (1 when identical in direction). */
  cosine: number;
  /** ‖engine − float‖₂ / ‖float‖₂. */
  l2Relative: number;
  /** Samples whose top-1 class equals the float model's, as a fraction. */
  top1Agreement: number;
}

export interface ClassMetrics {
  /** Correct top-1 predictions / samples (labels given). */
  accuracy: number;
  /** confusion[label][predicted] sample counts; `classes` rows and columns. */
  confusion: number[][];
}

/** Index of the largest value among the first `classes` values (the first one on ties). */
export function top1(values: OutputValues, classes = values.length): number {
  let best = 0;
  for (let i = 1; i < classes; i++) if (values[i] > values[best]) best = i;
  return best;
}

/**
 * Compare an engine's outputs with the float model's, sample by sample (`engine[i]` and `float[i]` hold the same
 * number of values). `classes`: values of the first output that are class scores (top-1 looks at those).
 */
export function compareOutputs(engine: readonly OutputValues[], float: readonly OutputValues[], classes: number): OutputComparison {
  if (engine.length !== float.length) throw new RangeError(`${engine.length} engine outputs against ${float.length} float outputs`);
  let n = 0;
  let sq = 0;
  let abs = 0;
  let dot = 0;
  let ee = 0;
  let ff = 0;
  let agree = 0;
  engine.forEach((e, s) => {
    const f = float[s];
    if (e.length !== f.length) throw new RangeError(`sample ${s}: ${e.length} engine values against ${f.length} float values`);
    for (let i = 0; i < e.length; i++) {
      const d = e[i] - f[i];
      sq += d * d;
      abs += Math.abs(d);
      dot += e[i] * f[i];
      ee += e[i] * e[i];
      ff += f[i] * f[i];
    }
    n += e.length;
    if (top1(e, classes) === top1(f, classes)) agree++;
  });
  const count = Math.max(n, 1);
  return {
    rmse: Math.sqrt(sq / count),
    mae: abs / count,
    // Both vectors zero: identical; one zero: no direction to agree on.
    cosine: ee === 0 && ff === 0 ? 1 : ee === 0 || ff === 0 ? 0 : dot / Math.sqrt(ee * ff),
    l2Relative: ff === 0 ? (sq === 0 ? 0 : Infinity) : Math.sqrt(sq / ff),
    top1Agreement: engine.length === 0 ? 0 : agree / engine.length,
  };
}

/** Accuracy and confusion matrix of top-1 predictions against labels (labels ≥ classes are counted wrong and left out of the matrix). */
export function classMetrics(outputs: readonly OutputValues[], labels: readonly number[], classes: number): ClassMetrics {
  if (outputs.length !== labels.length) throw new RangeError(`${outputs.length} outputs against ${labels.length} labels`);
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  let correct = 0;
  outputs.forEach((o, s) => {
    const p = top1(o, classes);
    const label = labels[s];
    if (label === p) correct++;
    if (label < classes) confusion[label][p]++;
  });
  return { accuracy: outputs.length === 0 ? 0 : correct / outputs.length, confusion };
}

/** Byte-for-byte comparison of two engines' raw outputs: samples whose outputs differ, and differing bytes. */
export function differingOutputs(a: readonly Uint8Array[], b: readonly Uint8Array[]): { samples: number; bytes: number } {
  if (a.length !== b.length) throw new RangeError(`${a.length} outputs against ${b.length}`);
  let samples = 0;
  let bytes = 0;
  a.forEach((x, s) => {
    const y = b[s];
    let diff = Math.abs(x.length - y.length);
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) diff++;
    if (diff > 0) samples++;
    bytes += diff;
  });
  return { samples, bytes };
}
