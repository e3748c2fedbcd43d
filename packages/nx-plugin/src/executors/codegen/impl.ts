import * as fs from 'fs';
import * as path from 'path';
import type { ExecutorContext } from '@nx/devkit';
import { generateForTarget } from '@tinyforge/cli';
import { readModelFile } from '@tinyforge/model-format';
import { NxPluginError } from '../../errors';
import { FirmwareProject, projectFromContext, replaceDir } from '../../project-context';
import { ExecutorResult, runExecutor } from '../../run-executor';
import { QUANTIZED_MODEL } from '../../targets';
import type { CodegenExecutorSchema } from './schema';

/** What codegen leaves for build beside the generated files (dist/<project>/codegen/codegen.json). */
export interface CodegenManifest {
  prefix: string;
  /** The planner asked for, if any (the build generates the same code). */
  planner?: 'greedy' | 'optimal';
  /** Generated C files to compile, relative to the codegen folder. */
  sources: string[];
  arenaBytes: number;
  weightsBytes: number;
  layers: number;
}

export const CODEGEN_MANIFEST = 'codegen.json';
export const DEFAULT_PREFIX = 'model';

export function codegenProject(project: FirmwareProject, options: CodegenExecutorSchema = {}): CodegenManifest {
  const quantized = path.join(project.outDir('quantize'), QUANTIZED_MODEL);
  if (!fs.existsSync(quantized)) {
    throw new NxPluginError('NXPLUGIN_PATH', `no quantized model: run the quantize target first (nx run ${project.name}:quantize)`, { file: quantized });
  }
  const graph = readModelFile(quantized);
  const generated = generateForTarget(graph, project.target(), { prefix: options.prefix ?? DEFAULT_PREFIX, planner: options.planner, modelBytes: fs.readFileSync(quantized) });
  const manifest: CodegenManifest = {
    prefix: generated.prefix,
    ...(options.planner !== undefined ? { planner: options.planner } : {}),
    sources: Object.keys(generated.files).filter((n) => n.endsWith('.c')).sort(),
    arenaBytes: generated.plan.arenaSize,
    weightsBytes: generated.flashBytes,
    layers: generated.layers.length,
  };
  replaceDir(project.outDir('codegen'), (outDir) => {
    for (const [name, text] of Object.entries(generated.files)) fs.writeFileSync(path.join(outDir, name), text);
    fs.writeFileSync(path.join(outDir, CODEGEN_MANIFEST), JSON.stringify(manifest, null, 2) + '\n');
  });
  return manifest;
}

export default async function codegenExecutor(options: CodegenExecutorSchema, context: ExecutorContext): Promise<ExecutorResult> {
  return runExecutor(context, () => {
    const m = codegenProject(projectFromContext(context), options);
    console.log(`generated ${m.prefix}.{h,c} and ${m.prefix}_weights.c: ${m.layers} layers, ${m.arenaBytes}-byte arena, ${m.weightsBytes} bytes of constants`);
  });
}
