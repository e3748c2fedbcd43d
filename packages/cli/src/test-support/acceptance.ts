import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { buildHostProgram, generateC, runHostProgram } from '@tinyforge/codegen-c';
import { Graph } from '@tinyforge/ir';
import { Interpreter } from '@tinyforge/interpreter';
import { runCli } from '../main';

/**
 * What the acceptance specs of issue 18 share: the material in ../shared, the CLI in-process, and both engines of
 * `tinyforge run` on one graph with the C program built once.
 */

/** `/work/main/../shared` (TFLite Micro example models, ONNX MNIST models), absent on some machines. */
export const SHARED = path.resolve(__dirname, '../../../../../shared');

/** `describe` when `dir` exists, else `describe.skip` with a visible reason. */
export function describeWith(dir: string, what: string): jest.Describe {
  if (fs.existsSync(dir)) return describe;
  console.warn(`${what} skipped: ${dir} not found`);
  return describe.skip;
}

export async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const line = (s: string): string => (s.endsWith('\n') ? s : `${s}\n`);
  const code = await runCli(argv, { out: (s) => (out += line(s)), err: (s) => (err += line(s)) });
  return { code, out, err };
}

/** `tinyforge run MODEL --input … --engine E --output …` in-process: the output bytes (fails with the CLI's error). */
export async function cliRun(model: string, input: Uint8Array, engine: 'ref' | 'host', work: string): Promise<Uint8Array> {
  const inFile = path.join(work, `in-${engine}.bin`);
  const outFile = path.join(work, `out-${engine}.bin`);
  fs.writeFileSync(inFile, input);
  const r = await cli('run', model, '--input', inFile, '--engine', engine, '--output', outFile);
  if (r.code !== 0) throw new Error(`tinyforge run --engine ${engine} failed: ${r.err}`);
  return new Uint8Array(fs.readFileSync(outFile));
}

/**
 * The two engines `tinyforge run` offers, on one graph: `--engine ref` (the reference interpreter) and `--engine host`
 * (generated C with the kernels, compiled once with gcc here and run per input as the command does).
 */
export class Engines {
  private readonly interpreter: Interpreter;
  private program: string | undefined;
  private readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyforge-acceptance-'));

  constructor(readonly graph: Graph) {
    this.interpreter = new Interpreter(graph);
  }

  ref(input: Uint8Array): Uint8Array {
    return this.interpreter.run([input]).outputs[0];
  }

  host(input: Uint8Array): Uint8Array {
    this.program ??= buildHostProgram(this.graph, generateC(this.graph, { prefix: 'model' }), this.dir);
    return runHostProgram(this.program, input).output;
  }

  dispose(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The MNIST test set of ../shared/onnx: 10,000 images of 28 × 28 bytes, and their labels. */
export function mnistTestSet(): { pixels: Uint8Array; labels: Uint8Array } {
  const dir = path.join(SHARED, 'onnx');
  const pixels = zlib.gunzipSync(fs.readFileSync(path.join(dir, 'mnist-t10k-images-idx3-ubyte.gz'))).subarray(16);
  const labels = zlib.gunzipSync(fs.readFileSync(path.join(dir, 'mnist-t10k-labels-idx1-ubyte.gz'))).subarray(8);
  return { pixels: new Uint8Array(pixels), labels: new Uint8Array(labels) };
}

/** Int8 values of raw output bytes. */
export const int8 = (b: Uint8Array): Int8Array => new Int8Array(b.buffer, b.byteOffset, b.byteLength);
export const float32 = (b: Uint8Array): Float32Array => new Float32Array(b.slice().buffer);

/** Index of the largest value (the first of equal ones). */
export function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}

/** Indices holding the largest value (more than one when int8 outputs tie). */
export function argmaxes(v: ArrayLike<number>): number[] {
  const max = Math.max(...Array.from(v));
  return Array.from(v).flatMap((x, i) => (x === max ? [i] : []));
}
