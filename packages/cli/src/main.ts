import * as path from 'path';
import { Command, CommanderError } from 'commander';
import { BOARDS_DIR_ENV } from '@tinyforge/boards';
import { isSystemError, readError, writeError } from '@tinyforge/common';
import { isTinyforgeError } from '@tinyforge/ir';
import { UsageError } from './cli-error';
import { registerBoardCommand } from './commands/board';
import { registerBuildCommand } from './commands/build';
import { registerCodegenCommand } from './commands/codegen';
import { registerExportCommand } from './commands/export';
import { ConvertOptions, runConvert } from './commands/convert';
import { runInspect } from './commands/inspect';
import { registerFlashCommand } from './commands/flash';
import { registerProfileCommand } from './commands/profile';
import { registerQuantizeCommand } from './commands/quantize';
import { registerRunCommand } from './commands/run';
import { registerValidateCommand } from './commands/validate';
import { registerMlperfCommand } from './commands/mlperf';
import { CommandIO, printable, processIO } from './output';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const VERSION: string = require('../package.json').version;

/** Exit statuses: 0 success, 1 bad input (a TinyforgeError), 2 usage error. */
export const EXIT = { ok: 0, badInput: 1, usage: 2 } as const;

interface GlobalOptions {
  json?: boolean;
  verbose?: boolean;
}

function addCommonOptions(cmd: Command): Command {
  return cmd.option('--json', 'print a machine-readable result on stdout').option('--verbose', 'print stack traces on errors');
}

export function buildProgram(io: CommandIO, name = 'tinyforge'): Command {
  const program = new Command(name)
    .description('tinyforge: neural networks to Cortex-M microcontrollers — import, quantize, generate C, flash, profile')
    .version(VERSION)
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (s) => io.out(s),
      writeErr: (s) => io.err(s),
      outputError: (s, write) => write(`error[USAGE]: ${oneLine(s.replace(/^error: /, '').trim())}\n`),
    })
    .option('--boards-dir <dir>', `your own board definitions (<dir>/<name>/board.json and <dir>/common), for every command; default: $${BOARDS_DIR_ENV}, else the boards shipped with @tinyforge/boards`)
    .hook('preAction', (root) => {
      // Every board lookup (loadTarget/listBoards) reads the variable, so one option serves every command.
      const dir = root.opts<{ boardsDir?: string }>().boardsDir;
      if (dir !== undefined) process.env[BOARDS_DIR_ENV] = path.resolve(dir);
    });

  addCommonOptions(
    program
      .command('inspect')
      .description('show inputs, outputs, operators, per-layer MACs/params/activation bytes and totals')
      .argument('<model>', 'a .tflite or .onnx file'),
  ).action((model: string, opts: GlobalOptions) => runInspect(model, opts, io));

  addCommonOptions(
    program
      .command('convert')
      .description('convert a model between TFLite and ONNX (format from the output extension); an int8 model goes to ONNX in the QDQ form')
      .argument('<input>', 'a .tflite or .onnx file')
      .argument('<output>', 'the .tflite or .onnx file to write')
      .option('--qdq-rounding <mode>', "int8 → ONNX: tflite spells out TFLite's requantization (exact int8 results in any ONNX runtime); plain writes standard DQ → op → Q groups (±1 LSB)", 'tflite'),
  ).action((input: string, output: string, opts: ConvertOptions) => runConvert(input, output, opts, io));

  registerRunCommand(program, io);
  registerQuantizeCommand(program, io);
  registerCodegenCommand(program, io);
  registerFlashCommand(program, io);
  registerProfileCommand(program, io);
  registerBuildCommand(program, io);
  registerExportCommand(program, io);
  registerBoardCommand(program, io);
  registerValidateCommand(program, io);
  registerMlperfCommand(program, io);

  for (const c of program.commands) c.exitOverride().configureOutput(program.configureOutput());
  return program;
}

/** Run the CLI; returns the exit status instead of exiting, so tests can call it in-process. */
export async function runCli(argv: string[], io: CommandIO = processIO, name = 'tinyforge'): Promise<number> {
  const verbose = argv.includes('--verbose');
  const program = buildProgram(io, name);
  const boardsDirBefore = process.env[BOARDS_DIR_ENV];
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT.ok;
      return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (e instanceof UsageError) {
      io.err(`error[USAGE]: ${printable(oneLine(e.message), 1000)}`);
      return EXIT.usage;
    }
    if (isTinyforgeError(e)) {
      io.err(`error[${e.code}]: ${printable(oneLine(e.message), 1000)}`);
      if (verbose && e.stack) io.err(e.stack);
      return EXIT.badInput;
    }
    if (isSystemError(e) && typeof e.path === 'string') {
      // A file system failure no command mapped itself: still said in words, naming the path.
      const reading = ['open', 'read', 'stat', 'lstat', 'scandir', 'readlink', 'access'].includes(e.syscall ?? '');
      const error = reading ? readError(e.path, e) : writeError(e.path, e);
      io.err(`error[${error.code}]: ${printable(oneLine(error.message), 1000)}`);
      if (verbose && e.stack) io.err(e.stack);
      return EXIT.badInput;
    }
    // A bug in tinyforge, not bad input: still one line unless --verbose.
    const err = e instanceof Error ? e : new Error(String(e));
    io.err(`error[INTERNAL]: ${printable(oneLine(err.message), 1000)}${verbose ? '' : ' (run with --verbose for the stack trace)'}`);
    if (verbose && err.stack) io.err(err.stack);
    return EXIT.badInput;
  } finally {
    // --boards-dir lasts one command: in-process callers (tests, the Nx executors) keep their environment.
    if (boardsDirBefore === undefined) delete process.env[BOARDS_DIR_ENV];
    else process.env[BOARDS_DIR_ENV] = boardsDirBefore;
  }
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ');
}

/** Entry of the standalone bins (`quantize`, `codegen`, `flash`, `profile`): `quantize X` = `tinyforge quantize X`. */
export function runStandalone(command: string, argv: string[]): Promise<number> {
  return runCli([command, ...argv], processIO);
}
