import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writeFileAtomicWith } from '@tinyforge/common';
import { BoardError, buildFirmware, coreFeatures, FirmwareBuildResult, LoadedBoard } from '@tinyforge/boards';
import { generateBoardMain, generateC, GeneratedC } from '@tinyforge/codegen-c';
import { Graph, nodeStats } from '@tinyforge/ir';
import { kernelIncludeDir, kernelSourceDir, kernelSources, packedConvPreferred } from '@tinyforge/kernels-cmsis';
import { LayerMeta, profileLayerTableC } from '@tinyforge/serial-profiler';
import { BoardRunError } from './errors';

export const MODEL_PREFIX = 'model';
const PROFILE_TABLE = `${MODEL_PREFIX}_profile_layers`;

/** The profiler's on-board encoder (c/tfg_profile.{h,c}) ships beside the serial-profiler package's sources. */
export function profilerCDir(): string {
  return path.join(path.dirname(require.resolve('@tinyforge/serial-profiler/package.json')), 'c');
}

export interface ModelFirmwareOptions {
  outDir: string;
  profile: boolean;
  /** `application` for flashing through the bootloader, `bootloader` to boot the ELF directly on QEMU. */
  image: 'application' | 'bootloader';
  modelBytes?: Uint8Array;
  /** Where compiled kernel objects are kept between builds (default: under the OS temp directory). */
  kernelCache?: string;
}

export interface ModelFirmware {
  generated: GeneratedC;
  firmware: FirmwareBuildResult;
  /** Where generated C, plan.json and report.html were written. */
  sourceDir: string;
  planJsonPath: string;
  layers: LayerMeta[];
}

/** Per-layer metadata in execution order: the profiler's layer table (index = the hooks' step number). */
export function layerTable(graph: Graph, generated: GeneratedC): LayerMeta[] {
  return generated.layers.map((l) => {
    const node = graph.nodes[generated.plan.order[l.index]];
    return { index: l.index, name: l.node, op: l.op, macs: nodeStats(graph, node).macs, outputShape: [...graph.tensors[node.outputs[0]].shape] };
  });
}

/**
 * Generate C for the model, the board application and the layer table, and build it all for the board at -O2.
 * Packed convolution filters take about twice the flash of the int8 ones: a build they make overflow (e.g. a
 * direct load into a virtual board's 64 KiB boot region) is done again with the int8 filters, slower and
 * bit-identical; `generated.packedFilters` tells which build it is.
 */
export function buildModelFirmware(graph: Graph, board: LoadedBoard, options: ModelFirmwareOptions): ModelFirmware {
  return buildPreferringPackedFilters(
    board,
    (packedConvolutions) =>
      generateC(graph, {
        prefix: MODEL_PREFIX,
        modelBytes: options.modelBytes,
        budget: { name: board.name, ramBytes: board.ram.size, flashBytes: board.flash.size },
        core: coreFeatures(board),
        packedConvolutions,
      }),
    (generated) => buildGeneratedFirmware(graph, board, options, generated),
  );
}

/** Whether the board's build links packed convolution filters (kernels-cmsis' TFG_NN_PACKED_CONV_PREFERRED). */
export function linksPackedFilters(board: Pick<LoadedBoard, 'dsp' | 'mve'>): boolean {
  return packedConvPreferred(coreFeatures(board));
}

/**
 * Generate with packed convolution filters and build; when they make the firmware overflow the board's flash,
 * generate with the int8 filters and build again (slower, the same bytes out). Every firmware path goes through here.
 */
export function buildPreferringPackedFilters<T>(board: LoadedBoard, generate: (packedConvolutions: boolean) => GeneratedC, build: (generated: GeneratedC) => T): T {
  const generated = generate(true);
  try {
    return build(generated);
  } catch (e) {
    const flashOverflow = e instanceof BoardError && e.code === 'BOARD_OVERFLOW' && /flash overflowed/.test(e.message);
    if (!(flashOverflow && generated.packedFilters && linksPackedFilters(board))) throw e;
    return build(generate(false));
  }
}

function buildGeneratedFirmware(graph: Graph, board: LoadedBoard, options: ModelFirmwareOptions, generated: GeneratedC): ModelFirmware {
  const sourceDir = path.join(options.outDir, 'src');
  fs.mkdirSync(sourceDir, { recursive: true });
  for (const [name, text] of Object.entries(generated.files)) fs.writeFileSync(path.join(sourceDir, name), text);
  const layers = layerTable(graph, generated);
  const main = path.join(sourceDir, 'board_main.c');
  fs.writeFileSync(main, generateBoardMain(graph, MODEL_PREFIX, { counter: board.cycleCounter, profileTable: PROFILE_TABLE }));
  const sources = [path.join(sourceDir, `${MODEL_PREFIX}.c`), path.join(sourceDir, `${MODEL_PREFIX}_weights.c`), main, ...kernelObjects(board, options.kernelCache)];
  const defines: string[] = [];
  if (options.profile) {
    const tableFile = path.join(sourceDir, 'profile_layers.c');
    fs.writeFileSync(tableFile, profileLayerTableC(layers, PROFILE_TABLE));
    // The generated layers see the real hooks only when tfg_profile.h comes before them.
    const profiled = path.join(sourceDir, `${MODEL_PREFIX}_profiled.c`);
    fs.writeFileSync(profiled, `#include "tfg_profile.h"\n#include "${MODEL_PREFIX}.c"\n`);
    sources[0] = profiled;
    sources.push(tableFile, path.join(profilerCDir(), 'tfg_profile.c'));
    defines.push('TINYFORGE_PROFILE', `TFG_PROFILE_MAX_LAYERS=${Math.max(layers.length, 1)}u`);
  }
  const firmware = buildFirmware({
    board,
    sources,
    includeDirs: [sourceDir, kernelIncludeDir, profilerCDir()],
    defines,
    outDir: path.join(options.outDir, 'build'),
    name: MODEL_PREFIX,
    optimize: 'O2',
    image: options.image,
  });
  return { generated, firmware, sourceDir, planJsonPath: path.join(sourceDir, 'plan.json'), layers };
}

/** Flags the kernel objects are compiled with: the board's core flags and what buildFirmware gives sources. */
function kernelFlags(board: LoadedBoard): string[] {
  return [...board.cflags, '-O2', '-g', '-std=gnu11', '-Wall', '-ffunction-sections', '-fdata-sections', `-I${kernelIncludeDir}`];
}

/**
 * The kernel library compiled for the board's core, once per distinct (flags, kernel sources and headers): a model
 * build then compiles only its own few files. The key hashes every source and header, so edits rebuild.
 */
function kernelObjects(board: LoadedBoard, cacheRoot = path.join(os.tmpdir(), 'tinyforge-firmware-kernels')): string[] {
  const flags = kernelFlags(board);
  const sources = kernelSources();
  const hash = createHash('sha256').update(flags.join('\0'));
  for (const file of [...sources, ...headersUnder(kernelIncludeDir), ...headersUnder(kernelSourceDir)]) {
    hash.update(file).update('\0').update(fs.readFileSync(file));
  }
  const dir = path.join(cacheRoot, hash.digest('hex').slice(0, 24));
  const objects = sources.map((src, i) => path.join(dir, `${i}_${path.basename(src, '.c')}.o`));
  if (objects.every((o) => fs.existsSync(o))) return objects;
  fs.mkdirSync(dir, { recursive: true });
  sources.forEach((src, i) => {
    writeFileAtomicWith(objects[i], (tmp) => {
      const r = spawnSync('arm-none-eabi-gcc', [...flags, '-c', src, '-o', tmp], { encoding: 'utf8' });
      if (r.error !== undefined || r.status !== 0) {
        throw new BoardRunError('RUN_BOARD_BUILD', `compiling ${path.basename(src)} for ${board.name} failed: ${(r.error?.message ?? r.stderr).slice(0, 2000)}`, { file: src });
      }
    });
  });
  return objects;
}

function headersUnder(dir: string): string[] {
  const found: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) found.push(...headersUnder(full));
    else if (e.name.endsWith('.h')) found.push(full);
  }
  return found.sort();
}
