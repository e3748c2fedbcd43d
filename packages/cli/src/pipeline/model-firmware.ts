import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { BoardError, buildFirmware, compileLibrary, coreFeatures, FirmwareBuildResult, Target } from '@tinyforge/boards';
import { BOARD_APP_HEADER, generateBoardAppHeader, generateC, GeneratedC, PlannerKind } from '@tinyforge/codegen-c';
import { Graph, nodeStats, tensorBytes } from '@tinyforge/ir';
import { kernelIncludeDir, kernelSources, packedConvPreferred } from '@tinyforge/kernels-cmsis';
import { BOARD_C_DIR, BOARD_C_SOURCES, LayerMeta, profileLayerTableC, PROTOCOL_VERSION } from '@tinyforge/serial-profiler';
import { FirmwareManifest, FIRMWARE_BUILDER, writeManifest } from './firmware-manifest';
import { arenaRegions, modelBudget, modelFigures } from './figures';

/** The prefix of the generated symbols and files unless the caller names another. */
export const MODEL_PREFIX = 'model';
/** The layer table symbol the board application (serial-profiler c/tfg_app.c) hands to the profiler. */
const PROFILE_TABLE = 'tfg_app_profile_layers';

export interface GenerateForTargetOptions {
  prefix?: string;
  planner?: PlannerKind;
  /** Bytes of the model file, for the sha256 in the generated banner and the firmware manifest. */
  modelBytes?: Uint8Array;
  /** Emit packed convolution filters where the kernels have them (the first build tries them, see buildModelFirmware). */
  packedConvolutions?: boolean;
  /** Where the arena lives (codegen-c GenerateOptions.arena); firmware builds keep the static one. */
  arena?: 'static' | 'caller';
}

/**
 * The one code generation call for a target: its core's features and its RAM and flash as the budget; on a board
 * with extra RAM regions a static arena is split over them (a caller-provided arena stays one block).
 */
export function generateForTarget(graph: Graph, target: Target, options: GenerateForTargetOptions = {}): GeneratedC {
  return generateC(graph, {
    prefix: options.prefix ?? MODEL_PREFIX,
    planner: options.planner,
    modelBytes: options.modelBytes,
    budget: modelBudget(target),
    core: coreFeatures(target),
    packedConvolutions: options.packedConvolutions ?? true,
    arena: options.arena,
    regions: options.arena === 'caller' ? undefined : arenaRegions(target, graph),
  });
}

/** Your own application in place of the board application (it must define main(); tfg_link.h is available). */
export interface FirmwareApplication {
  sources: string[];
  includeDirs?: string[];
  defines?: string[];
}

export interface ModelFirmwareOptions extends Omit<GenerateForTargetOptions, 'packedConvolutions' | 'arena'> {
  /** Generated sources go to outDir/src, the images (`name`.elf/.bin/.hex/.map, .uf2 for UF2 boards) and
   *  firmware.json to outDir itself. */
  outDir: string;
  /** Build with the profiler's hooks and records (TINYFORGE_PROFILE). */
  profile?: boolean;
  /** `application` (default) for flashing, `bootloader` to boot the ELF directly on a virtual board. */
  image?: 'application' | 'bootloader';
  optimize?: 'O2' | 'Os' | 'O3';
  lto?: boolean;
  /** Base name of the images (default "firmware"). */
  name?: string;
  /** Default: the board application (serial-profiler c/tfg_app.c) speaking the link protocol. */
  application?: FirmwareApplication;
  /**
   * The board application speaks the MLPerf Tiny benchmark runner's protocol instead of the link (serial-profiler
   * c/tfg_mlperf.h), announcing this model id (kws01, ad01, ic01, vww01, …).
   */
  mlperf?: { modelId: string };
  /** Each step as it starts (generating C, the kernel library, compiling and linking): a build takes tens of seconds. */
  onStep?: (step: string) => void;
  /** Where compiled kernel objects are kept between builds (default: under the OS temp directory). */
  kernelCache?: string;
  /** `outDir` is a staging folder that will become `finalDir` (publishDir): debug info names `finalDir`. */
  finalDir?: string;
  /** Reuse links by content from this folder (buildFirmware's linkCache): for throw-away build folders. */
  linkCache?: string;
}

export interface ModelFirmware {
  generated: GeneratedC;
  firmware: FirmwareBuildResult;
  /** Where the generated C, plan.json, report.html and the board application's header were written. */
  sourceDir: string;
  planJsonPath: string;
  /** The profiler's layer table, in execution order (index = the hooks' step number). */
  layers: LayerMeta[];
  /** Whether the firmware links packed convolution filters (DSP cores without Helium, when they fit the flash). */
  packedFilters: boolean;
  /** The packed filters overflowed the flash: built again with the int8 ones (slower, bit-identical). */
  packedFiltersDropped: boolean;
  /** What was built, written beside the images (outDir/firmware.json) so that a later run can use it. */
  manifest: FirmwareManifest;
  manifestPath: string;
}

/** Per-layer metadata in execution order: the profiler's layer table (index = the hooks' step number). */
export function layerTable(graph: Graph, generated: GeneratedC): LayerMeta[] {
  return generated.layers.map((l) => {
    const node = graph.nodes[generated.plan.order[l.index]];
    return { index: l.index, name: l.node, op: l.op, macs: nodeStats(graph, node).macs, outputShape: [...graph.tensors[node.outputs[0]].shape] };
  });
}

/**
 * The one firmware builder (`tinyforge build`, `tinyforge run --board`, the Nx build, run and profile targets):
 * generate C for the target, write the board application's header (or take the caller's application), compile
 * and link with the kernels, the link (serial-profiler c/tfg_link.c) and board support, and record the build in
 * firmware.json. Packed convolution filters take about twice the flash of the int8 ones: a build they make
 * overflow the flash (e.g. a large model in a small flash) is done again with the int8 filters, slower and
 * bit-identical — the one retry path for a flash overflow.
 */
export function buildModelFirmware(graph: Graph, target: Target, options: ModelFirmwareOptions): ModelFirmware {
  const outDir = path.resolve(options.outDir);
  try {
    fs.mkdirSync(path.join(outDir, 'src'), { recursive: true });
  } catch (e) {
    throw new BoardError('BOARD_IO', `cannot create the output directory: ${(e as Error).message}`, { file: outDir });
  }
  const step = options.onStep ?? (() => undefined);
  const generate = (packedConvolutions: boolean) => {
    step(`generating C for ${target.name}${packedConvolutions ? '' : ' (int8 filters)'}`);
    return generateForTarget(graph, target, { ...options, packedConvolutions });
  };
  const linksPacked = packedConvPreferred(coreFeatures(target));
  const first = generate(true);
  try {
    return buildGenerated(graph, target, options, outDir, first, false);
  } catch (e) {
    const flashOverflow = e instanceof BoardError && e.code === 'BOARD_OVERFLOW' && /flash overflowed/.test(e.message);
    if (!(flashOverflow && first.packedFilters && linksPacked)) throw e;
    step('the packed filters overflow the flash: building again with the int8 ones');
    return buildGenerated(graph, target, options, outDir, generate(false), true);
  }
}

function buildGenerated(graph: Graph, target: Target, options: ModelFirmwareOptions, outDir: string, generated: GeneratedC, packedFiltersDropped: boolean): ModelFirmware {
  const sourceDir = path.join(outDir, 'src');
  const { prefix } = generated;
  for (const [name, text] of Object.entries(generated.files)) writeSource(sourceDir, name, text);
  const layers = layerTable(graph, generated);
  const profile = options.profile === true;
  // The board application's parameters; a custom application may use them too (model sizes, the invoke call).
  writeSource(sourceDir, BOARD_APP_HEADER, generateBoardAppHeader(graph, prefix));
  const sources = [path.join(sourceDir, `${prefix}.c`), path.join(sourceDir, `${prefix}_weights.c`), BOARD_C_SOURCES.link, ...(options.application?.sources ?? [BOARD_C_SOURCES.app])];
  const defines = [...(options.application?.defines ?? [])];
  if (options.mlperf !== undefined) {
    if (options.application !== undefined || options.profile === true) throw new BoardError('BOARD_BUILD', 'an MLPerf Tiny firmware is the board application without the profiler');
    if (!/^[A-Za-z0-9_-]{1,24}$/.test(options.mlperf.modelId)) throw new BoardError('BOARD_BUILD', `MLPerf model id '${options.mlperf.modelId.slice(0, 40)}' is not a short word (kws01, ad01, …)`);
    sources.push(BOARD_C_SOURCES.mlperf);
    defines.push('TFG_APP_MLPERF', `TFG_APP_MLPERF_MODEL="${options.mlperf.modelId}"`);
  }
  if (profile) {
    writeSource(sourceDir, 'profile_layers.c', profileLayerTableC(layers, PROFILE_TABLE));
    sources[0] = BOARD_C_SOURCES.profiledModel; // the model's source with the hooks on
    sources.push(path.join(sourceDir, 'profile_layers.c'), BOARD_C_SOURCES.profile);
    defines.push('TINYFORGE_PROFILE', `TFG_PROFILE_MAX_LAYERS=${Math.max(layers.length, 1)}u`);
  }
  const optimize = options.optimize ?? 'O2';
  options.onStep?.(`compiling the kernel library for ${target.core} (objects cached by content)`);
  const kernels = compileLibrary(target, { sources: kernelSources(), includeDirs: [kernelIncludeDir], optimize, lto: options.lto, cacheDir: options.kernelCache });
  options.onStep?.(`compiling the model and the board application, linking ${options.name ?? 'firmware'}.elf`);
  const firmware = buildFirmware({
    target,
    sources: [...sources, ...kernels],
    includeDirs: [sourceDir, BOARD_C_DIR, kernelIncludeDir, ...(options.application?.includeDirs ?? [])],
    defines,
    outDir,
    name: options.name ?? 'firmware',
    optimize,
    lto: options.lto,
    image: options.image,
    pathPrefixMap: options.finalDir !== undefined ? { from: outDir, to: path.resolve(options.finalDir) } : undefined,
    linkCache: options.linkCache,
  });
  const packedFilters = generated.packedFilters && packedConvPreferred(coreFeatures(target));
  const bytesOf = (tensors: number[]) => tensors.reduce((s, t) => s + tensorBytes(graph.tensors[t]), 0);
  const manifest: FirmwareManifest = {
    builder: FIRMWARE_BUILDER,
    protocolVersion: PROTOCOL_VERSION,
    application: options.application !== undefined ? 'custom' : options.mlperf !== undefined ? 'mlperf' : 'board',
    board: target.name,
    image: options.image ?? 'application',
    profile,
    prefix,
    model: {
      sha256: options.modelBytes !== undefined ? createHash('sha256').update(options.modelBytes).digest('hex') : undefined,
      inputBytes: bytesOf(graph.inputs),
      outputBytes: bytesOf(graph.outputs),
      ...modelFigures(generated),
    },
    packedFilters,
    packedFiltersDropped,
    files: {
      elf: path.basename(firmware.elf),
      bin: path.basename(firmware.bin),
      hex: path.basename(firmware.hex),
      ...(firmware.uf2 !== undefined ? { uf2: path.basename(firmware.uf2) } : {}),
      map: path.basename(firmware.map),
      planJson: path.join('src', 'plan.json'),
    },
    layers,
    size: firmware.size,
  };
  const manifestPath = writeManifest(outDir, manifest);
  return { generated, firmware, sourceDir, planJsonPath: path.join(sourceDir, 'plan.json'), layers, packedFilters, packedFiltersDropped, manifest, manifestPath };
}

function writeSource(dir: string, name: string, text: string): void {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(name)) throw new BoardError('BOARD_BUILD', `refusing generated file name '${name.slice(0, 80)}'`);
  try {
    fs.writeFileSync(path.join(dir, name), text);
  } catch (e) {
    throw new BoardError('BOARD_IO', `cannot write the firmware sources: ${(e as Error).message}`, { file: path.join(dir, name) });
  }
}
