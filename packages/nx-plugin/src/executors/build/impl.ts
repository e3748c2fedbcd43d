import * as fs from 'fs';
import * as path from 'path';
import type { ExecutorContext } from '@nx/devkit';
import { buildFirmware, FirmwareBuildResult, formatSizeReport, loadBoard } from '@tinyforge/boards';
import { kernelIncludeDir, kernelSources } from '@tinyforge/kernels-cmsis';
import { DEFAULT_SOURCES } from '../../config';
import { NxPluginError } from '../../errors';
import { existingFile, FirmwareProject, projectFromContext, replaceDir } from '../../project-context';
import { ExecutorResult, runExecutor } from '../../run-executor';
import { CODEGEN_MANIFEST, CodegenManifest } from '../codegen/impl';
import type { BuildExecutorSchema } from './schema';

export const FIRMWARE_NAME = 'firmware';

function readManifest(project: FirmwareProject): { dir: string; manifest: CodegenManifest } {
  const dir = project.outDir('codegen');
  const file = path.join(dir, CODEGEN_MANIFEST);
  try {
    return { dir, manifest: JSON.parse(fs.readFileSync(file, 'utf8')) as CodegenManifest };
  } catch (e) {
    throw new NxPluginError('NXPLUGIN_PATH', `no generated model (${(e as Error).message}): run the codegen target first (nx run ${project.name}:codegen)`, { file });
  }
}

export function buildProject(project: FirmwareProject, options: BuildExecutorSchema = {}): FirmwareBuildResult {
  const { dir: generatedDir, manifest } = readManifest(project);
  const appSources = (project.config.sources ?? DEFAULT_SOURCES).map((s) => existingFile(project, s, 'source'));
  const board = loadBoard(project.config.board, project.boardLookup);
  const finalDir = project.outDir('build');
  // Built in a staging folder and swapped in whole: a failed build leaves the previous firmware, not half a new one.
  return replaceDir(finalDir, (outDir) => {
    const result = buildFirmware({
      board,
      sources: [...appSources, ...manifest.sources.map((s) => path.join(generatedDir, s)), ...kernelSources()],
      includeDirs: [generatedDir, kernelIncludeDir, ...new Set(appSources.map((s) => path.dirname(s)))],
      defines: options.defines,
      optimize: options.optimize,
      lto: options.lto,
      image: options.image,
      outDir,
      name: FIRMWARE_NAME,
    });
    fs.writeFileSync(path.join(outDir, 'size.json'), JSON.stringify(result.size, null, 2) + '\n');
    const moved = (file: string): string => path.join(finalDir, path.basename(file));
    return { ...result, elf: moved(result.elf), bin: moved(result.bin), hex: moved(result.hex), map: moved(result.map) };
  });
}

export default async function buildExecutor(options: BuildExecutorSchema, context: ExecutorContext): Promise<ExecutorResult> {
  return runExecutor(context, () => {
    const r = buildProject(projectFromContext(context), options);
    console.log(`built ${path.relative(context.root, r.elf)} for ${r.board}`);
    console.log(formatSizeReport(r.size));
  });
}
