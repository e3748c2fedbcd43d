import * as fs from 'fs';
import * as path from 'path';
import type { ExecutorContext } from '@nx/devkit';
import { loadTarget, Target } from '@tinyforge/boards';
import { FIRMWARE_CONFIG_FILE, FirmwareConfig, readFirmwareConfig, workspacePath } from './config';
import { NxPluginError } from './errors';
import { outputDir } from './targets';

/** Everything an executor needs about its firmware project, with absolute paths. */
export interface FirmwareProject {
  name: string;
  workspaceRoot: string;
  /** Workspace-relative POSIX path of the project folder. */
  root: string;
  configFile: string;
  config: FirmwareConfig;
  /** Absolute path of a config path (relative to the project folder), checked to stay in the workspace. */
  resolve(relative: string): string;
  /** Absolute dist/<root>/<target> folder. */
  outDir(target: 'quantize' | 'codegen' | 'build' | 'profile'): string;
  /** The project's board (firmware.json `board`, from its `boardsDir` if it has one), loaded once on first use. */
  target(): Target;
}

export function firmwareProject(workspaceRoot: string, name: string, root: string): FirmwareProject {
  const posixRoot = root.split(path.sep).join('/');
  const configFile = path.join(workspaceRoot, posixRoot, FIRMWARE_CONFIG_FILE);
  const config = readFirmwareConfig(path.join(workspaceRoot, posixRoot));
  const resolve = (relative: string) => path.join(workspaceRoot, workspacePath(posixRoot, relative, configFile));
  let target: Target | undefined;
  return {
    name,
    workspaceRoot,
    root: posixRoot,
    configFile,
    config,
    resolve,
    outDir: (target) => path.join(workspaceRoot, outputDir(posixRoot, target)),
    target: () => (target ??= loadTarget(config.board, config.boardsDir !== undefined ? { boardsDir: resolve(config.boardsDir) } : {})),
  };
}

/** The firmware project an executor runs for, from Nx's executor context. */
export function projectFromContext(context: ExecutorContext): FirmwareProject {
  const name = context.projectName;
  const project = name !== undefined ? context.projectsConfigurations?.projects[name] : undefined;
  if (name === undefined || project === undefined) {
    throw new NxPluginError('NXPLUGIN_OPTIONS', `no project in the executor context (target ${context.targetName ?? '?'})`);
  }
  return firmwareProject(context.root, name, project.root);
}

/** A file the config names must exist before any work starts. */
export function existingFile(project: FirmwareProject, relative: string, what: string): string {
  const file = project.resolve(relative);
  if (!fs.existsSync(file)) throw new NxPluginError('NXPLUGIN_PATH', `${what} '${relative}' not found`, { file: project.configFile });
  return file;
}

/**
 * Fill a staging folder beside `dir`, then swap it in: a failure part-way leaves the previous outputs (and no
 * partial set), and the staging folder is removed. The folder starts empty, so stale files never reach Nx's cache.
 */
export { replaceDirAtomic as replaceDir } from '@tinyforge/common';
