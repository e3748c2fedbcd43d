import { bytesOf, elementCount, Graph } from '@tinyforge/ir';
import { Interpreter } from '@tinyforge/interpreter';
import { QuantizerError } from '../errors';
import { Histogram } from './histogram';
import { CalibrationMethod, needsHistogram, TensorStats } from './observers';

/** One calibration sample: a float32 array per graph input, in model order. */
export type Sample = Float32Array[];

export interface CalibrateOptions {
  method: CalibrationMethod;
  /**
   * Filled with the extremes of values inside nodes that no tensor holds (an LSTM's cell state and gate inputs at
   * every step), keyed `node/what`.
   */
  internal?: Map<string, { min: number; max: number }>;
  /** Tensors whose rows' top-two gaps are recorded (TensorStats.topGaps): the logits of a classifier head. */
  topGaps?: ReadonlySet<number>;
  /** Called after each inference: done of total (both passes counted). */
  onProgress?: (done: number, total: number) => void;
}

/** The float activations of a graph (every non-constant float32 tensor a node writes, and the inputs). */
export function activationTensors(graph: Graph): number[] {
  const written = new Set<number>(graph.inputs);
  for (const n of graph.nodes) for (const t of n.outputs) written.add(t);
  return [...written].filter((t) => graph.tensors[t].dtype === 'float32' && graph.tensors[t].data === undefined).sort((a, b) => a - b);
}

/** Check that every sample fits the model's inputs (one float array per input, with its element count). */
export function checkSamples(graph: Graph, samples: readonly Sample[]): void {
  if (samples.length === 0) throw new QuantizerError('QUANT_CALIB_EMPTY', 'no calibration samples');
  samples.forEach((s, k) => {
    if (s.length !== graph.inputs.length) {
      throw new QuantizerError('QUANT_CALIB_SHAPE', `sample ${k} has ${s.length} input arrays, the model has ${graph.inputs.length} inputs`);
    }
    graph.inputs.forEach((t, i) => {
      const want = elementCount(graph.tensors[t].shape);
      if (s[i].length !== want) {
        const shape = graph.tensors[t].shape.join('×');
        throw new QuantizerError('QUANT_CALIB_SHAPE', `sample ${k}: input '${graph.tensors[t].name}' needs ${want} values (${shape}), got ${s[i].length}`);
      }
    });
  });
}

/**
 * Run the float graph on every sample and record each activation's extremes; the histogram methods make a second
 * pass that fills a 2048-bin histogram over those extremes. Values are read in place from the interpreter's
 * buffers (no copies), so calibration costs about one inference per sample and pass.
 */
export function calibrate(graph: Graph, samples: readonly Sample[], options: CalibrateOptions): Map<number, TensorStats> {
  checkSamples(graph, samples);
  const internal = options.internal;
  const interpreter = new Interpreter(graph, {
    observe:
      internal &&
      ((node, what, values) => {
        const key = `${node}/${what}`;
        const r = internal.get(key) ?? { min: Infinity, max: -Infinity };
        for (let i = 0; i < values.length; i++) {
          if (values[i] < r.min) r.min = values[i];
          if (values[i] > r.max) r.max = values[i];
        }
        internal.set(key, r);
      }),
  });
  const tensors = activationTensors(graph);
  const stats = new Map<number, TensorStats>(tensors.map((t) => [t, { min: Infinity, max: -Infinity }]));
  const passes = needsHistogram(options.method) ? 2 : 1;
  const total = samples.length * passes;
  let done = 0;
  for (const sample of samples) {
    // Samples are independent inputs: recurrent state starts afresh for each (as TFLite Micro's evaluations reset).
    interpreter.resetState();
    interpreter.run(sample.map((x) => bytesOf(x)));
    for (const t of tensors) {
      const v = interpreter.tensorValues(t) as Float32Array;
      const s = stats.get(t)!;
      let lo = s.min;
      let hi = s.max;
      for (let i = 0; i < v.length; i++) {
        const x = v[i];
        if (x < lo) lo = x;
        if (x > hi) hi = x;
      }
      if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
        throw new QuantizerError('QUANT_CALIB_FORMAT', `tensor '${graph.tensors[t].name}' is not finite on calibration sample ${done} (NaN or infinite input?)`);
      }
      s.min = lo;
      s.max = hi;
      if (options.topGaps?.has(t)) (s.topGaps ??= []).push(smallestTopGap(v, graph.tensors[t].shape.at(-1) ?? v.length));
    }
    options.onProgress?.(++done, total);
  }
  if (passes === 1) return stats;
  for (const s of stats.values()) s.histogram = new Histogram(Math.min(s.min, 0), Math.max(s.max, 0));
  for (const sample of samples) {
    interpreter.resetState();
    interpreter.run(sample.map((x) => bytesOf(x)));
    for (const t of tensors) stats.get(t)!.histogram!.add(interpreter.tensorValues(t) as Float32Array);
    options.onProgress?.(++done, total);
  }
  return stats;
}

/** The smallest difference between the largest and the second largest value of any row of `rowSize` values. */
export function smallestTopGap(v: Float32Array, rowSize: number): number {
  let gap = Infinity;
  for (let row = 0; row + rowSize <= v.length && rowSize > 1; row += rowSize) {
    let first = -Infinity;
    let second = -Infinity;
    for (let i = row; i < row + rowSize; i++) {
      if (v[i] > first) {
        second = first;
        first = v[i];
      } else if (v[i] > second) second = v[i];
    }
    gap = Math.min(gap, first - second);
  }
  return gap;
}
