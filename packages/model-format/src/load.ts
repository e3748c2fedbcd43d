import * as fs from 'fs';
import * as path from 'path';
import { systemErrorWords, writeFileAtomic } from '@tinyforge/common';
import { Graph } from '@tinyforge/ir';
import { LIMITS, ModelFormatError } from './errors';
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
  if (bytes.length === 0) throw new ModelFormatError('FORMAT_MALFORMED', 'empty file', { file: options.file });
  const format = options.format ?? detectFormat(bytes, options.file);
  const graph = format === 'tflite' ? readTflite(bytes, { file: options.file }) : readOnnx(bytes, { file: options.file });
  graph.metadata.sourceFormat = format;
  return graph;
}

/**
 * The bytes of a model file, checked before reading: a regular file (not a folder or a device, which could be
 * endless) no larger than LIMITS.maxFileBytes. Errors name the file in words (FORMAT_IO, FORMAT_LIMIT).
 */
export function readModelBytes(file: string): Uint8Array {
  const fail = (cause: unknown): never => {
    throw new ModelFormatError('FORMAT_IO', `cannot read ${file}: ${systemErrorWords(cause)}`);
  };
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const st = fs.fstatSync(fd);
    if (st.isDirectory()) fail('is a folder');
    if (!st.isFile()) fail('not a regular file (a device, pipe or socket)');
    if (st.size > LIMITS.maxFileBytes) throw new ModelFormatError('FORMAT_LIMIT', `${st.size} bytes, above the limit of ${LIMITS.maxFileBytes} bytes for a model file`, { file });
    const bytes = new Uint8Array(st.size);
    let at = 0;
    while (at < bytes.length) {
      const n = fs.readSync(fd, bytes, at, bytes.length - at, at);
      if (n === 0) break;
      at += n;
    }
    return at === bytes.length ? bytes : bytes.subarray(0, at);
  } catch (e) {
    if (e instanceof ModelFormatError) throw e;
    return fail(e);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

export function readModelFile(file: string): Graph {
  return readModel(readModelBytes(file), { file });
}

export function writeModel(graph: Graph, format: ModelFormat): Uint8Array {
  return format === 'tflite' ? writeTflite(graph) : writeOnnx(graph);
}

/** Serialize and write atomically: a failed conversion or write never leaves a partial file behind. */
export function writeModelFile(graph: Graph, file: string, format: ModelFormat = formatFromPath(file)): void {
  const bytes = writeModel(graph, format);
  writeFileAtomic(file, bytes);
}
