import * as fs from 'fs';
import * as path from 'path';
import { logger } from '@nx/devkit';
import type { CreateNodes, CreateNodesResult } from '@nx/devkit';
import { FIRMWARE_CONFIG_FILE, readFirmwareConfig } from './config';
import { NxPluginError } from './errors';
import { firmwareTargets } from './targets';

/** Options of the plugin entry in nx.json (none yet; kept for forward compatibility). */
export type FirmwarePluginOptions = Record<string, never>;

/** The project one firmware.json describes: its inferred targets (Nx "project crystal"). */
export function inferFirmwareProject(workspaceRoot: string, configFile: string): CreateNodesResult {
  const projectRoot = path.posix.dirname(configFile.split(path.sep).join('/'));
  const config = readFirmwareConfig(path.join(workspaceRoot, projectRoot));
  const targets = firmwareTargets(projectRoot, config, configFile);
  const dir = path.join(workspaceRoot, projectRoot);
  // A project.json or package.json names the project; a bare firmware.json folder is named after itself.
  const named = fs.existsSync(path.join(dir, 'project.json')) || fs.existsSync(path.join(dir, 'package.json'));
  return {
    projects: {
      [projectRoot]: {
        ...(named ? {} : { name: path.posix.basename(projectRoot) }),
        targets,
        tags: ['type:firmware', `board:${config.board}`],
      },
    },
  };
}

/**
 * A firmware.json that cannot be read or is invalid is skipped with a warning naming the file and every problem:
 * one bad project must not break the project graph (and so every nx command) for the rest of the workspace.
 */
export function inferOrSkip(workspaceRoot: string, configFile: string, warn: (message: string) => void = (m) => logger.warn(m)): CreateNodesResult {
  try {
    return inferFirmwareProject(workspaceRoot, configFile);
  } catch (e) {
    if (!(e instanceof NxPluginError)) throw e;
    warn(`@tinyforge/nx-plugin: skipped ${configFile}: ${e.message}`);
    return {};
  }
}

export const createNodes: CreateNodes<FirmwarePluginOptions> = [
  `**/${FIRMWARE_CONFIG_FILE}`,
  (configFiles, _options, context) => configFiles.map((file) => [file, inferOrSkip(context.workspaceRoot, file)] as const),
];

/** The same function under the name older Nx versions look for. */
export const createNodesV2 = createNodes;
