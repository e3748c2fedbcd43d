import { Command } from 'commander';
import { CALIBRATION_HELP, CALIBRATION_METHODS, CalibrationMethod, DEFAULT_CALIBRATION_METHOD, quantizeFile, QuantizeStep, reportToTable } from '@tinyforge/quantizer';
import { commandProgress, Progress, ProgressTask } from '../progress';
import { UsageError } from '../cli-error';
import { CommandIO, printable } from '../output';

export interface QuantizeCommandOptions {
  calib?: string;
  output: string;
  onnxQdq?: string;
  qdqRounding: string;
  method: string;
  percentile: string;
  perTensor?: boolean;
  biasCorrection?: boolean;
  io: string;
  activations?: string;
  head?: string;
  samples?: string;
  eval?: string;
  labels?: string;
  report?: string;
  html?: string;
  resize?: string;
  mean?: string;
  std?: string;
  channels?: string;
  calibLayout?: string;
  warnDrop?: string;
  warnSqnr?: string;
  json?: boolean;
  verbose?: boolean;
}

function numbers(flag: string, v: string | undefined): number[] | undefined {
  if (v === undefined) return undefined;
  const list = v.split(',').map(Number);
  if (list.some((x) => !Number.isFinite(x))) throw new UsageError(`${flag} takes numbers separated by commas, got '${v}'`);
  return list;
}

function positiveInt(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n <= 0) throw new UsageError(`${flag} takes a positive integer, got '${v}'`);
  return n;
}

const STEP_LABELS: Record<QuantizeStep, [string, string]> = {
  calibrate: ['calibrating', 'samples'],
  search: ['method auto', 'runs'],
  'bias-correction': ['bias correction', 'samples'],
  evaluate: ['evaluating', 'samples'],
};

/** The quantizer's steps as progress lines (one per step, redrawn in place). */
function quantizeProgress(progress: Progress): (done: number, total: number, step?: QuantizeStep) => void {
  let current: { step: QuantizeStep; total: number; task: ProgressTask } | undefined;
  return (done, total, step = 'calibrate') => {
    if (!progress.enabled) return;
    if (current === undefined || current.step !== step || current.total !== total || done === 0) {
      current?.task.end();
      current = { step, total, task: progress.task(STEP_LABELS[step][0], total, STEP_LABELS[step][1]) };
    }
    current.task.update(done);
    if (done >= total) {
      current.task.end();
      current = undefined;
    }
  };
}

/** `quantize MODEL --calib DATA -o OUT.tflite`: a thin wrapper over quantizeFile. */
export function runQuantize(model: string, o: QuantizeCommandOptions, io: CommandIO, progress: Progress = commandProgress(o.json)): void {
  if (o.method !== 'auto' && !CALIBRATION_METHODS.includes(o.method as CalibrationMethod)) throw new UsageError(`--method must be one of ${CALIBRATION_METHODS.join(', ')} or auto, got '${o.method}'`);
  const warnDrop = o.warnDrop !== undefined ? Number(o.warnDrop) : undefined;
  if (warnDrop !== undefined && !(warnDrop >= 0)) throw new UsageError(`--warn-drop takes points (a number ≥ 0), got '${o.warnDrop}'`);
  const warnSqnr = o.warnSqnr !== undefined ? Number(o.warnSqnr) : undefined;
  if (warnSqnr !== undefined && !Number.isFinite(warnSqnr)) throw new UsageError(`--warn-sqnr takes dB, got '${o.warnSqnr}'`);
  if (o.io !== 'int8' && o.io !== 'float') throw new UsageError(`--io must be int8 or float, got '${o.io}'`);
  const activations = o.activations ?? 'int8';
  if (activations !== 'int8' && activations !== 'int16') throw new UsageError(`--activations must be int8 or int16, got '${activations}'`);
  const head = o.head ?? 'auto';
  if (head !== 'auto' && head !== 'int8' && head !== 'int16') throw new UsageError(`--head must be auto, int8 or int16, got '${head}'`);
  if (o.qdqRounding !== 'tflite' && o.qdqRounding !== 'plain') throw new UsageError(`--qdq-rounding must be tflite or plain, got '${o.qdqRounding}'`);
  const percentile = Number(o.percentile);
  if (o.calibLayout !== undefined && o.calibLayout !== 'nchw' && o.calibLayout !== 'nhwc') throw new UsageError(`--calib-layout must be nchw or nhwc, got '${o.calibLayout}'`);
  const resize = numbers('--resize', o.resize?.replace(/x/i, ','));
  if (resize !== undefined && resize.length !== 2) throw new UsageError(`--resize takes HxW, got '${o.resize}'`);
  const result = quantizeFile({
    model,
    calib: o.calib,
    output: o.output,
    onnxQdq: o.onnxQdq,
    qdqRounding: o.qdqRounding,
    method: o.method as CalibrationMethod | 'auto',
    warnDropPoints: warnDrop,
    warnSqnrDb: warnSqnr,
    percentile,
    perTensor: o.perTensor,
    biasCorrection: o.biasCorrection,
    io: o.io,
    activations,
    head,
    samples: positiveInt('--samples', o.samples),
    eval: o.eval,
    labels: o.labels,
    reportJson: o.report,
    reportHtml: o.html,
    resize: resize as [number, number] | undefined,
    mean: numbers('--mean', o.mean),
    std: numbers('--std', o.std),
    channels: positiveInt('--channels', o.channels),
    layout: o.calibLayout as 'nchw' | 'nhwc' | undefined,
    onProgress: quantizeProgress(progress),
  });
  // The accuracy warning also as a line of its own on stderr: the report table is long.
  if (result.report.accuracyWarning && !o.json) io.err(`warning: ${printable(result.report.warnings[result.report.warnings.length - 1], 1000)}`);
  if (o.json) {
    const { biasCorrections } = result.result;
    io.out(JSON.stringify({ model, written: result.written, calibration: result.calibration, milliseconds: result.milliseconds, report: result.report, biasCorrections }, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2));
    return;
  }
  io.out(reportToTable(result.report).split('\n').map((l) => printable(l, 200)).join('\n'));
  const corrected = result.result.biasCorrections;
  if (corrected !== undefined) {
    const largest = corrected.reduce((a, c) => (c.meanErrorLsb > a.meanErrorLsb ? c : a), corrected[0] ?? { node: '-', meanErrorLsb: 0, maxChange: 0 });
    io.out(`bias correction: ${corrected.length} layers; largest mean shift ${largest.meanErrorLsb.toFixed(3)} LSB (${printable(largest.node, 60)})`);
  }
  io.out(`${printable(model)} → ${result.written.map((f) => printable(f)).join(', ')} (${result.calibration}; ${result.milliseconds} ms)`);
}

export function registerQuantizeCommand(program: Command, io: CommandIO): void {
  program
    .command('quantize')
    .description('quantize a float ONNX/TFLite model to int8 (TFLite int8 scheme) with calibration data and an accuracy report')
    .argument('<model>', 'a float .onnx or .tflite model')
    .option('--calib <path>', ".npy/.npz file, folder of PNG images or .bin tensors, or 'random' (shapes, dtypes, layout: below)")
    .requiredOption('-o, --output <file>', 'the int8 .tflite to write')
    .option('--onnx-qdq <file>', 'also write the int8 model as ONNX QDQ')
    .option(
      '--qdq-rounding <mode>',
      "tflite: the QDQ model spells out TFLite's requantization, so ONNX runtimes compute our int8 results exactly (on float kernels); plain: standard DQ → op → Q groups for integer kernels, which round once (±1 LSB)",
      'tflite',
    )
    .option('--method <name>', `calibration method: ${CALIBRATION_METHODS.join('|')}, or auto (each one on the calibration set, the best by held-out output SQNR)`, DEFAULT_CALIBRATION_METHOD)
    .option('--warn-drop <points>', 'warn when int8 accuracy (without labels: top-1 agreement) falls by more than this many points', '1')
    .option('--warn-sqnr <dB>', 'warn when the output SQNR is below this', '15')
    .option('--percentile <p>', 'kept percentile for --method percentile', '99.99')
    .option('--per-tensor', 'one weight scale per tensor instead of per output channel')
    .option('--bias-correction', 'subtract from each conv/FC bias the mean output shift its weight rounding causes (measured on the calibration data)')
    .option('--io <type>', 'model inputs/outputs: int8, or float with Quantize/Dequantize at the edges', 'int8')
    .option('--activations <type>', "int8, or int16 (TFLite's 16x8 mode: int16 activations, int8 weights, int64 biases)", 'int8')
    .option(
      '--head <precision>',
      "a Softmax output's fully connected layers: auto (16x8 when int8 logits would leave the two best classes within one step on > 1 % of the calibration samples), int8 or int16; the output stays int8",
      'auto',
    )
    .option('--samples <n>', 'use at most N calibration samples')
    .option('--eval <path>', 'evaluation data for the report (default: the first calibration samples)')
    .option('--labels <file>', 'class labels of the evaluation samples (.npy or one per line): report accuracy')
    .option('--report <file>', 'write the report as JSON')
    .option('--html <file>', 'write the report as HTML with a per-layer SQNR chart')
    .option('--resize <HxW>', 'image folders: the size to resize to (must match the model input)')
    .option('--mean <m>', 'image folders: mean(s) subtracted from pixel/255, comma-separated per channel')
    .option('--std <s>', 'image folders: std(s) dividing (pixel/255 − mean)')
    .option('--channels <n>', 'image folders: 1 or 3 channels')
    .option('--calib-layout <layout>', "nchw|nhwc: the axis order of 4-D .npy/.npz/.bin samples when it is not the model input's declared layout (they are converted)")
    .option('--json', 'print a machine-readable result on stdout')
    .option('--verbose', 'print stack traces on errors')
    .addHelpText('after', CALIBRATION_HELP)
    .action((model: string, opts: QuantizeCommandOptions) => runQuantize(model, opts, io));
}
