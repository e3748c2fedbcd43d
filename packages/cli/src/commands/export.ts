import * as fs from 'fs';
import * as path from 'path';
import { Command } from 'commander';
import { armGcc, hasArmToolchain, loadTarget } from '@tinyforge/boards';
import { GENERATED_C_FLAGS } from '@tinyforge/codegen-c';
import { checkOutputDir, publishDir } from '@tinyforge/common';
import { tensorBytes } from '@tinyforge/ir';
import { kernelIncludeDir, kernelSources } from '@tinyforge/kernels-cmsis';
import { UsageError } from '../cli-error';
import { CommandIO, printable } from '../output';
import { armToolchainFile, cmakeLists, EXPORT_C_FLAGS, ExportLayout, exportReadme, makeFragment } from '../export/build-files';
import { kernelClosure } from '../export/kernel-closure';
import { generateForTarget } from '../pipeline/model-firmware';
import { modelFigures, modelFiguresText } from '../pipeline/figures';
import { loadModelAndBytes } from './load-model';

export interface ExportCommandOptions {
  board: string;
  output: string;
  build: string;
  arena: string;
  prefix?: string;
  packedFilters?: boolean;
  json?: boolean;
  verbose?: boolean;
}

export interface ExportSummary {
  model: string;
  board: string;
  outputDir: string;
  prefix: string;
  arena: 'static' | 'caller';
  files: string[];
  kernelSources: number;
  weightsBytes: number;
  arenaBytes: number;
  /** Bytes of code and data of the kernels the model links, built for the board (when arm-none-eabi-gcc is there). */
  kernelCodeBytes?: number;
}

/** The kernel package's root: sources keep their paths below it (kernels/src/<family>/x.c, kernels/include). */
const KERNEL_ROOT = path.dirname(kernelIncludeDir);

/**
 * `export MODEL --board B -o DIR`: a folder a firmware engineer drops into their own project: the model's C,
 * exactly the kernel sources and headers it links (found with the compilers, see kernelClosure), CMakeLists.txt
 * with a toolchain file, a Make fragment, a README and the reports. Checked before the work, published whole.
 */
export function runExport(model: string, o: ExportCommandOptions, io: CommandIO): ExportSummary {
  if (o.build !== 'cmake' && o.build !== 'make' && o.build !== 'both') throw new UsageError(`--build must be cmake, make or both, got '${o.build}'`);
  if (o.arena !== 'static' && o.arena !== 'caller') throw new UsageError(`--arena must be static or caller, got '${o.arena}'`);
  const arena = o.arena;
  checkOutputDir(o.output);
  const target = loadTarget(o.board);
  const { graph, bytes } = loadModelAndBytes(model, io);
  // Int8 filters unless asked: they build for the board and for a host (tests, simulation) alike; packed ones are
  // faster on a DSP core and build for it alone (tfg_nn.h refuses them elsewhere).
  const packed = o.packedFilters === true;
  const generated = generateForTarget(graph, target, { prefix: o.prefix ?? path.basename(model).replace(/\.[^.]*$/, ''), modelBytes: bytes, arena, packedConvolutions: packed });
  const arm = hasArmToolchain();
  if (packed && !arm) throw new UsageError(`--packed-filters builds for ${target.name} only, and ${armGcc()} is not there to choose its kernels`);
  const { prefix } = generated;

  return publishDir(o.output, (dir) => {
    const modelDir = path.join(dir, 'model');
    const reportDir = path.join(dir, 'reports');
    fs.mkdirSync(modelDir);
    fs.mkdirSync(reportDir);
    for (const [name, text] of Object.entries(generated.files)) fs.writeFileSync(path.join(name.endsWith('.c') || name.endsWith('.h') ? modelDir : reportDir, name), text);
    const modelSources = [`${prefix}.c`, `${prefix}_weights.c`].map((f) => path.join(modelDir, f));

    // The closure for the board's core (its DSP/Helium paths) and for the host compiler (plain C): the folder builds for both.
    if (!arm) io.err(`warning: ${armGcc()} not found: the kernels were chosen for plain C on the host compiler only; the board's DSP/Helium paths may need more`);
    const host = { cc: 'gcc', flags: GENERATED_C_FLAGS.filter((f) => f !== '-Werror') };
    const compilers = [...(packed && generated.packedFilters ? [] : [host]), ...(arm ? [{ cc: armGcc(), flags: [...target.cflags, ...EXPORT_C_FLAGS] }] : [])];
    const closure = kernelClosure(modelSources, kernelSources(), [kernelIncludeDir, modelDir], compilers, KERNEL_ROOT);
    const copied = [...closure.sources, ...closure.headers].map((file) => {
      const rel = path.relative(KERNEL_ROOT, file);
      fs.mkdirSync(path.join(dir, 'kernels', path.dirname(rel)), { recursive: true });
      fs.copyFileSync(file, path.join(dir, 'kernels', rel));
      return `kernels/${rel.split(path.sep).join('/')}`;
    });

    const figures = modelFigures(generated);
    const layout: ExportLayout = {
      prefix,
      target,
      sources: [`model/${prefix}.c`, `model/${prefix}_weights.c`, ...copied.filter((f) => f.endsWith('.c'))],
      includeDirs: ['model', `kernels/${path.relative(KERNEL_ROOT, kernelIncludeDir).split(path.sep).join('/')}`],
      arena,
      arenaBytes: figures.arenaBytes,
      arenaAlign: generated.plan.align,
      ...(generated.plan.regions !== undefined ? { regions: generated.plan.regions.map((r) => ({ name: r.name, bytes: r.size, ...(r.section !== undefined ? { section: r.section } : {}) })) } : {}),
      weightsBytes: figures.weightsBytes,
      inputs: graph.inputs.map((t) => ({ size: tensorBytes(graph.tensors[t]) })),
      outputs: graph.outputs.map((t) => ({ size: tensorBytes(graph.tensors[t]) })),
    };
    const kernelCodeBytes = arm ? closure.codeBytes.get(armGcc()) : undefined;
    const size = { board: target.name, weightsBytes: figures.weightsBytes, arenaBytes: figures.arenaBytes, arenaAlign: layout.arenaAlign, kernelSources: layout.sources.length - 2, ...(kernelCodeBytes !== undefined ? { kernelCodeBytes } : {}) };
    fs.writeFileSync(path.join(reportDir, 'size.json'), JSON.stringify(size, null, 2) + '\n');
    fs.writeFileSync(path.join(dir, 'README.md'), exportReadme(layout));
    if (o.build !== 'make') {
      fs.writeFileSync(path.join(dir, 'CMakeLists.txt'), cmakeLists(layout));
      fs.writeFileSync(path.join(dir, 'arm-none-eabi.cmake'), armToolchainFile(target));
    }
    if (o.build !== 'cmake') fs.writeFileSync(path.join(dir, `${prefix}.mk`), makeFragment(layout));

    const summary: ExportSummary = {
      model,
      board: target.name,
      outputDir: o.output,
      prefix,
      arena,
      files: listFiles(dir),
      kernelSources: size.kernelSources,
      weightsBytes: figures.weightsBytes,
      arenaBytes: figures.arenaBytes,
      ...(kernelCodeBytes !== undefined ? { kernelCodeBytes } : {}),
    };
    if (o.json) io.out(JSON.stringify(summary, null, 2));
    else {
      io.out(
        `${printable(model)} → ${printable(o.output)}/ for ${target.name}: model/${prefix}.{h,c} ${prefix}_weights.c, ${summary.kernelSources} kernel sources and ${closure.headers.length} headers, ` +
          `${[o.build !== 'make' && 'CMakeLists.txt + arm-none-eabi.cmake', o.build !== 'cmake' && `${prefix}.mk`].filter(Boolean).join(', ')}, README.md, reports/\n` +
          `${modelFiguresText(figures)}, ${arena === 'caller' ? `arena from the caller (${prefix}_init, align ${layout.arenaAlign})` : 'static arena'}` +
          (kernelCodeBytes !== undefined ? `; kernels ${kernelCodeBytes} B of code for ${target.core}` : ''),
      );
    }
    return summary;
  });
}

function listFiles(dir: string, rel = ''): string[] {
  return fs
    .readdirSync(path.join(dir, rel), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(dir, path.posix.join(rel, e.name)) : [path.posix.join(rel, e.name)]))
    .sort();
}

export function registerExportCommand(program: Command, io: CommandIO): void {
  program
    .command('export')
    .description('write a self-contained folder for your own firmware project: the model C, exactly the kernels it uses, CMake and Make build files, a README and the reports')
    .argument('<model>', 'an int8 .tflite or .onnx file')
    .requiredOption('--board <name>', "the board whose core flags and memory the code is generated for (see `tinyforge board list`)")
    .requiredOption('-o, --output <dir>', 'the folder to write')
    .option('--build <kind>', 'build files: cmake (CMakeLists.txt + toolchain file), make (a .mk fragment) or both', 'both')
    .option('--arena <where>', 'static: the arena is an array in the model C; caller: your application passes it to <prefix>_init', 'static')
    .option('--packed-filters', "packed convolution filters where the board's core prefers them (DSP cores without Helium): faster there, but the folder then builds for that core only")
    .option('--prefix <name>', 'prefix of every generated symbol and file (default: the model file name)')
    .option('--json', 'print a machine-readable result on stdout')
    .option('--verbose', 'print stack traces on errors')
    .action((model: string, opts: ExportCommandOptions) => {
      runExport(model, opts, io);
    });
}
