import { bytesOf, elementCount, Graph, Quantization } from '@tinyforge/ir';
import { dtypeRange, Interpreter, roundHalfAway } from '@tinyforge/interpreter';
import { activationTensors, Sample } from '../calibration/calibrate';
import { QuantizeResult } from '../quantize/quantize-model';

export interface LayerReport {
  /** Execution step of the node producing the tensor (the float graph's node order); absent for a graph input. */
  step?: number;
  /** Node name and op producing the tensor ('input' for a graph input). */
  node: string;
  op: string;
  /** The tensor's name: the name tables show (TFLite names an op by its output tensor). */
  tensor: string;
  /** Range the int8 parameters cover, and what calibration saw. */
  range: { min: number; max: number };
  calibrated: { min: number; max: number };
  scale: number;
  zeroPoint: number;
  /** Float-vs-int8 SQNR of this tensor in dB (Infinity when the int8 values are exact). */
  sqnrDb: number;
  /** Fraction of float values outside the int8 range (clipped). */
  clipping: number;
}

export interface QuantizationReport {
  samples: number;
  layers: LayerReport[];
  /** SQNR of all model outputs together, in dB. */
  outputSqnrDb: number;
  /** Fraction of samples whose arg-max of the first output agrees (classifiers; undefined for one-value outputs). */
  top1Agreement?: number;
  accuracy?: { float: number; int8: number };
  warnings: string[];
  /** The calibration method used. */
  method?: string;
  /** `--method auto`: every method's held-out output SQNR and the one kept. */
  methodSearch?: MethodSearch;
  /** int8 lost more than the thresholds allow (the warning says how much). */
  accuracyWarning?: boolean;
}

export interface MethodSearch {
  chosen: string;
  calibrationSamples: number;
  heldOutSamples: number;
  candidates: { method: string; heldOutSqnrDb: number }[];
}

/** Accumulates Σ signal² and Σ noise² for a SQNR. */
class SqnrMeter {
  signal = 0;
  noise = 0;
  add(reference: ArrayLike<number>, approx: ArrayLike<number>): void {
    for (let i = 0; i < reference.length; i++) {
      const d = reference[i] - approx[i];
      this.signal += reference[i] * reference[i];
      this.noise += d * d;
    }
  }
  db(): number {
    if (this.noise === 0) return Infinity;
    if (this.signal === 0) return -Infinity;
    return 10 * Math.log10(this.signal / this.noise);
  }
}

/** Float → int8 (or int16) input exactly as a QUANTIZE kernel does it (float32 division, round half away from zero). */
export function quantizeInput(values: Float32Array, q: Quantization): Int8Array;
export function quantizeInput(values: Float32Array, q: Quantization, dtype: 'int8' | 'int16'): Int8Array | Int16Array;
export function quantizeInput(values: Float32Array, q: Quantization, dtype: 'int8' | 'int16' = 'int8'): Int8Array | Int16Array {
  const out = dtype === 'int16' ? new Int16Array(values.length) : new Int8Array(values.length);
  const { min, max } = dtypeRange(dtype);
  const scale = q.scale[0];
  const zp = q.zeroPoint[0];
  for (let i = 0; i < values.length; i++) out[i] = Math.max(min, Math.min(max, roundHalfAway(Math.fround(values[i] / scale)) + zp));
  return out;
}

function dequantize(values: ArrayLike<number>, q: Quantization): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = q.scale[0] * (values[i] - q.zeroPoint[0]);
  return out;
}

/** Inputs for the int8 graph: float arrays as they are when it has float I/O, else quantized like TFLite would. */
export function int8Inputs(int8Graph: Graph, floatGraph: Graph, sample: Sample): Uint8Array[] {
  return int8Graph.inputs.map((t, i) => {
    const tensor = int8Graph.tensors[t];
    if (tensor.dtype === 'float32') return bytesOf(sample[i]);
    return bytesOf(quantizeInput(sample[i], tensor.quant ?? floatGraph.tensors[t].quant!, tensor.dtype === 'int16' ? 'int16' : 'int8'));
  });
}

function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}

/**
 * Run the float graph and its int8 twin on the same samples with the reference interpreter and compare every
 * activation (the int8 one dequantized), the outputs, the top-1 class and, given labels, the accuracy of each.
 */
export function measureQuantization(result: QuantizeResult, samples: readonly Sample[], labels?: readonly number[], onProgress?: (done: number, total: number) => void): QuantizationReport {
  const { floatGraph, int8Graph } = result;
  const floatRun = new Interpreter(floatGraph);
  const intRun = new Interpreter(int8Graph);
  const activations = new Set(activationTensors(floatGraph));
  // Inputs first, then node outputs in execution order: the order a reader follows the model in.
  const tensors = [...new Set([...floatGraph.inputs, ...floatGraph.nodes.flatMap((n) => n.outputs)])].filter((t) => activations.has(t));
  const meters = new Map(tensors.map((t) => [t, { sqnr: new SqnrMeter(), clipped: 0, total: 0 }]));
  const outputMeter = new SqnrMeter();
  let agree = 0;
  let correctFloat = 0;
  let correctInt8 = 0;
  const classifier = floatGraph.outputs.length > 0 && elementCount(floatGraph.tensors[floatGraph.outputs[0]].shape) > 1;
  samples.forEach((sample, k) => {
    // Independent samples: recurrent state starts afresh for each.
    floatRun.resetState();
    intRun.resetState();
    floatRun.run(sample.map((x) => bytesOf(x)));
    intRun.run(int8Inputs(int8Graph, floatGraph, sample));
    for (const t of tensors) {
      const q = int8Graph.tensors[t].quant!;
      const ref = floatRun.tensorValues(t) as Float32Array;
      const approx = dequantize(intRun.tensorValues(t) as Int8Array, q);
      const m = meters.get(t)!;
      m.sqnr.add(ref, approx);
      const range = dtypeRange(int8Graph.tensors[t].dtype);
      const lo = q.scale[0] * (range.min - q.zeroPoint[0]);
      const hi = q.scale[0] * (range.max - q.zeroPoint[0]);
      for (let i = 0; i < ref.length; i++) if (ref[i] < lo - q.scale[0] / 2 || ref[i] > hi + q.scale[0] / 2) m.clipped++;
      m.total += ref.length;
    }
    floatGraph.outputs.forEach((t) => {
      const ref = floatRun.tensorValues(t) as Float32Array;
      outputMeter.add(ref, dequantize(intRun.tensorValues(t) as Int8Array, int8Graph.tensors[t].quant!));
    });
    if (classifier) {
      const t = floatGraph.outputs[0];
      const pf = argmax(floatRun.tensorValues(t) as Float32Array);
      const pi = argmax(intRun.tensorValues(t) as Int8Array);
      if (pf === pi) agree++;
      if (labels !== undefined) {
        if (pf === labels[k]) correctFloat++;
        if (pi === labels[k]) correctInt8++;
      }
    }
    onProgress?.(k + 1, samples.length);
  });
  const producer = new Map<number, { step: number; node: string; op: string }>();
  floatGraph.nodes.forEach((n, step) => n.outputs.forEach((t) => producer.set(t, { step, node: n.name, op: n.op })));
  const layers = tensors.map((t): LayerReport => {
    const q = int8Graph.tensors[t].quant!;
    const stats = result.stats.get(t)!;
    const m = meters.get(t)!;
    return {
      ...(producer.get(t) ?? { node: 'input', op: 'Input' }),
      tensor: floatGraph.tensors[t].name,
      range: (({ min, max }) => ({ min: q.scale[0] * (min - q.zeroPoint[0]), max: q.scale[0] * (max - q.zeroPoint[0]) }))(dtypeRange(int8Graph.tensors[t].dtype)),
      calibrated: { min: stats.min, max: stats.max },
      scale: q.scale[0],
      zeroPoint: q.zeroPoint[0],
      sqnrDb: m.sqnr.db(),
      clipping: m.total === 0 ? 0 : m.clipped / m.total,
    };
  });
  const n = samples.length;
  return {
    samples: n,
    layers,
    outputSqnrDb: outputMeter.db(),
    top1Agreement: classifier && n > 0 ? agree / n : undefined,
    accuracy: labels !== undefined && classifier && n > 0 ? { float: correctFloat / n, int8: correctInt8 / n } : undefined,
    warnings: [],
  };
}
