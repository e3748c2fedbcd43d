import { Graph, pruneTensors } from '@tinyforge/ir';
import { checkOutputFile, publishFiles } from '@tinyforge/common';
import { readModelFile, writeOnnx, writeTflite } from '@tinyforge/model-format';
import { CalibrationMethod } from './calibration/observers';
import { inputRangeWarnings } from './calibration/input-range';
import { loadCalibration, LoadCalibrationOptions, loadLabels } from './calibration/load-calibration';
import { QuantizerError } from './errors';
import { qdqGraphForOnnx } from './qdq/to-qdq';
import { ActivationType, IoType } from './quantize/quantize-graph';
import { quantizeModel, QuantizeResult } from './quantize/quantize-model';
import { QuantizationReport, measureQuantization } from './report/measure';
import { reportToHtml, reportToJson } from './report/format';

export interface QuantizeFileOptions extends LoadCalibrationOptions {
  model: string;
  /** Calibration data path, or 'random' (explicitly). */
  calib?: string;
  output: string;
  onnxQdq?: string;
  /** The QDQ export's rounding: 'tflite' (default) spells out TFLite's, 'plain' writes standard DQ → op → Q groups. */
  qdqRounding?: 'tflite' | 'plain';
  method?: CalibrationMethod;
  percentile?: number;
  perTensor?: boolean;
  /** Empirical bias correction of conv / depthwise / FC layers (quantize/bias-correction.ts). */
  biasCorrection?: boolean;
  io?: IoType;
  /** int8 (default) or int16 activations with int8 weights (TFLite's 16x8 mode). */
  activations?: ActivationType;
  /** Evaluation data for the report (default: the first calibration samples). */
  eval?: string;
  /** Class labels of the evaluation samples (or of the calibration samples when there is no --eval). */
  labels?: string;
  /** How many samples the report measures when no evaluation set is given. */
  reportSamples?: number;
  reportJson?: string;
  reportHtml?: string;
  onProgress?: (done: number, total: number) => void;
}

export interface QuantizeFileResult {
  result: QuantizeResult;
  report: QuantizationReport;
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
  // Before the work: every output can be written (a read-only folder fails now, not after the calibration).
  const outputs = [o.output, o.onnxQdq, o.reportJson, o.reportHtml].filter((f): f is string => f !== undefined);
  for (const file of outputs) checkOutputFile(file);
  const floatModel: Graph = readModelFile(o.model);
  const calib = loadCalibration(o.calib, floatModel, o);
  const result = quantizeModel(floatModel, calib.samples, { method: o.method, percentile: o.percentile, perTensor: o.perTensor, io: o.io, activations: o.activations, biasCorrection: o.biasCorrection, onProgress: o.onProgress });
  const evalSamples = o.eval !== undefined ? loadCalibration(o.eval, floatModel, { ...o, samples: undefined }).samples : calib.samples.slice(0, o.reportSamples ?? 32);
  let labels = o.labels !== undefined ? loadLabels(o.labels) : undefined;
  if (labels !== undefined) {
    if (labels.length < evalSamples.length) {
      throw new QuantizerError('QUANT_CALIB_SHAPE', `${labels.length} labels for ${evalSamples.length} evaluation samples`, { file: o.labels });
    }
    labels = labels.slice(0, evalSamples.length);
  }
  const report = measureQuantization(result, evalSamples, labels);
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
  return { result, report, calibration: calib.description, written: files.map(([f]) => f), milliseconds: Date.now() - started };
}
