import { checkOutputFile } from '@tinyforge/common';
import { formatFromPath, writeModelFile } from '@tinyforge/model-format';
import { loadModel } from './load-model';
import { CommandIO, printable } from '../output';

export interface ConvertResult {
  input: string;
  output: string;
  format: string;
  operators: number;
  tensors: number;
}

/** Convert between TFLite and ONNX; the output format comes from the output file's extension. */
export function runConvert(input: string, output: string, options: { json?: boolean }, io: CommandIO): void {
  const format = formatFromPath(output);
  checkOutputFile(output);
  const graph = loadModel(input, io);
  writeModelFile(graph, output, format);
  const result: ConvertResult = { input, output, format, operators: graph.nodes.length, tensors: graph.tensors.length };
  io.out(options.json ? JSON.stringify(result, null, 2) : `wrote ${printable(output, 200)} (${format}, ${result.operators} operators)`);
}
