import { checkOutputFile } from '@tinyforge/common';
import { formatFromPath, writeModelFile } from '@tinyforge/model-format';
import { computesQuantized, qdqGraphForOnnx } from '@tinyforge/quantizer';
import { UsageError } from '../cli-error';
import { loadModel } from './load-model';
import { CommandIO, printable } from '../output';

export interface ConvertOptions {
  json?: boolean;
  /** int8 → ONNX: `tflite` (default) spells out TFLite's requantization, `plain` writes standard DQ → op → Q groups. */
  qdqRounding?: string;
}

export interface ConvertResult {
  input: string;
  output: string;
  format: string;
  operators: number;
  tensors: number;
  /** An int8 model written to ONNX: in the QDQ form, with this rounding. */
  qdq?: 'tflite' | 'plain';
}

/**
 * Convert between TFLite and ONNX; the output format comes from the output file's extension. ONNX holds an int8
 * model in the QDQ form (float ops between DequantizeLinear and QuantizeLinear), which is written here the way
 * `quantize --onnx-qdq` writes it.
 */
export function runConvert(input: string, output: string, options: ConvertOptions, io: CommandIO): void {
  const rounding = options.qdqRounding ?? 'tflite';
  if (rounding !== 'tflite' && rounding !== 'plain') throw new UsageError(`--qdq-rounding must be tflite or plain, got '${rounding}'`);
  const format = formatFromPath(output);
  checkOutputFile(output);
  const graph = loadModel(input, io);
  const qdq = format === 'onnx' && computesQuantized(graph) ? rounding : undefined;
  const written = qdq !== undefined ? qdqGraphForOnnx(graph, { rounding: qdq }) : graph;
  writeModelFile(written, output, format);
  const result: ConvertResult = { input, output, format, operators: written.nodes.length, tensors: written.tensors.length, ...(qdq !== undefined ? { qdq } : {}) };
  const form = qdq !== undefined ? `, the int8 model in QDQ form with ${qdq === 'tflite' ? "TFLite's rounding spelled out" : 'plain DQ → op → Q groups'}` : '';
  io.out(options.json ? JSON.stringify(result, null, 2) : `wrote ${printable(output, 200)} (${format}, ${result.operators} operators${form})`);
}
