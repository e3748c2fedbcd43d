import * as fs from 'fs';
import * as path from 'path';
import { Command } from 'commander';
import { binToUf2, BoardError, buildModelFirmware, coreFeatures, formatSizeReport, loadBoard, ModelFirmwareResult } from '@tinyforge/boards';
import { generateC, GeneratedC } from '@tinyforge/codegen-c';
import { buildPreferringPackedFilters, linksPackedFilters } from '../pipeline/model-firmware';
import { kernelIncludeDir, kernelSources } from '@tinyforge/kernels-cmsis';
import { readModelFile } from '@tinyforge/model-format';
import { writeFileAtomic } from '@tinyforge/common';
import { UsageError } from '../cli-error';
import { CommandIO, printable } from '../output';

export interface BuildCommandOptions {
  board: string;
  model: string;
  output: string;
  optimize: string;
  lto?: boolean;
  json?: boolean;
  verbose?: boolean;
}

export interface BuildSummary {
  board: string;
  model: string;
  elf: string;
  bin: string;
  hex: string;
  uf2?: string;
  map: string;
  loadAddress: number;
  size: ModelFirmwareResult['size'];
  /** Whether the firmware links packed convolution filters (DSP cores, when they fit the flash). */
  packedFilters: boolean;
  milliseconds: number;
}

/** `build --board B --model M -o DIR`: codegen, then the firmware (generated C + kernels + board support). */
export function runBuild(opts: BuildCommandOptions, io: CommandIO): BuildSummary {
  if (opts.optimize !== 'O2' && opts.optimize !== 'Os' && opts.optimize !== 'O3') throw new UsageError(`--optimize must be O2, Os or O3, got '${opts.optimize}'`);
  const optimize: 'O2' | 'Os' | 'O3' = opts.optimize;
  const started = process.hrtime.bigint();
  const board = loadBoard(opts.board);
  const graph = readModelFile(opts.model);
  const modelBytes = fs.readFileSync(opts.model);
  const { generated, fw } = buildPreferringPackedFilters(
    board,
    (packedConvolutions) => generateC(graph, { prefix: path.basename(opts.model).replace(/\.[^.]*$/, ''), modelBytes, core: coreFeatures(board), packedConvolutions }),
    (g): { generated: GeneratedC; fw: ModelFirmwareResult } => ({
      generated: g,
      fw: buildModelFirmware({ board, generated: g, kernelSources: kernelSources(), kernelIncludeDirs: [kernelIncludeDir], outDir: opts.output, optimize, lto: opts.lto }),
    }),
  );
  const packedFilters = generated.packedFilters && linksPackedFilters(board);
  const uf2Method = board.flashing.find((m) => m.method === 'uf2');
  let uf2: string | undefined;
  if (uf2Method !== undefined && uf2Method.method === 'uf2') {
    uf2 = fw.bin.replace(/\.bin$/, '.uf2');
    try {
      writeFileAtomic(uf2, binToUf2(fs.readFileSync(fw.bin), fw.loadAddress, uf2Method.familyId));
    } catch (e) {
      throw new BoardError('BOARD_IO', `cannot write the UF2 image: ${(e as Error).message}`, { file: uf2 });
    }
  }
  const summary: BuildSummary = {
    board: board.name,
    model: opts.model,
    elf: fw.elf,
    bin: fw.bin,
    hex: fw.hex,
    uf2,
    map: fw.map,
    loadAddress: fw.loadAddress,
    size: fw.size,
    packedFilters,
    milliseconds: Number(process.hrtime.bigint() - started) / 1e6,
  };
  if (opts.json) io.out(JSON.stringify(summary, null, 2));
  else {
    const images = [fw.elf, fw.bin, fw.hex, ...(uf2 ? [uf2] : [])].map((f) => path.basename(f)).join(' ');
    io.out(
      `${printable(opts.model)} → ${printable(opts.output)}/{${images}} for ${board.name} (load at 0x${fw.loadAddress.toString(16).padStart(8, '0')}${packedFilters ? ', packed convolution filters' : ''}), ${summary.milliseconds.toFixed(0)} ms\n` +
        formatSizeReport(fw.size),
    );
  }
  return summary;
}

export function registerBuildCommand(program: Command, io: CommandIO): void {
  program
    .command('build')
    .description('generate C for an int8 model and build firmware for a board: ELF, BIN, Intel HEX (and UF2 where the board takes it), with a size report')
    .requiredOption('--board <name>', 'a board under boards/ (see `tinyforge board list`)')
    .requiredOption('--model <file>', 'an int8 .tflite or .onnx model')
    .requiredOption('-o, --output <dir>', 'directory for the images, the map file and the generated sources')
    .option('--optimize <level>', 'O2, Os or O3', 'O2')
    .option('--lto', 'link-time optimisation')
    .option('--json', 'print a machine-readable result on stdout')
    .option('--verbose', 'print stack traces on errors')
    .action((opts: BuildCommandOptions) => {
      runBuild(opts, io);
    });
}
