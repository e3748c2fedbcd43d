import * as fs from 'fs';
import * as path from 'path';
import type { ExecutorContext } from '@nx/devkit';
import { boardRunText, runOnBoard, RunOnBoardResult } from '@tinyforge/cli';
import { Graph, SeededRandom, tensorBytes } from '@tinyforge/ir';
import { readModelFile } from '@tinyforge/model-format';
import { NxPluginError } from '../../errors';
import { FirmwareProject, projectFromContext } from '../../project-context';
import { ExecutorResult, runExecutor, stageLines } from '../../run-executor';
import { QUANTIZED_MODEL } from '../../targets';
import type { RunExecutorSchema } from './schema';

/** Deterministic bytes from the project's seeded generator (@tinyforge/ir): the same seed gives the same inputs everywhere. */
export function seededBytes(count: number, seed: number): Uint8Array {
  const rng = new SeededRandom(seed);
  return Uint8Array.from({ length: count }, () => rng.int(0, 255));
}

function modelInputBytes(graph: Graph): number {
  return graph.inputs.reduce((n, t) => n + tensorBytes(graph.tensors[t]), 0);
}

/** The inference inputs: a raw file split into whole inferences, or seeded random data. */
export function runInputs(project: FirmwareProject, graph: Graph, options: RunExecutorSchema): Uint8Array[] {
  const size = modelInputBytes(graph);
  if (options.input !== undefined) {
    const file = path.resolve(project.workspaceRoot, options.input);
    let data: Buffer;
    try {
      data = fs.readFileSync(file);
    } catch (e) {
      throw new NxPluginError('NXPLUGIN_PATH', `cannot read the input file: ${(e as Error).message}`, { file });
    }
    if (data.length === 0 || data.length % size !== 0) {
      throw new NxPluginError('NXPLUGIN_OPTIONS', `${data.length} bytes is not a whole number of ${size}-byte inferences`, { file });
    }
    return Array.from({ length: data.length / size }, (_, i) => new Uint8Array(data.subarray(i * size, (i + 1) * size)));
  }
  const count = options.inputs ?? project.config.runInputs ?? 1;
  return Array.from({ length: count }, (_, i) => seededBytes(size, (options.seed ?? 1) + i));
}

/** Run the quantized model on the project's virtual board through @tinyforge/cli's pipeline (no shell-out). */
export async function runProject(project: FirmwareProject, options: RunExecutorSchema, log: (line: string) => void = () => undefined): Promise<RunOnBoardResult> {
  const board = project.target();
  if (board.kind !== 'virtual') {
    throw new NxPluginError('NXPLUGIN_BOARD', `${board.name} is a hardware board: use the flash target, then read it with \`tinyforge profile\``, { file: project.configFile });
  }
  const model = path.join(project.outDir('quantize'), QUANTIZED_MODEL);
  if (!fs.existsSync(model)) throw new NxPluginError('NXPLUGIN_PATH', `no quantized model: run nx run ${project.name}:quantize first`, { file: model });
  const graph = readModelFile(model);
  const flashLine = stageLines(log);
  return runOnBoard({
    model,
    board,
    inputs: runInputs(project, graph, options),
    profile: options.profile !== false,
    load: options.load,
    onProgress: (stage, message) => log(`[${stage}] ${message}`),
    onFlashProgress: (p) => flashLine(`flash ${p.phase}`, p.done, p.total),
  });
}

export default async function runTargetExecutor(options: RunExecutorSchema, context: ExecutorContext): Promise<ExecutorResult> {
  return runExecutor(context, async () => {
    const r = await runProject(projectFromContext(context), options, (line) => console.log(line));
    for (const line of boardRunText(r)) console.log(line);
  });
}
