import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { compileCached, writeFileAtomic } from '@tinyforge/common';
import { Graph } from '@tinyforge/ir';
import { kernelIncludeDir, kernelSources } from '@tinyforge/kernels-cmsis';
import { generateHostMain } from '../emit/host-main';
import { CodegenError } from '../errors';
import { GeneratedC } from '../generate';

/** The warnings generated code promises to be clean under. */
export const GENERATED_C_FLAGS = ['-std=c99', '-Wall', '-Wextra', '-Werror', '-Wconversion'];

export interface HostBuildOptions {
  compiler?: string;
  /** Extra flags, e.g. ['-fsanitize=address,undefined']. */
  flags?: string[];
  /** Build with TINYFORGE_DEBUG_DUMP (the program then takes a dump directory). */
  debugDump?: boolean;
  /** Directory for compiled kernel objects, reused across builds with the same compiler, flags and kernel sources (default: the content cache, common cacheRoot). */
  objectCache?: string;
  /**
   * Keep the compiled weights file here, keyed by its text, compiler and flags, and reuse it for any later build
   * whose weights file is the same (callers building many programs from few constant sets: the fuzzer). The weights
   * file is most of a large model's compile time. Default: compiled in `dir` every time.
   */
  weightsCache?: string;
}

function run(compiler: string, args: string[], what: string): void {
  const r = spawnSync(compiler, args, { encoding: 'utf8' });
  if (r.error !== undefined) throw new CodegenError('CODEGEN_HOST_COMPILER', `cannot run ${compiler}: ${r.error.message}`);
  if (r.status !== 0) throw new CodegenError('CODEGEN_HOST_COMPILE', `${compiler} failed on ${what}:\n${r.stderr.slice(0, 4000)}`);
}

/** Kernel library objects for one compiler + flag set, compiled once per content (common's compileCached). */
function kernelObjects(compiler: string, flags: string[], cacheDir: string | undefined): string[] {
  const sources = kernelSources();
  return compileCached({
    kind: 'host-kernels',
    compiler,
    flags: [...flags, `-I${kernelIncludeDir}`],
    sources,
    headerDirs: [kernelIncludeDir, path.dirname(path.dirname(sources[0]))],
    cacheDir,
    compile: (args, src) => run(compiler, args, path.basename(src)),
  });
}

/** The object of a weights file, compiled once per (text, compiler, flags) into `cacheDir`. */
function cachedWeightsObject(compiler: string, flags: string[], name: string, text: string, cacheDir: string): string {
  // compileCached keys on the source's path too: the source is kept at a path named by its text's hash.
  const srcDir = path.join(cacheDir, 'weights-sources', createHash('sha256').update(text).digest('hex').slice(0, 24));
  const src = path.join(srcDir, name);
  if (!fs.existsSync(src)) {
    fs.mkdirSync(srcDir, { recursive: true });
    writeFileAtomic(src, text);
  }
  return compileCached({ kind: 'host-weights', compiler, flags, sources: [src], headerDirs: [], cacheDir, compile: (args) => run(compiler, args, name) })[0];
}

/** Write the generated files plus a host driver into `dir` and compile them with the kernels; returns the program. */
export function buildHostProgram(graph: Graph, generated: GeneratedC, dir: string, options: HostBuildOptions = {}): string {
  const compiler = options.compiler ?? 'gcc';
  const flags = [...GENERATED_C_FLAGS, '-O1', '-g', ...(options.flags ?? [])];
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(generated.files)) fs.writeFileSync(path.join(dir, name), text);
  const main = path.join(dir, 'host_main.c');
  fs.writeFileSync(main, generateHostMain(graph, generated.prefix));
  const objects = kernelObjects(compiler, flags, options.objectCache);
  const program = path.join(dir, options.debugDump ? 'model_dump' : 'model');
  const modelFlags = options.debugDump ? ['-DTINYFORGE_DEBUG_DUMP'] : [];
  const weightsName = `${generated.prefix}_weights.c`;
  const weights = options.weightsCache !== undefined ? cachedWeightsObject(compiler, flags, weightsName, generated.files[weightsName], options.weightsCache) : path.join(dir, weightsName);
  run(compiler, [...flags, ...modelFlags, `-I${kernelIncludeDir}`, `-I${dir}`, main, weights, ...objects, '-o', program, '-lm'], 'the generated model');
  return program;
}

export interface HostRun {
  output: Uint8Array;
  stderr: string;
}

/** Run a built host program on one input (all graph inputs concatenated). */
export function runHostProgram(program: string, input: Uint8Array, dumpDir?: string): HostRun {
  const dir = fs.mkdtempSync(path.join(path.dirname(program), 'run-'));
  try {
    const inFile = path.join(dir, 'in.bin');
    const outFile = path.join(dir, 'out.bin');
    fs.writeFileSync(inFile, input);
    const args = [inFile, outFile, ...(dumpDir !== undefined ? [dumpDir] : [])];
    const r = spawnSync(program, args, { encoding: 'utf8', timeout: 60000 });
    if (r.status !== 0) throw new CodegenError('CODEGEN_HOST_RUN', `${path.basename(program)} exited with ${r.status ?? r.signal}: ${r.stderr.slice(0, 4000)}`);
    return { output: new Uint8Array(fs.readFileSync(outFile)), stderr: r.stderr };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
