import * as fs from 'fs';
import * as path from 'path';

/** `/work/main/../shared`: models and TFLite Micro gold vectors, absent on some machines. */
export const SHARED_DIR = path.resolve(__dirname, '../../../../../shared');
export const MODELS_DIR = path.join(SHARED_DIR, 'models');
export const GOLD_DIR = path.join(SHARED_DIR, 'gold');

export function sharedAvailable(): boolean {
  return fs.existsSync(MODELS_DIR) && fs.existsSync(GOLD_DIR);
}

/** `describe`, or `describe.skip` with a visible reason when ../shared is missing. */
export function describeWithShared(): jest.Describe {
  if (sharedAvailable()) return describe;
  console.warn(`skipping gold tests: ${SHARED_DIR} not found`);
  return describe.skip;
}

export interface GoldLayer {
  op_index: number;
  op: string;
  tensor_index: number;
  file: string;
  name: string;
  dtype: string;
  shape: number[];
}

export function readGoldLayers(model: string): GoldLayer[] {
  return JSON.parse(fs.readFileSync(path.join(GOLD_DIR, model, 'layers_0', 'tensors.json'), 'utf8')) as GoldLayer[];
}

export { goldStyleInt8, mulberry32 } from '@tinyforge/ir/testing';

/** First mismatching byte and how many differ, or undefined when equal. */
export function byteMismatch(actual: Uint8Array, expected: Uint8Array): { count: number; first: number } | undefined {
  if (actual.byteLength !== expected.byteLength) return { count: Math.abs(actual.byteLength - expected.byteLength), first: Math.min(actual.byteLength, expected.byteLength) };
  let count = 0;
  let first = -1;
  for (let i = 0; i < actual.byteLength; i++) {
    if (actual[i] !== expected[i]) {
      if (first < 0) first = i;
      count++;
    }
  }
  return count === 0 ? undefined : { count, first };
}
