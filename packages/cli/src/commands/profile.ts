import * as fs from 'fs';
import { Command } from 'commander';
import { checkOutputFile, readError, systemErrorWords, writeFileAtomic } from '@tinyforge/common';
import { loadTarget } from '@tinyforge/boards';
import {
  BoardInfo,
  formatComparison,
  formatReportTable,
  LayerTable,
  mergeLayerTables,
  parseLayerTable,
  profilePort,
  ProfilerError,
  renderOutputs,
  reportToJson,
} from '@tinyforge/serial-profiler';
import { UsageError } from '../cli-error';
import { CommandIO, printable } from '../output';
import { boardInfo, profileFirmware } from '../pipeline';

export interface ProfileCommandOptions {
  port: string;
  board: string;
  runs: string;
  baud?: string;
  timeout: string;
  idleTimeout: string;
  table?: string[];
  trace?: string;
  html?: string;
  compare?: string;
  threshold: string;
  /** With `input`: drive the board application `tinyforge build --profile -o DIR` built (flashed and running). */
  firmware?: string;
  input?: string;
  json?: boolean;
  verbose?: boolean;
  /** commander's --no-cycles. */
  cycles?: boolean;
}

function positiveInt(value: string, option: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${option} must be a positive integer, got '${value}'`);
  return n;
}

function readText(file: string, what: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ProfilerError('PROFILE_BAD_OPTION', `cannot read ${what} ${file}: ${systemErrorWords(e)}`);
  }
}

function readInput(file: string): Uint8Array {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    throw readError(file, e);
  }
}

function writeText(file: string, text: string): void {
  writeFileAtomic(file, text);
}

export async function runProfile(opts: ProfileCommandOptions, io: CommandIO): Promise<void> {
  const runs = positiveInt(opts.runs, '--runs');
  const timeoutMs = positiveInt(opts.timeout, '--timeout');
  const idleTimeoutMs = positiveInt(opts.idleTimeout, '--idle-timeout');
  const threshold = Number(opts.threshold);
  if (!(threshold >= 0)) throw new UsageError(`--threshold must be a non-negative percentage, got '${opts.threshold}'`);
  if ((opts.firmware === undefined) !== (opts.input === undefined)) throw new UsageError('--firmware and --input go together: the input is sent to the firmware built in that folder');
  if (opts.firmware !== undefined && opts.table !== undefined) throw new UsageError('--table is for a passive capture: with --firmware the build\'s own layer table is used');
  for (const file of [opts.trace, opts.html]) if (file !== undefined) checkOutputFile(file);
  const target = loadTarget(opts.board);
  const board: BoardInfo = boardInfo(target);
  const baudRate = opts.baud !== undefined ? positiveInt(opts.baud, '--baud') : target.console.baud;
  const tables: LayerTable[] = (opts.table ?? []).map((f) => parseLayerTable(readText(f, 'layer table'), f));
  const baseline = opts.compare !== undefined ? { text: readText(opts.compare, 'baseline report'), file: opts.compare } : undefined;
  const onText = opts.verbose ? (line: string) => io.err(`board: ${printable(line, 200)}`) : undefined;

  const result =
    opts.firmware !== undefined
      ? await profileFirmware({ port: opts.port, target, firmwareDir: opts.firmware, input: readInput(opts.input!), runs, timeoutMs, baudRate, onText, cycles: opts.cycles })
      : await profilePort(opts.port, { board, runs, timeoutMs, idleTimeoutMs, baudRate, table: tables.length > 0 ? mergeLayerTables(...tables) : undefined, onText });
  const out = renderOutputs(result, board, { baseline, thresholdPercent: threshold });
  if (opts.trace) writeText(opts.trace, out.trace);
  if (opts.html) writeText(opts.html, out.html);
  if (opts.json) {
    io.out(JSON.stringify({ ...reportToJson(result.report), ...(out.comparison ? { comparison: out.comparison } : {}) }, null, 2));
    return;
  }
  io.out(formatReportTable(result.report));
  if (out.comparison) io.out(`\ncompared with ${printable(opts.compare ?? '', 200)}:\n${formatComparison(out.comparison)}`);
  if (opts.trace) io.out(`trace: ${printable(opts.trace, 200)}`);
  if (opts.html) io.out(`html: ${printable(opts.html, 200)}`);
}

export function registerProfileCommand(program: Command, io: CommandIO): void {
  program
    .command('profile')
    .description('profile a model per layer over serial (listening, or driving a `tinyforge build --profile` firmware with --firmware/--input): table, --json, --trace (Perfetto), --html, --compare')
    .requiredOption('--port <path>', 'serial port the board prints its profile frames on')
    .requiredOption('--board <name>', 'board name (boards/<name>/board.json): clock, counter unit, console baud')
    .option('--runs <n>', 'number of inference runs to aggregate (min/median/max)', '5')
    .option('--baud <rate>', 'baud rate (default: the board console baud)')
    .option('--firmware <dir>', 'the firmware `tinyforge build --profile -o DIR` built (flashed and running): send it --input each run')
    .option('--input <file>', 'with --firmware: one inference\'s input bytes (all model inputs back to back)')
    .option('--timeout <ms>', 'give up when the runs have not all arrived within this time (with --firmware: per inference)', '60000')
    .option('--idle-timeout <ms>', 'give up when the port is silent for this long', '15000')
    .option('--table <file...>', 'layer table JSON: codegen plan.json and/or `tinyforge inspect --json` output')
    .option('--trace <out.json>', 'write a Chrome trace event file (opens in Perfetto)')
    .option('--html <out.html>', 'write a self-contained HTML report')
    .option('--compare <old.json>', 'per-layer deltas against an earlier --json report')
    .option('--threshold <percent>', 'flag layers that grew by more than this with --compare', '5')
    .option('--json', 'print the report as JSON on stdout')
    .option('--no-cycles', 'with --firmware on a virtual board: skip the estimated cycles (one QEMU run of the ELF with its execution log)')
    .option('--verbose', 'echo the board text and print stack traces on errors')
    .action((opts: ProfileCommandOptions) => runProfile(opts, io));
}
