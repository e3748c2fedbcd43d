import * as fs from 'fs';
import { Command } from 'commander';
import { loadTarget } from '@tinyforge/boards';
import { formatTable, readError } from '@tinyforge/common';
import { UsageError } from '../cli-error';
import { CommandIO, printable } from '../output';
import { LoadMethod, MLPERF_BENCHMARKS, MlperfRunResult, mlperfModelIdFor, runMlperf } from '../pipeline';
import { commandProgress, flashProgress, Progress } from '../progress';
import { loadModelAndBytes } from './load-model';

export interface MlperfCommandOptions {
  board: string;
  model: string;
  modelId?: string;
  input?: string;
  loops?: string;
  minSeconds?: string;
  load?: string;
  json?: boolean;
  verbose?: boolean;
}

function positive(flag: string, v: string | undefined, integer: boolean): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isSafeInteger(n))) throw new UsageError(`${flag} takes a positive ${integer ? 'integer' : 'number'}, got '${v}'`);
  return n;
}

export function mlperfText(r: MlperfRunResult): string[] {
  const int = (v: number) => Math.round(v).toLocaleString('en-US');
  const table = formatTable(
    [{ header: 'loop', align: 'right' }, { header: 'warm-up', align: 'right' }, { header: 'inferences', align: 'right' }, { header: 'm-lap-us span', align: 'right' }, { header: `${r.unit} / inference`, align: 'right' }, { header: 'ms / inference', align: 'right' }],
    r.loops.map((l, i) => [String(i + 1), String(l.warmups), String(l.iterations), `${(l.microseconds / 1e6).toFixed(3)} s`, int(l.perInference.count), ((l.perInference.count / r.clockHz) * 1000).toFixed(3)]),
  );
  return [
    ...r.device.map((l) => printable(l, 200)),
    table,
    `median latency: ${int(r.median.count)} ${r.unit} per inference = ${r.median.milliseconds.toFixed(3)} ms at the board's ${(r.clockHz / 1e6).toFixed(0)} MHz (${r.board}), ${r.median.throughput.toFixed(2)} inferences/s`,
    ...(r.unit === 'instructions' ? ["(a virtual board: one instruction counted as one cycle; its m-lap-us stamps are QEMU's virtual time)"] : []),
    `m-results of the last inference: [${r.results.join(', ')}]`,
  ];
}

/** `tinyforge mlperf --board B --model M`: the MLPerf Tiny runner's performance mode against a tinyforge firmware. */
export async function runMlperfCommand(o: MlperfCommandOptions, io: CommandIO, progress: Progress = commandProgress(o.json)): Promise<void> {
  const modelId = o.modelId ?? mlperfModelIdFor(o.model);
  if (modelId === undefined) throw new UsageError(`cannot tell which MLPerf Tiny benchmark ${o.model} is: give --model-id (${Object.keys(MLPERF_BENCHMARKS).join(', ')})`);
  if (o.load !== undefined && o.load !== 'serial' && o.load !== 'direct') throw new UsageError(`--load must be serial or direct, got '${o.load}'`);
  const loops = positive('--loops', o.loops, true);
  const minSeconds = positive('--min-seconds', o.minSeconds, false);
  const board = loadTarget(o.board);
  const { graph, bytes } = loadModelAndBytes(o.model, io);
  let input: Uint8Array | undefined;
  if (o.input !== undefined) {
    try {
      input = fs.readFileSync(o.input);
    } catch (e) {
      throw readError(o.input, e);
    }
  }
  if (!o.json && o.modelId === undefined) io.err(`note: ${printable(o.model, 200)} taken as MLPerf Tiny benchmark ${modelId} (--model-id to say otherwise)`);
  if (!o.json && o.input === undefined) io.err('note: no --input: the input is seeded random bytes (latency does not depend on the values for these kernels)');
  const loopTask = progress.task('mlperf loops', loops ?? 5, 'loops');
  const result = await runMlperf({
    graph,
    modelBytes: bytes,
    board,
    modelId,
    input,
    loops,
    minSeconds,
    load: o.load as LoadMethod | undefined,
    onProgress: (stage, message) => progress.stage(`[${stage}] ${message}`),
    onFlashProgress: flashProgress(progress, '[flash]'),
    onLoop: (done) => loopTask.update(done),
  });
  loopTask.end();
  if (o.json) {
    io.out(JSON.stringify(result, null, 2));
    return;
  }
  for (const line of mlperfText(result)) io.out(line);
}

export function registerMlperfCommand(program: Command, io: CommandIO): void {
  program
    .command('mlperf')
    .description("build the board application speaking the MLPerf Tiny runner protocol, flash a virtual board and run the runner's performance mode (median latency in board cycles and at the board's clock)")
    .requiredOption('--board <name>', 'a virtual board (qemu-m4, qemu-m55, …)')
    .requiredOption('--model <file>', 'the int8 model (.tflite or .onnx)')
    .option('--model-id <id>', `the benchmark it is: ${Object.keys(MLPERF_BENCHMARKS).join(', ')} (default: from the file name)`)
    .option('--input <file>', 'raw input bytes to load (all inputs back to back); default seeded random bytes')
    .option('--loops <n>', "loops of download + infer (the runner's 5)")
    .option('--min-seconds <s>', "shortest timed run per loop in board seconds (the runner's 10)")
    .option('--load <method>', 'serial (flash through the AN3155 bootloader, default) or direct (QEMU loads the ELF)')
    .option('--json', 'print a machine-readable result on stdout')
    .option('--verbose', 'print stack traces on errors')
    .action((opts: MlperfCommandOptions) => runMlperfCommand(opts, io));
}
