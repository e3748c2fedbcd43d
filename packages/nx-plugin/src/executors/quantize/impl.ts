import * as fs from 'fs';
import * as path from 'path';
import type { ExecutorContext } from '@nx/devkit';
import { Graph } from '@tinyforge/ir';
import { writeFileAtomic } from '@tinyforge/common';
import { readModelFile, writeTflite } from '@tinyforge/model-format';
import { quantizeFile } from '@tinyforge/quantizer';
import { existingFile, FirmwareProject, projectFromContext, replaceDir } from '../../project-context';
import { ExecutorResult, runExecutor, stageLines } from '../../run-executor';
import { QUANTIZED_MODEL } from '../../targets';
import type { QuantizeExecutorSchema } from './schema';

export interface QuantizeOutcome {
  /** The int8 TFLite model codegen reads. */
  model: string;
  /** `quantized` (from float, with a report), `copied` (already int8 TFLite), `converted` (int8 ONNX → TFLite). */
  action: 'quantized' | 'copied' | 'converted';
  summary: string;
}

/** An int8 model computes in integers: no node produces float32 (a float input may still be quantized first). */
export function isQuantizedModel(graph: Graph): boolean {
  return graph.nodes.every((n) => n.outputs.every((t) => graph.tensors[t].dtype !== 'float32' || n.op === 'Dequantize'));
}

export function quantizeProject(project: FirmwareProject, options: QuantizeExecutorSchema = {}): QuantizeOutcome {
  const { config } = project;
  const modelFile = existingFile(project, config.model, 'model');
  const finalDir = project.outDir('quantize');
  const model = path.join(finalDir, QUANTIZED_MODEL);
  const graph = readModelFile(modelFile);
  const calib = config.calib === undefined || config.calib === 'random' ? config.calib : existingFile(project, config.calib, 'calibration data');
  // Written to a staging folder and swapped in whole: a failure leaves the previous outputs, never a partial set.
  return replaceDir(finalDir, (outDir) => {
    const output = path.join(outDir, QUANTIZED_MODEL);
    if (isQuantizedModel(graph)) {
      if (modelFile.toLowerCase().endsWith('.tflite')) {
        fs.copyFileSync(modelFile, output);
        return { model, action: 'copied', summary: `${config.model} is already int8: copied` };
      }
      writeFileAtomic(output, writeTflite(graph));
      return { model, action: 'converted', summary: `${config.model} is already int8: written as TFLite` };
    }
    const line = stageLines((l) => console.log(l));
    const r = quantizeFile({
      model: modelFile,
      calib,
      output,
      samples: options.samples ?? config.calibSamples,
      method: options.method,
      reportJson: path.join(outDir, 'report.json'),
      onProgress: (done, total, step) => line(step ?? 'calibrate', done, total),
    });
    const sqnr = r.report.outputSqnrDb.toFixed(1);
    return { model, action: 'quantized', summary: `quantized ${config.model} on ${r.calibration} in ${r.milliseconds} ms (output SQNR ${sqnr} dB)` };
  });
}

export default async function quantizeExecutor(options: QuantizeExecutorSchema, context: ExecutorContext): Promise<ExecutorResult> {
  return runExecutor(context, () => {
    const outcome = quantizeProject(projectFromContext(context), options);
    console.log(`${outcome.summary} → ${path.relative(context.root, outcome.model)}`);
  });
}
