import { Graph, pruneTensors } from '@tinyforge/ir';
import { checkOutputFile, publishFiles } from '@tinyforge/common';
import { readModelFile, writeOnnx, writeTflite } from '@tinyforge/model-format';
import { Sample } from './calibration/calibrate';
import { CALIBRATION_METHODS, CalibrationMethod, DEFAULT_CALIBRATION_METHOD } from './calibration/observers';
import { inputRangeWarnings } from './calibration/input-range';
import { loadCalibration, LoadCalibrationOptions, loadLabels } from './calibration/load-calibration';
import { QuantizerError } from './errors';
import { qdqGraphForOnnx } from './qdq/to-qdq';
import { ActivationType, IoType } from './quantize/quantize-graph';
import { HeadPrecision } from './quantize/classifier-head';
import { quantizeModel, QuantizeResult } from './quantize/quantize-model';
import { MethodSearch, QuantizationReport, measureQuantization } from './report/measure';
import { reportToHtml, reportToJson } from './report/format';

export interface QuantizeFileOptions extends LoadCalibrationOptions {
  model: string;
  /** Calibration data path, or 'random' (explicitly). */
  calib?: string;
  output: string;
  onnxQdq?: string;
  /** The QDQ export's rounding: 'tflite' (default) spells out TFLite's, 'plain' writes standard DQ → op → Q groups. */
  qdqRounding?: 'tflite' | 'plain';
  /** A calibration method, or `auto`: each of the four on the calibration set, kept the best by held-out SQNR. */
  method?: CalibrationMethod | 'auto';
  percentile?: number;
  perTensor?: boolean;
  /** Empirical bias correction of conv / depthwise / FC layers (quantize/bias-correction.ts). */
  biasCorrection?: boolean;
  io?: IoType;
  /** int8 (default) or int16 activations with int8 weights (TFLite's 16x8 mode). */
  activations?: ActivationType;
  /** A Softmax output's fully connected head: auto (default), int8 or int16 (quantize/classifier-head.ts). */
  head?: HeadPrecision;
  /** Evaluation data for the report (default: the first calibration samples). */
  eval?: string;
  /** Class labels of the evaluation samples (or of the calibration samples when there is no --eval). */
  labels?: string;
  /** How many samples the report measures when no evaluation set is given. */
  reportSamples?: number;
  reportJson?: string;
  reportHtml?: string;
  /** Warn when int8 accuracy (or, without labels, top-1 agreement) falls by more than this many points (default 1). */
  warnDropPoints?: number;
  /** Warn when the output SQNR is below this many dB (default 15). */
  warnSqnrDb?: number;
  /** Progress of the long steps: calibration, the method search, bias correction, evaluation (samples). */
  onProgress?: (done: number, total: number, step?: QuantizeStep) => void;
}

export type QuantizeStep = 'calibrate' | 'search' | 'bias-correction' | 'evaluate';

export interface QuantizeFileResult {
  result: QuantizeResult;
  report: QuantizationReport;
  /** The method used (the one `auto` chose). */
  method: CalibrationMethod;
  calibration: string;
  written: string[];
  milliseconds: number;
}

/**
 * `quantize MODEL --calib DATA -o OUT.tflite`: check that every output can be written, read, calibrate, quantize,
 * measure, then publish every output. All outputs are computed and written under temporary names before the first
 * is renamed into place, so a failure (or a kill) leaves the previous files and no partial one.
 */
export function quantizeFile(o: QuantizeFileOptions): QuantizeFileResult {
  const started = Date.now();
  if (o.calib === undefined) {
    throw new QuantizerError('QUANT_CALIB_MISSING', 'no calibration data: give --calib PATH (a .npy/.npz file or a folder), or --calib random to calibrate on random data');
  }
  if (o.activations === 'int16' && o.onnxQdq !== undefined) {
    throw new QuantizerError('QUANT_UNSUPPORTED', 'the ONNX QDQ export spells out int8 arithmetic; it has no 16x8 form: drop --onnx-qdq or quantize with int8 activations');
  }
  if (o.head === 'int16' && o.onnxQdq !== undefined) {
    throw new QuantizerError('QUANT_UNSUPPORTED', 'the ONNX QDQ export spells out int8 arithmetic; it has no 16x8 head: drop --onnx-qdq or --head int16');
  }
  // Before the work: every output can be written (a read-only folder fails now, not after the calibration).
  const outputs = [o.output, o.onnxQdq, o.reportJson, o.reportHtml].filter((f): f is string => f !== undefined);
  for (const file of outputs) checkOutputFile(file);
  const floatModel: Graph = readModelFile(o.model);
  const calib = loadCalibration(o.calib, floatModel, o);
  const progress = o.onProgress ?? (() => undefined);
  const quantizeWith = (method: CalibrationMethod, samples: readonly Sample[], step: QuantizeStep = 'calibrate', bias = o.biasCorrection): QuantizeResult =>
    quantizeModel(floatModel, samples, {
      method,
      percentile: o.percentile,
      perTensor: o.perTensor,
      io: o.io,
      activations: o.activations,
      // The ONNX QDQ export is int8 throughout: there the head stays int8 (warned about when that costs top-1).
      head: o.onnxQdq !== undefined ? 'int8' : o.head,
      biasCorrection: bias,
      onProgress: (d, t) => progress(d, t, step),
      onBiasProgress: (d, t) => progress(d, t, 'bias-correction'),
    });
  const search = o.method === 'auto' ? searchMethods(calib.samples, (m, s) => quantizeWith(m, s, 'search', false), progress) : undefined;
  const method: CalibrationMethod = search?.chosen ?? (o.method as CalibrationMethod | undefined) ?? DEFAULT_CALIBRATION_METHOD;
  const result = quantizeWith(method, calib.samples);
  const evalSamples = o.eval !== undefined ? loadCalibration(o.eval, floatModel, { ...o, samples: undefined }).samples : calib.samples.slice(0, o.reportSamples ?? 32);
  let labels = o.labels !== undefined ? loadLabels(o.labels) : undefined;
  if (labels !== undefined) {
    if (labels.length < evalSamples.length) {
      throw new QuantizerError('QUANT_CALIB_SHAPE', `${labels.length} labels for ${evalSamples.length} evaluation samples`, { file: o.labels });
    }
    labels = labels.slice(0, evalSamples.length);
  }
  const report = measureQuantization(result, evalSamples, labels, (d, t) => progress(d, t, 'evaluate'));
  if (search !== undefined) report.methodSearch = search;
  report.method = method;
  const drop = dropWarnings(report, { dropPoints: o.warnDropPoints ?? 1, minSqnrDb: o.warnSqnrDb ?? 15 });
  if (drop !== undefined) {
    // Say which method would have done better, measured the same way, unless the search already chose.
    const better = search === undefined ? bestOtherMethod(method, report, (m) => measureQuantization(quantizeWith(m, calib.samples, 'search'), evalSamples, labels)) : undefined;
    report.warnings.push(`${drop}${better !== undefined ? `; --method ${better.method} measured better here (${better.figure}), or let --method auto choose` : search === undefined ? '; no other calibration method measured better here' : ''}`);
    report.accuracyWarning = true;
  }
  report.warnings.push(...(floatModel.metadata.warnings ?? []), ...result.notes, ...calib.warnings, ...result.warnings, ...(o.calib === 'random' ? [] : inputRangeWarnings(floatModel, calib.samples)));
  if (result.int8Graph.tensors.some((t) => t.state === 'per-run')) {
    // TFLite has one kind of op state: its variable tensors persist from one invocation to the next.
    report.warnings.push('the recurrent state starts at zero in every run of this model (ONNX), but TFLite keeps variable tensors across invocations: reset the interpreter (TFLite Micro: MicroInterpreter::Reset) before each independent sequence');
  }
  if (o.biasCorrection && o.eval === undefined) {
    report.warnings.push('measured on calibration samples, which bias correction was fitted to: give --eval for held-out figures');
  }
  const files: [string, Uint8Array | string][] = [[o.output, writeTflite(pruneTensors(result.int8Graph))]];
  if (o.onnxQdq !== undefined) files.push([o.onnxQdq, writeOnnx(qdqGraphForOnnx(result.int8Graph, { rounding: o.qdqRounding }))]);
  if (o.reportJson !== undefined) files.push([o.reportJson, reportToJson(report)]);
  if (o.reportHtml !== undefined) files.push([o.reportHtml, reportToHtml(report, `int8 quantization of ${o.model}`)]);
  publishFiles(files.map(([file, data]) => ({ file, data })));
  return { result, report, method, calibration: calib.description, written: files.map(([f]) => f), milliseconds: Date.now() - started };
}

/**
 * `--method auto`: calibrate with each method on the calibration samples but a held-out quarter (at least one), keep
 * the one whose int8 outputs are closest to the float ones on the held-out samples (output SQNR).
 */
function searchMethods(samples: readonly Sample[], quantize: (m: CalibrationMethod, s: readonly Sample[]) => QuantizeResult, progress: NonNullable<QuantizeFileOptions['onProgress']>): MethodSearch & { chosen: CalibrationMethod } {
  const heldOutCount = samples.length > 1 ? Math.max(1, Math.floor(samples.length / 4)) : 0;
  const fit = heldOutCount > 0 ? samples.slice(0, samples.length - heldOutCount) : samples;
  const heldOut = heldOutCount > 0 ? samples.slice(samples.length - heldOutCount) : samples;
  const candidates = CALIBRATION_METHODS.map((method, k) => {
    const heldOutSqnrDb = measureQuantization(quantize(method, fit), heldOut).outputSqnrDb;
    progress(k + 1, CALIBRATION_METHODS.length, 'search');
    return { method, heldOutSqnrDb };
  });
  const best = candidates.reduce((a, c) => (c.heldOutSqnrDb > a.heldOutSqnrDb ? c : a));
  return { chosen: best.method, calibrationSamples: fit.length, heldOutSamples: heldOutCount > 0 ? heldOutCount : 0, candidates };
}

/** The warning text when int8 loses more than the thresholds allow, naming the worst layers; else undefined. */
export function dropWarnings(report: QuantizationReport, limits: { dropPoints: number; minSqnrDb: number }): string | undefined {
  const reasons: string[] = [];
  const points = (v: number) => (100 * v).toFixed(2);
  if (report.accuracy !== undefined) {
    const drop = 100 * (report.accuracy.float - report.accuracy.int8);
    if (drop > limits.dropPoints) reasons.push(`int8 accuracy ${points(report.accuracy.int8)}% against float ${points(report.accuracy.float)}% (${drop.toFixed(2)} points lower; the threshold is ${limits.dropPoints})`);
  } else if (report.top1Agreement !== undefined && 100 * (1 - report.top1Agreement) > limits.dropPoints) {
    reasons.push(`int8 agrees with the float model's top-1 on ${points(report.top1Agreement)}% of samples (threshold: ${limits.dropPoints} points off)`);
  }
  if (report.outputSqnrDb < limits.minSqnrDb) reasons.push(`output SQNR ${report.outputSqnrDb.toFixed(1)} dB is below ${limits.minSqnrDb} dB`);
  if (reasons.length === 0) return undefined;
  const worst = [...report.layers]
    .filter((l) => Number.isFinite(l.sqnrDb))
    .sort((a, b) => a.sqnrDb - b.sqnrDb)
    .slice(0, 3)
    .map((l) => `${l.tensor} (${l.op}, ${l.sqnrDb.toFixed(1)} dB)`);
  return `${reasons.join('; ')}${worst.length > 0 ? `; worst layers: ${worst.join(', ')}` : ''}`;
}

/** The other calibration method that measures better than `used` on the same samples (accuracy, else agreement, else SQNR). */
function bestOtherMethod(used: CalibrationMethod, report: QuantizationReport, measure: (m: CalibrationMethod) => QuantizationReport): { method: CalibrationMethod; figure: string } | undefined {
  const score = (r: QuantizationReport) => r.accuracy?.int8 ?? r.top1Agreement ?? r.outputSqnrDb;
  const text = (r: QuantizationReport) =>
    r.accuracy !== undefined ? `int8 accuracy ${(100 * r.accuracy.int8).toFixed(2)}%` : r.top1Agreement !== undefined ? `top-1 agreement ${(100 * r.top1Agreement).toFixed(2)}%` : `output SQNR ${r.outputSqnrDb.toFixed(1)} dB`;
  let best: { method: CalibrationMethod; report: QuantizationReport } | undefined;
  for (const m of CALIBRATION_METHODS) {
    if (m === used) continue;
    const r = measure(m);
    if (score(r) > score(best?.report ?? report) || (score(r) === score(best?.report ?? report) && best === undefined && r.outputSqnrDb > report.outputSqnrDb)) best = { method: m, report: r };
  }
  return best !== undefined ? { method: best.method, figure: `${text(best.report)}, output SQNR ${best.report.outputSqnrDb.toFixed(1)} dB, against ${text(report)} with ${used}` } : undefined;
}
