import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildHostProgram, generateC, runHostProgram } from '@tinyforge/codegen-c';
import { Graph, shapeToString, tensorBytes, viewAs } from '@tinyforge/ir';
import { concatBytes, Interpreter, splitInputs } from '@tinyforge/interpreter';
import { checkOutputDir, checkOutputFile, firstForeignEntry, publishDir, readError, writeFileAtomic } from '@tinyforge/common';
import { Command } from 'commander';
import { loadTarget } from '@tinyforge/boards';
import { UsageError } from '../cli-error';
import { commandProgress, flashProgress, ProgressTask } from '../progress';
import { loadModel, loadModelAndBytes } from './load-model';
import { runStream, StreamEngine } from './run-stream';
import { CommandIO, printable } from '../output';
import { boardRunJson, boardRunReports, boardRunText, LoadMethod, runOnBoard, sliceOutput } from '../pipeline';

export interface RunCommandOptions {
  input: string;
  output?: string;
  engine: string;
  dump?: string;
  json?: boolean;
  /** Run on a (virtual) board instead of an engine: build, boot, flash, run. */
  board?: string;
  profile?: boolean;
  /** commander's --no-cycles: false skips the cycle estimate of --profile on virtual boards. */
  cycles?: boolean;
  load?: string;
  runs?: string;
  html?: string;
  trace?: string;
  keep?: string;
  /** With --board: run the firmware `tinyforge build` wrote to this folder instead of building. */
  firmware?: string;
}

export interface RunResultSummary {
  model: string;
  engine: string;
  outputs: { name: string; dtype: string; shape: number[]; values: number[] }[];
  outputFile?: string;
  dumpDir?: string;
  dumpedTensors?: number;
  milliseconds: number;
}

const ENGINES = ['ref', 'host'];

interface EngineRun {
  outputs: Uint8Array[];
  /** Every activation tensor by index, when a dump was asked for. */
  tensors?: Map<number, Uint8Array>;
  milliseconds: number;
}

/** The TypeScript reference interpreter. */
function runReference(graph: Graph, inputs: Uint8Array[], dump: boolean): EngineRun {
  const interpreter = new Interpreter(graph);
  const started = process.hrtime.bigint();
  const result = interpreter.run(inputs, { keepIntermediates: dump });
  return { outputs: result.outputs, tensors: result.tensors, milliseconds: Number(process.hrtime.bigint() - started) / 1e6 };
}

/** Generated C + kernels-cmsis compiled with the host gcc (a debug-dump build when a dump is asked for). */
function runHost(graph: Graph, inputs: Uint8Array[], dump: boolean): EngineRun {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyforge-host-'));
  try {
    const generated = generateC(graph, { prefix: 'model' });
    const program = buildHostProgram(graph, generated, work, { debugDump: dump });
    const dumpDir = dump ? fs.mkdtempSync(path.join(work, 'dump-')) : undefined;
    const started = process.hrtime.bigint();
    const run = runHostProgram(program, concatBytes(inputs), dumpDir);
    const milliseconds = Number(process.hrtime.bigint() - started) / 1e6;
    let at = 0;
    const outputs = graph.outputs.map((t) => {
      const n = tensorBytes(graph.tensors[t]);
      const part = run.output.slice(at, at + n);
      at += n;
      return part;
    });
    let tensors: Map<number, Uint8Array> | undefined;
    if (dumpDir !== undefined) {
      tensors = new Map();
      graph.inputs.forEach((t, i) => tensors?.set(t, inputs[i]));
      for (const f of fs.readdirSync(dumpDir)) {
        const m = /^t(\d+)\.bin$/.exec(f);
        if (m) tensors.set(Number(m[1]), new Uint8Array(fs.readFileSync(path.join(dumpDir, f))));
      }
    }
    return { outputs, tensors, milliseconds };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** `tinyforge run MODEL --input IN.bin [--output OUT.bin] --engine ref [--dump DIR]`: raw bytes in model order. */
export async function runRun(model: string, options: RunCommandOptions, io: CommandIO): Promise<void> {
  if (isWavFile(options.input)) return runWavCommand(model, options, io);
  if (options.board !== undefined) return runOnBoardCommand(model, options, io);
  if (options.profile || options.load !== undefined || options.html !== undefined || options.trace !== undefined || options.firmware !== undefined) {
    throw new UsageError('--profile, --load, --html, --trace and --firmware need --board');
  }
  if (!ENGINES.includes(options.engine)) throw new UsageError(`unknown engine '${options.engine}' (available: ${ENGINES.join(', ')})`);
  checkRunOutputs(options);
  const graph = loadModel(model, io);
  const inputBytes = readInput(options.input);
  const dump = options.dump !== undefined;
  const inputs = splitInputs(graph, inputBytes); // checks the size before any engine runs
  const result = options.engine === 'host' ? runHost(graph, inputs, dump) : runReference(graph, inputs, dump);
  const milliseconds = result.milliseconds;

  if (options.output !== undefined) writeFileAtomic(options.output, concatBytes(result.outputs));
  let dumpedTensors: number | undefined;
  if (options.dump !== undefined && result.tensors !== undefined) dumpedTensors = dumpTensors(graph, result.tensors, options.dump);

  const summary: RunResultSummary = {
    model,
    engine: options.engine,
    outputs: graph.outputs.map((t, i) => ({
      name: graph.tensors[t].name,
      dtype: graph.tensors[t].dtype,
      shape: graph.tensors[t].shape,
      values: Array.from(viewAs(result.outputs[i], graph.tensors[t].dtype) as ArrayLike<number | bigint>, Number),
    })),
    outputFile: options.output,
    dumpDir: options.dump,
    dumpedTensors,
    milliseconds,
  };
  if (options.json) {
    io.out(JSON.stringify(summary, null, 2));
    return;
  }
  for (const o of summary.outputs) {
    const shown = o.values.length > 16 ? `${o.values.slice(0, 16).join(' ')} … (${o.values.length} values)` : o.values.join(' ');
    io.out(`${printable(o.name)}: ${o.dtype} ${shapeToString(o.shape)} = ${shown}`);
  }
  io.out(`engine ${options.engine}: ${milliseconds.toFixed(1)} ms${options.output ? `, wrote ${printable(options.output, 200)}` : ''}${dumpedTensors !== undefined ? `, dumped ${dumpedTensors} tensors to ${printable(options.dump ?? '', 200)}` : ''}`);
}

/**
 * Every activation tensor as `t<index>.bin` plus `tensors.json` (index, name, op that produced it, dtype, shape,
 * quantization) — the layout of the gold `layers_0/` folders. Written to a staging folder that then replaces `dir`.
 */
function dumpTensors(graph: Graph, tensors: Map<number, Uint8Array>, dir: string): number {
  return publishDir(dir, (tmp) => {
    const producer = new Map<number, { index: number; op: string }>();
    graph.nodes.forEach((n, index) => n.outputs.forEach((t) => producer.set(t, { index, op: n.op })));
    const index: unknown[] = [];
    for (const [t, bytes] of [...tensors].sort((a, b) => a[0] - b[0])) {
      fs.writeFileSync(path.join(tmp, `t${t}.bin`), bytes);
      const tensor = graph.tensors[t];
      index.push({ tensor: t, name: tensor.name, op_index: producer.get(t)?.index ?? null, op: producer.get(t)?.op ?? null, dtype: tensor.dtype, shape: tensor.shape, quant: tensor.quant ?? null });
    }
    fs.writeFileSync(path.join(tmp, 'tensors.json'), JSON.stringify(index, null, 1));
    return tensors.size;
  }, { previousOutput: (d) => firstForeignEntry(d, (name) => /^t\d+\.bin$/.test(name) || name === 'tensors.json') });
}

function readInput(file: string): Uint8Array {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    throw readError(file, e);
  }
}

/** Before any work: every file and folder the run writes can be written. */
function checkRunOutputs(options: RunCommandOptions): void {
  for (const file of [options.output, options.html, options.trace]) if (file !== undefined) checkOutputFile(file);
  for (const dir of [options.dump, options.keep]) if (dir !== undefined) checkOutputDir(dir);
}

/** `run MODEL --board B --input IN.bin [--output OUT.bin] [--profile] [--load serial|direct] [--runs N]`. */
async function runOnBoardCommand(model: string, options: RunCommandOptions, io: CommandIO): Promise<void> {
  const load = (options.load ?? 'serial') as LoadMethod;
  if (load !== 'serial' && load !== 'direct') throw new UsageError(`--load must be serial or direct, got '${options.load}'`);
  const runs = Number(options.runs ?? '1');
  if (!Number.isInteger(runs) || runs < 1 || runs > 1000) throw new UsageError(`--runs must be an integer in 1..1000, got '${options.runs}'`);
  if ((options.html !== undefined || options.trace !== undefined) && !options.profile) throw new UsageError('--html and --trace need --profile');
  if (options.dump !== undefined) throw new UsageError('--dump works with --engine ref|host, not on a board');
  if (options.firmware !== undefined && options.keep !== undefined) throw new UsageError('--keep keeps what the run builds; with --firmware nothing is built');
  checkRunOutputs(options);
  const target = loadTarget(options.board!);
  const { graph, bytes: modelBytes } = loadModelAndBytes(model, io);
  const input = readInput(options.input);
  splitInputs(graph, input); // the size check, with the interpreter's message
  const started = Date.now();
  const progress = commandProgress(options.json);
  let inferences: ProgressTask | undefined;
  const result = await runOnBoard({
    model: graph,
    modelBytes,
    board: target,
    firmwareDir: options.firmware,
    inputs: Array.from({ length: runs }, () => input),
    profile: options.profile === true,
    cycles: options.cycles,
    load,
    workDir: options.keep,
    onProgress: options.json ? undefined : (stage, message) => io.err(`[${stage}] ${message}`),
    onFlashProgress: flashProgress(progress, '[flash]'),
    onInference: runs > 1 ? (done, total) => (inferences ??= progress.task('[run] inferences', total, 'inputs')).update(done) : undefined,
  });
  inferences?.end();
  const last = result.outputs[result.outputs.length - 1];
  if (options.output !== undefined) writeFileAtomic(options.output, last);
  if (result.profile) {
    const reports = boardRunReports(result, `tinyforge run ${path.basename(model)} on ${result.board}`);
    if (options.html !== undefined) writeFileAtomic(options.html, new TextEncoder().encode(reports.html));
    if (options.trace !== undefined) writeFileAtomic(options.trace, new TextEncoder().encode(reports.trace));
  }
  if (options.json) {
    io.out(JSON.stringify({ model, engine: 'board', ...boardRunJson(graph, result), outputFile: options.output, milliseconds: Date.now() - started }, null, 2));
    return;
  }
  graph.outputs.forEach((t, i) => {
    const tensor = graph.tensors[t];
    const values = Array.from(viewAs(sliceOutput(graph, last, i), tensor.dtype) as ArrayLike<number | bigint>, Number);
    const shown = values.length > 16 ? `${values.slice(0, 16).join(' ')} … (${values.length} values)` : values.join(' ');
    io.out(`${printable(tensor.name)}: ${tensor.dtype} ${shapeToString(tensor.shape)} = ${shown}`);
  });
  for (const line of boardRunText(result)) io.out(line);
  const wrote = [options.output, options.html, options.trace].filter((f): f is string => f !== undefined);
  io.out(`${Date.now() - started} ms in all (${result.prebuilt ? `firmware from ${printable(options.firmware ?? '', 200)}` : `build ${result.timings.build} ms`}, flash ${result.timings.flash} ms)${wrote.length > 0 ? `; wrote ${wrote.map((f) => printable(f, 200)).join(', ')}` : ''}`);
}

const isWavFile = (file: string): boolean => file.toLowerCase().endsWith('.wav');

/**
 * `run PIPELINE.json --input CLIP.wav [--engine ref|host | --board B]`: the clip frame by frame through a pipeline
 * (a front end and a classifier in one program), the keyword of each classification.
 */
async function runWavCommand(model: string, options: RunCommandOptions, io: CommandIO): Promise<void> {
  for (const [flag, set] of [['--output', options.output], ['--dump', options.dump], ['--profile', options.profile], ['--runs', options.runs], ['--html', options.html], ['--trace', options.trace], ['--keep', options.keep], ['--firmware', options.firmware]] as const) {
    if (set !== undefined && set !== false) throw new UsageError(`${flag} does not go with .wav input (a pipeline run prints the keyword of each classification)`);
  }
  const load = (options.load ?? 'serial') as LoadMethod;
  if (load !== 'serial' && load !== 'direct') throw new UsageError(`--load must be serial or direct, got '${options.load}'`);
  if (options.board === undefined && !ENGINES.includes(options.engine)) throw new UsageError(`unknown engine '${options.engine}' (available: ${ENGINES.join(', ')})`);
  const { graph, bytes, pipeline } = loadModelAndBytes(model, io);
  if (pipeline === undefined) throw new UsageError(`.wav input goes to a pipeline file (.json: a front end and a classifier); ${printable(model, 200)} is a model`);
  const engine: StreamEngine =
    options.board !== undefined
      ? { kind: 'board', board: options.board, load, modelBytes: bytes, onProgress: options.json ? undefined : (stage, message) => io.err(`[${stage}] ${message}`) }
      : { kind: options.engine as 'ref' | 'host' };
  await runStream(pipeline, graph, options.input, engine, io, options.json === true);
}

/** Registers `run` with every option (engines and boards); main.ts calls this. */
export function registerRunCommand(program: Command, io: CommandIO): void {
  program
    .command('run')
    .description('run a model on raw input bytes (all inputs back to back, model order) and write the raw outputs: on an engine, or built, flashed and run on a board')
    .argument('<model>', 'a .tflite or .onnx file')
    .requiredOption('--input <file>', 'raw input bytes; for a pipeline file (.json): a 16-bit PCM mono .wav clip, run frame by frame')
    .option('--output <file>', 'write the raw output bytes here')
    .option('--engine <name>', 'ref: the TypeScript reference interpreter; host: generated C compiled with gcc', 'ref')
    .option('--dump <dir>', 'write every tensor as t<index>.bin with tensors.json')
    .option('--board <name>', 'build firmware for this board (e.g. qemu-m4), boot it, flash it and run there')
    .option('--load <method>', 'with --board: serial (flash through the AN3155 bootloader, default) or direct (QEMU loads the ELF)')
    .option('--profile', 'with --board: per-layer profile over the console UART (virtual boards with a cortex-m4/m7: and estimated cycles)')
    .option('--no-cycles', 'with --profile on a virtual board: skip the estimated cycles (one more QEMU run with its execution log)')
    .option('--runs <n>', 'with --board: run the input this many times (profile statistics over runs)')
    .option('--html <file>', 'with --profile: write the HTML report (per-layer bars, arena picture)')
    .option('--trace <file>', 'with --profile: write a Chrome trace (Perfetto)')
    .option('--keep <dir>', 'with --board: keep generated C and build outputs in this folder')
    .option('--firmware <dir>', 'with --board: run the firmware `tinyforge build --board B --model M -o DIR` wrote (no build)')
    .option('--json', 'print a machine-readable result on stdout')
    .option('--verbose', 'print stack traces on errors')
    .action((model: string, opts: RunCommandOptions) => runRun(model, opts, io));
}
