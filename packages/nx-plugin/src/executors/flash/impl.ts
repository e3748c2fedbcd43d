import * as fs from 'fs';
import * as path from 'path';
import type { ExecutorContext } from '@nx/devkit';
import { LoadedBoard, loadBoard } from '@tinyforge/boards';
import { FlashImageOptions, flashImage } from '@tinyforge/flasher';
import { NxPluginError } from '../../errors';
import { FirmwareProject, projectFromContext } from '../../project-context';
import { ExecutorResult, runExecutor } from '../../run-executor';
import { FIRMWARE_NAME } from '../build/impl';
import type { FlashExecutorSchema } from './schema';

/** One of the board file's flashing methods (default its first) as flashImage options, mapped like `tinyforge flash --board`. */
export function flashOptionsForBoard(board: LoadedBoard, image: string, port: string, options: FlashExecutorSchema = {}): FlashImageOptions {
  const method = options.method === undefined ? board.flashing[0] : board.flashing.find((m) => m.method === options.method);
  if (method === undefined) {
    throw new NxPluginError('NXPLUGIN_BOARD', `${board.name} has no '${options.method}' flashing method (it has ${board.flashing.map((m) => m.method).join(', ')})`, { file: board.file });
  }
  const common = { image, port, verify: options.verify, go: options.go ?? true };
  switch (method.method) {
    case 'an3155':
      return { ...common, protocol: 'stm32', baudRate: method.baud, parity: method.parity, flash: { base: method.flashBase, sectors: method.sectors, writeAlign: 4 } };
    case 'samba':
      return { ...common, protocol: 'samba', touch: true, samba: { appStart: method.offset, flashSize: board.flash.base + board.flash.size } };
    case 'uf2':
      return { ...common, protocol: 'msd', msd: { format: 'uf2', familyId: method.familyId } };
    case 'msd':
      return { ...common, protocol: 'msd', msd: { format: 'bin', flashBase: board.flash.base } };
  }
}

export async function flashProject(project: FirmwareProject, options: FlashExecutorSchema = {}): Promise<string> {
  const elf = path.join(project.outDir('build'), `${FIRMWARE_NAME}.elf`);
  if (!fs.existsSync(elf)) throw new NxPluginError('NXPLUGIN_PATH', `no firmware: run nx run ${project.name}:build first`, { file: elf });
  const port = options.port ?? project.config.port;
  if (port === undefined) throw new NxPluginError('NXPLUGIN_OPTIONS', 'no port: give --port or set "port" in firmware.json', { file: project.configFile });
  const board = loadBoard(project.config.board, project.boardLookup);
  if (board.kind === 'virtual') {
    throw new NxPluginError('NXPLUGIN_BOARD', `${board.name} is a virtual board: use the run target (it boots QEMU and flashes it)`, { file: project.configFile });
  }
  const r = await flashImage(flashOptionsForBoard(board, elf, port, options));
  const bytes = (r as { bytes?: number }).bytes;
  return `flashed ${path.basename(elf)} to ${board.name} on ${port}${bytes !== undefined ? `: ${bytes} bytes` : ''}`;
}

export default async function flashExecutor(options: FlashExecutorSchema, context: ExecutorContext): Promise<ExecutorResult> {
  return runExecutor(context, async () => console.log(await flashProject(projectFromContext(context), options)));
}
