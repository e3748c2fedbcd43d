import * as path from 'path';
import { Command } from 'commander';
import { formatSizeReport, loadTarget, SizeReport } from '@tinyforge/boards';
import { checkOutputDir, firstForeignEntry, publishDir } from '@tinyforge/common';
import { readModel, readModelBytes } from '@tinyforge/model-format';
import { buildModelFirmware, ModelFirmware } from '../pipeline';
import { UsageError } from '../cli-error';
import { CommandIO, printable } from '../output';
import { ModelFigures, modelFigures, modelFiguresText } from '../pipeline/figures';

export interface BuildCommandOptions {
  board: string;
  model: string;
  output: string;
  optimize: string;
  lto?: boolean;
  profile?: boolean;
  /** The MLPerf Tiny benchmark id: build the runner-protocol application. */
  mlperf?: string;
  json?: boolean;
  verbose?: boolean;
}

export interface BuildSummary extends ModelFigures {
  board: string;
  model: string;
  elf: string;
  bin: string;
  hex: string;
  uf2?: string;
  map: string;
  /** What was built (firmware.json): `tinyforge run MODEL --board B --firmware DIR` runs it. */
  manifest: string;
  loadAddress: number;
  size: SizeReport;
  /** Whether the firmware links packed convolution filters (DSP cores, when they fit the flash). */
  packedFilters: boolean;
  profile: boolean;
  milliseconds: number;
}

/** What a firmware build folder holds (buildModelFirmware with the default image name). */
const FIRMWARE_OUTPUT = /^(firmware\.(elf|bin|hex|map|uf2|json)|memory\.ld|src)$/;

/**
 * `build --board B --model M -o DIR`: codegen, then the firmware (generated C + kernels + board support). The
 * output folder is checked before the work and published as one unit: built complete in a staging folder beside
 * it (debug info already naming DIR), then swapped in.
 */
export function runBuild(opts: BuildCommandOptions, io: CommandIO): BuildSummary {
  if (opts.optimize !== 'O2' && opts.optimize !== 'Os' && opts.optimize !== 'O3') throw new UsageError(`--optimize must be O2, Os or O3, got '${opts.optimize}'`);
  const optimize: 'O2' | 'Os' | 'O3' = opts.optimize;
  checkOutputDir(opts.output);
  const started = process.hrtime.bigint();
  const target = loadTarget(opts.board);
  const modelBytes = readModelBytes(opts.model);
  const graph = readModel(modelBytes, { file: opts.model });
  const finalDir = path.resolve(opts.output);
  let staging = finalDir;
  const staged: ModelFirmware = publishDir(
    opts.output,
    (dir) => {
      staging = dir;
      return buildModelFirmware(graph, target, {
        outDir: dir,
        finalDir,
        prefix: path.basename(opts.model).replace(/\.[^.]*$/, ''),
        modelBytes,
        optimize,
        lto: opts.lto,
        profile: opts.profile === true,
        mlperf: opts.mlperf !== undefined ? { modelId: opts.mlperf } : undefined,
        onStep: opts.json ? undefined : (step) => io.err(`[build] ${step}`),
      });
    },
    { previousOutput: (dir) => firstForeignEntry(dir, (name) => FIRMWARE_OUTPUT.test(name)) },
  );
  const published = (p: string): string => path.join(finalDir, path.relative(staging, p));
  const built = { ...staged, manifestPath: published(staged.manifestPath), firmware: { ...staged.firmware, elf: published(staged.firmware.elf), bin: published(staged.firmware.bin), hex: published(staged.firmware.hex), map: published(staged.firmware.map), uf2: staged.firmware.uf2 !== undefined ? published(staged.firmware.uf2) : undefined } };
  const fw = built.firmware;
  const { packedFilters } = built;
  const uf2 = fw.uf2;
  const summary: BuildSummary = {
    board: target.name,
    model: opts.model,
    elf: fw.elf,
    bin: fw.bin,
    hex: fw.hex,
    uf2,
    map: fw.map,
    manifest: built.manifestPath,
    loadAddress: fw.loadAddress,
    ...modelFigures(built.generated),
    size: fw.size,
    packedFilters,
    profile: opts.profile === true,
    milliseconds: Number(process.hrtime.bigint() - started) / 1e6,
  };
  if (opts.json) io.out(JSON.stringify(summary, null, 2));
  else {
    const images = [fw.elf, fw.bin, fw.hex, ...(uf2 ? [uf2] : [])].map((f) => path.basename(f)).join(' ');
    io.out(
      `${printable(opts.model)} → ${printable(opts.output)}/{${images}} for ${target.name} (load at 0x${fw.loadAddress.toString(16).padStart(8, '0')}${opts.profile ? ', profiled' : ''}), ${summary.milliseconds.toFixed(0)} ms\n` +
        `${modelFiguresText(summary, packedFilters)}\n${formatSizeReport(fw.size)}`,
    );
  }
  return summary;
}

export function registerBuildCommand(program: Command, io: CommandIO): void {
  program
    .command('build')
    .description('generate C for an int8 model and build firmware for a board: ELF, BIN, Intel HEX (and UF2 where the board takes it), a size report, and firmware.json for `run --firmware`')
    .requiredOption('--board <name>', 'a board under boards/ (see `tinyforge board list`)')
    .requiredOption('--model <file>', 'an int8 .tflite or .onnx model')
    .requiredOption('-o, --output <dir>', 'directory for the images, the map file and the generated sources')
    .option('--optimize <level>', 'O2, Os or O3', 'O2')
    .option('--lto', 'link-time optimisation')
    .option('--profile', 'with the per-layer profiler (hooks and records over the console UART)')
    .option('--mlperf <model-id>', "the board application speaks the MLPerf Tiny runner's protocol (kws01, ad01, ic01, vww01) instead of the link: point the official runner at the board")
    .option('--json', 'print a machine-readable result on stdout')
    .option('--verbose', 'print stack traces on errors')
    .action((opts: BuildCommandOptions) => {
      runBuild(opts, io);
    });
}
