import * as fs from 'fs';
import * as path from 'path';

/** The read-only MLPerf Tiny models shared by the team (`../shared/models` beside the repository). */
export const SHARED_MODELS_DIR = path.resolve(__dirname, '../../../../../shared/models');

export function sharedModelNames(): string[] {
  if (!fs.existsSync(SHARED_MODELS_DIR)) return [];
  return fs
    .readdirSync(SHARED_MODELS_DIR)
    .filter((f) => f.endsWith('.tflite'))
    .sort();
}

export function readSharedModel(name: string): Uint8Array {
  return new Uint8Array(fs.readFileSync(path.join(SHARED_MODELS_DIR, name)));
}

/** TFLite Micro's example and test models (`../shared/tflm`, see its SOURCES.md), absent on some machines. */
export const SHARED_TFLM_DIR = path.resolve(__dirname, '../../../../../shared/tflm');

/** A file under ../shared/tflm, or undefined when that folder is missing. */
export function readSharedTflm(relative: string): Uint8Array | undefined {
  const file = path.join(SHARED_TFLM_DIR, relative);
  return fs.existsSync(file) ? new Uint8Array(fs.readFileSync(file)) : undefined;
}
