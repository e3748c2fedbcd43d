import { Command } from 'commander';
import { loadTarget } from '@tinyforge/boards';
import { checkOutputFile, writeFileAtomic } from '@tinyforge/common';
import { UsageError } from '../cli-error';
import { CommandIO, printable } from '../output';
import { LoadMethod } from '../pipeline';
import { commandProgress, Progress } from '../progress';
import { VALIDATE_ENGINES, ValidateEngine, validate } from '../validate/run-validate';
import { validateHtml, validateJson, validateText } from '../validate/report';
import { validateStream, streamValidateText } from '../validate/validate-stream';
import { loadModel, loadModelAndBytes } from './load-model';

export interface ValidateCommandOptions {
  float?: string;
  data: string;
  labels?: string;
  engine: string;
  board?: string;
  load?: string;
  samples?: string;
  dataLayout?: string;
  json?: boolean;
  html?: string;
  verbose?: boolean;
}

/** `tinyforge validate MODEL [--float F] --data D [--labels L] [--engine ref,host,board] [--board B]`. */
export async function runValidate(model: string, o: ValidateCommandOptions, io: CommandIO, progress: Progress = commandProgress(o.json)): Promise<void> {
  const engines = o.engine.split(',').map((e) => e.trim()).filter((e) => e.length > 0);
  const unknown = engines.find((e) => !VALIDATE_ENGINES.includes(e as ValidateEngine));
  if (unknown !== undefined || engines.length === 0) throw new UsageError(`--engine takes ${VALIDATE_ENGINES.join(', ')} separated by commas, got '${o.engine}'`);
  if (engines.includes('board') !== (o.board !== undefined)) throw new UsageError(o.board === undefined ? 'the board engine needs --board NAME' : '--board goes with --engine …,board');
  const samples = o.samples !== undefined ? Number(o.samples) : undefined;
  if (samples !== undefined && (!Number.isSafeInteger(samples) || samples <= 0)) throw new UsageError(`--samples takes a positive integer, got '${o.samples}'`);
  if (o.load !== undefined && o.load !== 'serial' && o.load !== 'direct') throw new UsageError(`--load must be serial or direct, got '${o.load}'`);
  if (o.dataLayout !== undefined && o.dataLayout !== 'nchw' && o.dataLayout !== 'nhwc') throw new UsageError(`--data-layout must be nchw or nhwc, got '${o.dataLayout}'`);
  if (o.html !== undefined) checkOutputFile(o.html);
  const board = o.board !== undefined ? loadTarget(o.board) : undefined;
  const { graph, bytes, pipeline } = loadModelAndBytes(model, io);
  if (pipeline !== undefined) {
    if (o.float !== undefined || o.samples !== undefined || o.dataLayout !== undefined || o.html !== undefined) throw new UsageError('a pipeline validates on .wav clips: --float, --samples, --data-layout and --html do not apply');
    const report = await validateStream({ graph, pipeline, modelBytes: bytes, data: o.data, labels: o.labels, engines, board: o.board, load: o.load as LoadMethod | undefined, progress });
    io.out(o.json ? JSON.stringify(report, null, 2) : streamValidateText(report).split('\n').map((l) => printable(l, 300)).join('\n'));
    return;
  }
  const floatGraph = o.float !== undefined ? loadModel(o.float, io) : undefined;
  const report = await validate({
    graph,
    modelFile: model,
    modelBytes: bytes,
    floatGraph,
    data: o.data,
    labels: o.labels,
    engines: engines as ValidateEngine[],
    board,
    load: o.load as LoadMethod | undefined,
    samples,
    layout: o.dataLayout as 'nchw' | 'nhwc' | undefined,
    progress,
  });
  report.float = o.float;
  if (o.html !== undefined) writeFileAtomic(o.html, validateHtml(report));
  if (o.json) {
    io.out(validateJson(report));
    return;
  }
  io.out(validateText(report).split('\n').map((l) => printable(l, 300)).join('\n'));
  if (o.html !== undefined) io.out(`wrote ${printable(o.html, 200)}`);
}

export function registerValidateCommand(program: Command, io: CommandIO): void {
  program
    .command('validate')
    .description('dataset metrics of a model on the reference interpreter, the host C build and a (virtual) board, side by side with its float model')
    .argument('<model>', 'the model to validate (.tflite or .onnx; int8 for host and board)')
    .option('--float <file>', 'the float model it was quantized from: outputs compared with it (RMSE, MAE, cosine, L2 relative error, top-1 agreement)')
    .requiredOption('--data <path>', ".npy/.npz file, IDX file (MNIST style, .gz or not), folder of PNG images or of raw float32 .bin tensors, in the model's declared layout; for a pipeline file (.json): a .wav clip or a folder of them")
    .option('--labels <file>', 'class labels (.npy, IDX, or one per line): accuracy and confusion matrices; for a pipeline: one keyword or "neither" per clip')
    .option('--engine <list>', `engines, comma-separated: ${VALIDATE_ENGINES.join(', ')}`, 'ref')
    .option('--board <name>', 'the board for the board engine (virtual boards start here; every input goes over one flashed firmware)')
    .option('--load <method>', 'board engine: serial (flash through the AN3155 bootloader, default) or direct (QEMU loads the ELF)')
    .option('--samples <n>', 'validate on the first N samples')
    .option('--data-layout <layout>', 'nchw|nhwc: the axis order of 4-D data when it is not the model input\'s declared layout')
    .option('--html <file>', 'write the report as HTML (confusion matrices as pictures)')
    .option('--json', 'print a machine-readable result on stdout')
    .option('--verbose', 'print stack traces on errors')
    .action((model: string, opts: ValidateCommandOptions) => runValidate(model, opts, io));
}
