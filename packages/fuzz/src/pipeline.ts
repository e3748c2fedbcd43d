import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildHostProgram, generateC, runHostProgram } from '@tinyforge/codegen-c';
import { isTinyforgeError } from '@tinyforge/common';
import { concatBytes, Interpreter } from '@tinyforge/interpreter';
import { assertValidGraph, Graph, seededUniform, tensorBytes } from '@tinyforge/ir';
import { ModelFormat, readModel } from '@tinyforge/model-format';
import { loadCalibration, quantizeModel } from '@tinyforge/quantizer';

/**
 * One model through the whole pipeline, as a user's commands take it: read → validate → quantize (float models,
 * on seeded random calibration data) → codegen → the reference interpreter (`run --engine ref`) and the generated
 * C compiled with the host gcc (`run --engine host`) on the same seeded input, compared byte for byte.
 */

export type Stage = 'read' | 'validate' | 'quantize' | 'codegen' | 'ref' | 'build' | 'host' | 'compare';

export type PipelineResult =
  /** The pipeline refused the model with a TinyforgeError (a clean, typed answer to bad input). */
  | { kind: 'typed'; stage: Stage; code: string; message: string }
  /** Both engines ran and agree on every output byte. */
  | { kind: 'success'; outputBytes: number }
  /** Both engines ran and disagree: the one thing that must never happen. */
  | { kind: 'mismatch'; differing: number; outputBytes: number; firstAt: number }
  /** An exception that is not a TinyforgeError: a bug. */
  | { kind: 'internal'; stage: Stage; message: string; stack?: string };

export interface PipelineRun {
  result: PipelineResult;
  /** Milliseconds per stage reached. */
  stageMs: Partial<Record<Stage, number>>;
}

export interface PipelineOptions {
  /** File name for messages (and the format when it has no TFLite identifier). */
  file: string;
  format?: ModelFormat;
  /** Seed of the calibration data and the input bytes. */
  seed: number;
  /** Where compiled host programs are kept (keyed by the generated code's hash). */
  hostCacheDir: string;
  /** Skip the host build and run (reference engine only). */
  noHost?: boolean;
}

class StageFailure extends Error {
  constructor(
    readonly stage: Stage,
    readonly failure: unknown,
  ) {
    super(stage);
  }
}

/** Seeded input bytes for every graph input, back to back in model order. */
function seededInputs(graph: Graph, seed: number): Uint8Array[] {
  return graph.inputs.map((t, k) => {
    const next = seededUniform(seed * 31 + k);
    return Uint8Array.from({ length: tensorBytes(graph.tensors[t]) }, () => Math.floor(next() * 256));
  });
}

/**
 * Typed errors that are tinyforge's own failures, not answers to bad input: generated code that does not compile,
 * a plan that fails its check. (The host program failing where the reference ran is a disagreement.)
 */
const BUG_CODES = new Set(['CODEGEN_HOST_COMPILE', 'CODEGEN_PLAN_INVALID', 'CODEGEN_HOST_COMPILER']);

/**
 * Float mutants are calibrated on one of this many seeded data sets (not one per case): mutants that leave the
 * constants alone then quantize to the same weights file, whose compiled object the host build reuses — the weights
 * file is most of a large model's compile time. (The input bytes both engines run on stay seeded per case.)
 */
const CALIBRATION_VARIANTS = 3;

function isFloatModel(graph: Graph): boolean {
  return graph.inputs.some((t) => graph.tensors[t].dtype === 'float32');
}

export function runPipeline(bytes: Uint8Array, options: PipelineOptions): PipelineRun {
  const stageMs: Partial<Record<Stage, number>> = {};
  const stage = <T>(name: Stage, f: () => T): T => {
    const t0 = performance.now();
    try {
      return f();
    } catch (e) {
      throw new StageFailure(name, e);
    } finally {
      stageMs[name] = (stageMs[name] ?? 0) + performance.now() - t0;
    }
  };
  try {
    let graph = stage('read', () => readModel(bytes, { file: options.file, format: options.format }));
    stage('validate', () => assertValidGraph(graph, options.file));
    if (isFloatModel(graph)) {
      const float = graph;
      const calibrationSeed = options.seed % CALIBRATION_VARIANTS;
      graph = stage('quantize', () => quantizeModel(float, loadCalibration('random', float, { samples: 2, seed: calibrationSeed }).samples, {}).int8Graph);
    }
    const int8 = graph;
    const generated = stage('codegen', () => generateC(int8, { prefix: 'model' }));
    const inputs = seededInputs(int8, options.seed);
    const reference = stage('ref', () => concatBytes(new Interpreter(int8).run(inputs).outputs));
    if (options.noHost) return { result: { kind: 'success', outputBytes: reference.length }, stageMs };
    const program = stage('build', () => cachedHostProgram(int8, generated, options.hostCacheDir));
    const host = stage('host', () => runHostProgram(program, concatBytes(inputs)).output);
    let differing = 0;
    let firstAt = -1;
    const n = Math.max(reference.length, host.length);
    for (let i = 0; i < n; i++) {
      if (reference[i] !== host[i]) {
        differing++;
        if (firstAt < 0) firstAt = i;
      }
    }
    if (differing > 0) return { result: { kind: 'mismatch', differing, outputBytes: reference.length, firstAt }, stageMs };
    return { result: { kind: 'success', outputBytes: reference.length }, stageMs };
  } catch (e) {
    const failure = e instanceof StageFailure ? e : new StageFailure('read', e);
    const cause = failure.failure;
    if (isTinyforgeError(cause) && BUG_CODES.has(cause.code)) return { result: { kind: 'internal', stage: failure.stage, message: `${cause.code}: ${cause.message}` }, stageMs };
    if (isTinyforgeError(cause) && cause.code === 'CODEGEN_HOST_RUN') return { result: { kind: 'mismatch', differing: -1, outputBytes: 0, firstAt: -1 }, stageMs };
    if (isTinyforgeError(cause)) return { result: { kind: 'typed', stage: failure.stage, code: cause.code, message: cause.message }, stageMs };
    const err = cause instanceof Error ? cause : new Error(String(cause));
    return { result: { kind: 'internal', stage: failure.stage, message: err.message, stack: err.stack }, stageMs };
  }
}

/**
 * The host program for this generated code: compiled once per distinct code (mutants often generate the same C)
 * into `cacheDir`, with the flags and driver of `run --engine host`.
 */
function cachedHostProgram(graph: Graph, generated: ReturnType<typeof generateC>, cacheDir: string): string {
  const hash = createHash('sha256');
  for (const [name, text] of Object.entries(generated.files)) if (/\.[ch]$/.test(name)) hash.update(name).update('\0').update(text);
  hash.update(JSON.stringify(graph.inputs.map((t) => tensorBytes(graph.tensors[t]))));
  hash.update(JSON.stringify(graph.outputs.map((t) => tensorBytes(graph.tensors[t]))));
  const dir = path.join(cacheDir, hash.digest('hex').slice(0, 24));
  const program = path.join(dir, 'model');
  if (fs.existsSync(program)) return program;
  const staging = fs.mkdtempSync(path.join(cacheDir, 'build-'));
  try {
    buildHostProgram(graph, generated, staging, { weightsCache: path.join(cacheDir, 'objects') });
    fs.renameSync(staging, dir);
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    if (fs.existsSync(program)) return program;
    throw e;
  }
  return program;
}

/** A fresh folder for host programs under the OS temp folder. */
export function makeHostCacheDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tinyforge-fuzz-host-'));
}
