import * as fs from 'fs';
import * as path from 'path';
import type { ExecutorContext } from '@nx/devkit';
import { flashOptionsFor } from '@tinyforge/boards';
import { flashImage } from '@tinyforge/flasher';
import { NxPluginError } from '../../errors';
import { FirmwareProject, projectFromContext } from '../../project-context';
import { ExecutorResult, runExecutor, stageLines } from '../../run-executor';
import { FIRMWARE_NAME } from '../build/impl';
import type { FlashExecutorSchema } from './schema';

export async function flashProject(project: FirmwareProject, options: FlashExecutorSchema = {}): Promise<string> {
  const elf = path.join(project.outDir('build'), `${FIRMWARE_NAME}.elf`);
  if (!fs.existsSync(elf)) throw new NxPluginError('NXPLUGIN_PATH', `no firmware: run nx run ${project.name}:build first`, { file: elf });
  const port = options.port ?? project.config.port;
  if (port === undefined) throw new NxPluginError('NXPLUGIN_OPTIONS', 'no port: give --port or set "port" in firmware.json', { file: project.configFile });
  const board = project.target();
  if (board.kind === 'virtual') {
    throw new NxPluginError('NXPLUGIN_BOARD', `${board.name} is a virtual board: use the run target (it boots QEMU and flashes it)`, { file: project.configFile });
  }
  const line = stageLines((l) => console.log(l));
  const r = await flashImage({ ...flashOptionsFor(board, { image: elf, port, method: options.method, verify: options.verify, go: options.go ?? true }), onProgress: (p) => line(`flash ${p.phase}`, p.done, p.total) });
  const bytes = (r as { bytes?: number }).bytes;
  return `flashed ${path.basename(elf)} to ${board.name} on ${port}${bytes !== undefined ? `: ${bytes} bytes` : ''}`;
}

export default async function flashExecutor(options: FlashExecutorSchema, context: ExecutorContext): Promise<ExecutorResult> {
  return runExecutor(context, async () => console.log(await flashProject(projectFromContext(context), options)));
}
