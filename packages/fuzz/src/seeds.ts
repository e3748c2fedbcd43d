import * as fs from 'fs';
import * as path from 'path';
import { readModel, writeOnnx, writeTflite } from '@tinyforge/model-format';
import { FuzzSeed, SeedFormat } from '@tinyforge/model-format/testing';

/** The shared model folders every campaign draws from (relative to the repository root's parent). */
export const SEED_DIRS = ['models', 'tflm', 'onnx'];

function modelFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...modelFiles(full));
    else if (/\.(tflite|onnx)$/.test(e.name)) out.push(full);
  }
  return out.sort();
}

/**
 * Seeds of one format: every model of that format under `sharedDir` (models/, tflm/ with its subfolders, onnx/),
 * plus every model of the other format our reader and this format's writer can convert — so both formats are
 * fuzzed over all the shared models. Names are paths relative to `sharedDir` (converted ones end in `→format`).
 */
export function loadSeeds(sharedDir: string, format: SeedFormat): FuzzSeed[] {
  return loadAllSeeds(sharedDir, format);
}

/**
 * The order cases visit the seeds in: every seed, and the seeds the whole pipeline takes (our reader reads them and
 * their inputs are int8 or float) SEED_WEIGHT times as often, interleaved — so that mutants reach the code
 * generator and both engines, not only the readers of models we cannot run yet.
 */
export const SEED_WEIGHT = 8;

export function seedSchedule(seeds: readonly FuzzSeed[]): number[] {
  const weights = seeds.map((s) => {
    const g = s.irGraph();
    return g !== null && g.inputs.every((t) => g.tensors[t].dtype === 'int8' || g.tensors[t].dtype === 'float32') ? SEED_WEIGHT : 1;
  });
  const schedule: number[] = [];
  for (let round = 0; round < SEED_WEIGHT; round++) seeds.forEach((_, i) => round < weights[i] && schedule.push(i));
  return schedule;
}

function loadAllSeeds(sharedDir: string, format: SeedFormat): FuzzSeed[] {
  const seeds: FuzzSeed[] = [];
  for (const sub of SEED_DIRS) {
    for (const file of modelFiles(path.join(sharedDir, sub))) {
      const name = path.relative(sharedDir, file);
      const own: SeedFormat = file.endsWith('.onnx') ? 'onnx' : 'tflite';
      const bytes = new Uint8Array(fs.readFileSync(file));
      if (own === format) {
        seeds.push(new FuzzSeed(name, format, bytes));
        continue;
      }
      try {
        const graph = readModel(bytes, { file: name, format: own });
        const converted = format === 'tflite' ? writeTflite(graph) : writeOnnx(graph);
        seeds.push(new FuzzSeed(`${name}→${format}`, format, converted));
      } catch {
        // Not convertible (an op or type the other format lacks, or one we do not read): its own format covers it.
      }
    }
  }
  return seeds;
}
