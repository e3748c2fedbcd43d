import * as fs from 'fs';
import * as path from 'path';
import { writeFileAtomic } from '@tinyforge/common';
import { Graph } from '@tinyforge/ir';
import { ModelFormatError } from './errors';
import { readOnnx, writeOnnx } from './onnx';
import { readTflite, writeTflite } from './tflite';

export type ModelFormat = 'tflite' | 'onnx';

/** TFLite files carry the identifier "TFL3" at bytes 4..7; ONNX has no magic, so the extension decides. */
export function detectFormat(bytes: Uint8Array, file?: string): ModelFormat {
  if (bytes.length >= 8 && bytes[4] === 0x54 && bytes[5] === 0x46 && bytes[6] === 0x4c && bytes[7] === 0x33) return 'tflite';
  const ext = file === undefined ? '' : path.extname(file).toLowerCase();
  if (ext === '.tflite') return 'tflite';
  if (ext === '.onnx') return 'onnx';
  throw new ModelFormatError('FORMAT_UNKNOWN', 'not a TFLite file (no "TFL3" identifier) and no .onnx extension', { file });
}

export function formatFromPath(file: string): ModelFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.tflite') return 'tflite';
  if (ext === '.onnx') return 'onnx';
  throw new ModelFormatError('FORMAT_UNKNOWN', `cannot tell the model format from the extension '${ext}' (use .tflite or .onnx)`, { file });
}

export function readModel(bytes: Uint8Array, options: { file?: string; format?: ModelFormat } = {}): Graph {
  const format = options.format ?? detectFormat(bytes, options.file);
  const graph = format === 'tflite' ? readTflite(bytes, { file: options.file }) : readOnnx(bytes, { file: options.file });
  graph.metadata.sourceFormat = format;
  return graph;
}

export function readModelFile(file: string): Graph {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new ModelFormatError('FORMAT_IO', `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { file });
  }
  return readModel(bytes, { file });
}

export function writeModel(graph: Graph, format: ModelFormat): Uint8Array {
  return format === 'tflite' ? writeTflite(graph) : writeOnnx(graph);
}

/** Serialize and write atomically: a failed conversion or write never leaves a partial file behind. */
export function writeModelFile(graph: Graph, file: string, format: ModelFormat = formatFromPath(file)): void {
  const bytes = writeModel(graph, format);
  writeFileAtomic(file, bytes);
}
