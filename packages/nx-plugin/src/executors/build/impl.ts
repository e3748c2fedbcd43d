import * as fs from 'fs';
import * as path from 'path';
import type { ExecutorContext } from '@nx/devkit';
import { FirmwareBuildResult, formatSizeReport } from '@tinyforge/boards';
import { buildModelFirmware } from '@tinyforge/cli';
import { readModelFile } from '@tinyforge/model-format';
import { DEFAULT_SOURCES } from '../../config';
import { NxPluginError } from '../../errors';
import { existingFile, FirmwareProject, projectFromContext, replaceDir } from '../../project-context';
import { ExecutorResult, runExecutor } from '../../run-executor';
import { QUANTIZED_MODEL } from '../../targets';
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

/**
 * The project's application (src/main.c by default) with its model, through the one firmware builder: the same
 * generation as the codegen target (its prefix and planner), the kernels, the link (tfg_link.h) and board support.
 */
export function buildProject(project: FirmwareProject, options: BuildExecutorSchema = {}): FirmwareBuildResult {
  const { manifest } = readManifest(project);
  const quantized = path.join(project.outDir('quantize'), QUANTIZED_MODEL);
  if (!fs.existsSync(quantized)) throw new NxPluginError('NXPLUGIN_PATH', `no quantized model: run nx run ${project.name}:quantize first`, { file: quantized });
  const appSources = (project.config.sources ?? DEFAULT_SOURCES).map((s) => existingFile(project, s, 'source'));
  const target = project.target();
  const modelBytes = fs.readFileSync(quantized);
  const finalDir = project.outDir('build');
  // Built in a staging folder and swapped in whole: a failed build leaves the previous firmware, not half a new one.
  return replaceDir(finalDir, (outDir) => {
    const { firmware } = buildModelFirmware(readModelFile(quantized), target, {
      outDir,
      prefix: manifest.prefix,
      planner: manifest.planner,
      modelBytes,
      application: { sources: appSources, includeDirs: [...new Set(appSources.map((s) => path.dirname(s)))], defines: options.defines },
      optimize: options.optimize,
      lto: options.lto,
      image: options.image,
      name: FIRMWARE_NAME,
    });
    fs.writeFileSync(path.join(outDir, 'size.json'), JSON.stringify(firmware.size, null, 2) + '\n');
    const moved = (file: string): string => path.join(finalDir, path.basename(file));
    return { ...firmware, elf: moved(firmware.elf), bin: moved(firmware.bin), hex: moved(firmware.hex), map: moved(firmware.map), ...(firmware.uf2 ? { uf2: moved(firmware.uf2) } : {}) };
  });
}

export default async function buildExecutor(options: BuildExecutorSchema, context: ExecutorContext): Promise<ExecutorResult> {
  return runExecutor(context, () => {
    const r = buildProject(projectFromContext(context), options);
    console.log(`built ${path.relative(context.root, r.elf)} for ${r.board}`);
    console.log(formatSizeReport(r.size));
  });
}
