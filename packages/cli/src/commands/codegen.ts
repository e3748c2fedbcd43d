import * as fs from 'fs';
import * as path from 'path';
import { Command } from 'commander';
import { coreFeatures, loadTarget } from '@tinyforge/boards';
import { foreignCodegenEntry, generateC, PlannerKind } from '@tinyforge/codegen-c';
import { checkOutputDir, publishDir } from '@tinyforge/common';
import { composePipeline, Graph } from '@tinyforge/ir';
import { UsageError } from '../cli-error';
import { CommandIO, printable } from '../output';
import { loadModelAndBytes } from './load-model';
import { arenaRegions, fitCheck, FitCheck, fitText, ModelFigures, modelBudget, modelFigures, modelFiguresText } from '../pipeline/figures';

export interface CodegenCommandOptions {
  output: string;
  board?: string;
  prefix?: string;
  planner: string;
  align: string;
  profile: boolean;
  flashBudget?: string;
  json?: boolean;
  verbose?: boolean;
  /** With a second model (the classifier): run it every N frames. */
  stride?: string;
}

export interface CodegenSummary extends ModelFigures {
  model: string;
  outputDir: string;
  prefix: string;
  files: string[];
  layers: number;
  planner: string;
  board?: string;
  /** With --board: whether the model's arena and weights fit it. */
  fit?: FitCheck;
  milliseconds: number;
}

/**
 * `codegen MODEL -o DIR`: a thin wrapper over generateC. The output folder is checked before the work and published
 * as one unit (publishDir): a reader or a killed run sees the previous set of files or the new one, never a mix.
 */
export function runCodegen(model: string, options: CodegenCommandOptions, io: CommandIO, classifier?: string): CodegenSummary {
  if (options.planner !== 'greedy' && options.planner !== 'optimal') throw new UsageError(`--planner must be greedy or optimal, got '${options.planner}'`);
  const align = Number(options.align);
  if (align !== 4 && align !== 8 && align !== 16) throw new UsageError(`--align must be 4, 8 or 16, got '${options.align}'`);
  checkOutputDir(options.output);
  const started = process.hrtime.bigint();
  if (options.stride !== undefined && classifier === undefined) throw new UsageError('--stride goes with two models: codegen FRONT_END CLASSIFIER');
  const { graph, bytes } = classifier === undefined ? loadModelAndBytes(model, io) : loadTwoModelPipeline(model, classifier, options.stride, io);
  const board = options.board !== undefined ? loadTarget(options.board) : undefined;
  const flashBudget = options.flashBudget !== undefined ? Number(options.flashBudget) : undefined;
  if (flashBudget !== undefined && !(Number.isInteger(flashBudget) && flashBudget >= 0)) {
    throw new UsageError(`--flash-budget must be a number of bytes >= 0, got '${options.flashBudget}'`);
  }
  const generated = generateC(graph, {
    prefix: options.prefix ?? (classifier === undefined ? path.basename(model).replace(/\.[^.]*$/, '') : 'pipeline'),
    planner: options.planner as PlannerKind,
    align,
    profile: options.profile,
    modelBytes: bytes,
    budget: board && modelBudget(board),
    regions: board && arenaRegions(board, graph),
    core: board && coreFeatures(board),
    flashBudget,
  });
  publishDir(options.output, (dir) => {
    for (const [name, text] of Object.entries(generated.files)) fs.writeFileSync(path.join(dir, name), text);
  }, { previousOutput: foreignCodegenEntry });
  const summary: CodegenSummary = {
    model,
    outputDir: options.output,
    prefix: generated.prefix,
    files: Object.keys(generated.files),
    ...modelFigures(generated),
    layers: generated.layers.length,
    planner: generated.plan.planner,
    board: board?.name,
    fit: board && fitCheck(board, modelFigures(generated)),
    milliseconds: Number(process.hrtime.bigint() - started) / 1e6,
  };
  if (options.json) io.out(JSON.stringify(summary, null, 2));
  else {
    io.out(
      `${printable(model)} → ${printable(options.output)}/${generated.prefix}.{h,c} ${generated.prefix}_weights.c plan.json report.html\n` +
        `${modelFiguresText(summary, generated.packedFilters)}\n${summary.layers} layers, ${summary.milliseconds.toFixed(0)} ms` +
        (summary.fit !== undefined ? `\n${fitText(summary.fit)}` : '') +
        (board === undefined && generated.flashBytesByBuild.packedFilters !== generated.flashBytes
          ? `\nno --board: generated for any core (int8 filters); for a DSP core (--board, tinyforge build) the convolutions take packed filters: weights ${generated.flashBytesByBuild.packedFilters} B`
          : ''),
    );
  }
  return summary;
}

/**
 * `codegen FRONT_END CLASSIFIER`: the two models as one pipeline (ir composePipeline: the front end, the feature
 * window as persistent state, the classifier every `stride` frames), as a pipeline file gives it.
 */
function loadTwoModelPipeline(frontFile: string, classifierFile: string, strideText: string | undefined, io: CommandIO): { graph: Graph; bytes: Uint8Array } {
  const stride = strideText === undefined ? 1 : Number(strideText);
  if (!Number.isSafeInteger(stride) || stride < 1) throw new UsageError(`--stride must be a positive integer, got '${strideText}'`);
  const front = loadModelAndBytes(frontFile, io);
  const back = loadModelAndBytes(classifierFile, io);
  const stem = (f: string): string => path.basename(f).replace(/\.[^.]*$/, '');
  const graph = composePipeline(front.graph, back.graph, { stride, names: [stem(frontFile), stem(classifierFile)] });
  for (const w of graph.metadata.warnings?.slice((front.graph.metadata.warnings?.length ?? 0) + (back.graph.metadata.warnings?.length ?? 0)) ?? []) io.err(`warning: ${printable(w, 1000)}`);
  const bytes = new Uint8Array(front.bytes.length + back.bytes.length);
  bytes.set(front.bytes, 0);
  bytes.set(back.bytes, front.bytes.length);
  return { graph, bytes };
}

export function registerCodegenCommand(program: Command, io: CommandIO): void {
  program
    .command('codegen')
    .description('generate C code (header, layers, weights, plan.json, report.html) for an int8 model')
    .argument('<model>', 'an int8 .tflite or .onnx file, a pipeline file (.json), or a streaming front end (with a classifier after it)')
    .argument('[classifier]', 'a classifier reading a window of the front end\'s feature rows: one program of both (the window kept as state)')
    .requiredOption('-o, --output <dir>', 'directory to write the generated files to')
    .option('--board <name>', "generate for this board's core and say whether the model's arena and weights fit its RAM and flash")
    .option('--prefix <name>', 'prefix of every generated symbol and file (default: the model file name)')
    .option('--planner <kind>', 'memory planner: greedy or optimal', 'optimal')
    .option('--align <bytes>', 'alignment of every arena offset: 4, 8 or 16', '16')
    .option('--no-profile', 'leave out the TINYFORGE_LAYER_BEGIN/END profiling hooks')
    .option('--flash-budget <bytes>', "flash for the model's constants: packed convolution filters are chosen layer by layer within it (default: the board's flash minus room for code)")
    .option('--stride <frames>', 'with a classifier: run it every N frames (default 1, every new feature row)')
    .option('--json', 'print a machine-readable result on stdout')
    .option('--verbose', 'print stack traces on errors')
    .action((model: string, classifier: string | undefined, opts: CodegenCommandOptions) => {
      runCodegen(model, opts, io, classifier);
    });
}
