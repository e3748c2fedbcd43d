import * as fs from 'fs';
import * as path from 'path';
import { addProjectConfiguration, Tree } from '@nx/devkit';
import { listBoards } from '@tinyforge/boards';
import { FIRMWARE_CONFIG_FILE, FirmwareConfig, firmwareConfigSchema } from '../../config';
import { NxPluginError } from '../../errors';
import { firmwareMainC } from './main-c';
import type { FirmwareGeneratorSchema } from './schema';

const NAME = /^[a-z][a-z0-9-]{0,62}$/;

/** Workspace-relative POSIX path of `p` (given relative to the workspace root, or absolute), or undefined when outside. */
function insideWorkspace(tree: Tree, p: string): string | undefined {
  const abs = path.resolve(tree.root, p);
  const rel = path.relative(tree.root, abs).split(path.sep).join('/');
  return rel === '' || rel.startsWith('../') || rel === '..' || path.isAbsolute(rel) ? undefined : rel;
}

/**
 * Bring a file the config refers to into reach: a file in the workspace is referenced where it is; one outside
 * is copied into the project (Nx hashes workspace files only, so an outside file could not invalidate the cache).
 */
function referenceFile(tree: Tree, projectRoot: string, given: string, copyDir: string, what: string): string {
  const rel = insideWorkspace(tree, given);
  if (rel !== undefined) {
    if (!tree.exists(rel)) throw new NxPluginError('NXPLUGIN_PATH', `${what} '${given}' not found in the workspace`, { file: given });
    return path.posix.relative(projectRoot, rel);
  }
  const abs = path.resolve(tree.root, given);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(abs);
  } catch {
    throw new NxPluginError('NXPLUGIN_PATH', `${what} '${given}' not found`, { file: abs });
  }
  if (!stat.isFile()) throw new NxPluginError('NXPLUGIN_PATH', `${what} '${given}' lies outside the workspace and is not a file: move it into the workspace`, { file: abs });
  const dest = path.posix.join(copyDir, path.basename(abs));
  tree.write(path.posix.join(projectRoot, dest), fs.readFileSync(abs));
  return dest;
}

/** `nx g @tinyforge/nx-plugin:firmware NAME --board B --model M [--calib C]`: a firmware project Nx infers targets for. */
export async function firmwareGenerator(tree: Tree, options: FirmwareGeneratorSchema): Promise<void> {
  if (!NAME.test(options.name)) {
    throw new NxPluginError('NXPLUGIN_OPTIONS', `project name '${options.name.slice(0, 80)}' must be lower-case letters, digits and dashes, starting with a letter`);
  }
  const board = options.board ?? 'qemu-m4';
  const boardsDir = options.boardsDir === undefined ? undefined : insideWorkspace(tree, options.boardsDir);
  if (options.boardsDir !== undefined && boardsDir === undefined) {
    throw new NxPluginError('NXPLUGIN_OPTIONS', `boardsDir '${options.boardsDir.slice(0, 200)}' must lie inside the workspace (Nx hashes board files there)`);
  }
  // The workspace's own boards folder is read through the tree (what the generator sees), the shipped one from disk.
  const boards = boardsDir === undefined ? listBoards() : tree.children(boardsDir).filter((b) => tree.exists(path.posix.join(boardsDir, b, 'board.json')));
  if (!boards.includes(board)) throw new NxPluginError('NXPLUGIN_OPTIONS', `unknown board '${board.slice(0, 80)}' (boards: ${boards.join(', ')})`);
  if (!/\.(tflite|onnx)$/i.test(options.model)) throw new NxPluginError('NXPLUGIN_OPTIONS', `the model must be a .tflite or .onnx file, not '${options.model.slice(0, 200)}'`);

  const root = insideWorkspace(tree, options.directory ?? `firmware/${options.name}`);
  if (root === undefined) throw new NxPluginError('NXPLUGIN_OPTIONS', `directory '${options.directory}' must lie inside the workspace`);
  if (tree.exists(path.posix.join(root, FIRMWARE_CONFIG_FILE)) || tree.exists(path.posix.join(root, 'project.json'))) {
    throw new NxPluginError('NXPLUGIN_OPTIONS', `${root} already holds a project`);
  }

  const config: FirmwareConfig = {
    model: referenceFile(tree, root, options.model, 'model', 'model'),
    board,
    ...(options.calib === undefined ? {} : { calib: options.calib === 'random' ? 'random' : referenceFile(tree, root, options.calib, 'calib', 'calibration data') }),
    ...(options.calibSamples === undefined ? {} : { calibSamples: options.calibSamples }),
    ...(boardsDir === undefined ? {} : { boardsDir: path.posix.relative(root, boardsDir) }),
  };
  const checked = firmwareConfigSchema.safeParse(config);
  if (!checked.success) throw new NxPluginError('NXPLUGIN_CONFIG', `generated config is invalid: ${checked.error.issues[0].message}`);

  const extraTags = (options.tags ?? '').split(',').map((t) => t.trim()).filter((t) => t.length > 0);
  addProjectConfiguration(tree, options.name, { root, projectType: 'application', sourceRoot: `${root}/src`, targets: {}, tags: extraTags });
  tree.write(path.posix.join(root, FIRMWARE_CONFIG_FILE), JSON.stringify(checked.data, null, 2) + '\n');
  tree.write(path.posix.join(root, 'src', 'main.c'), firmwareMainC(options.name, board, path.posix.basename(config.model)));
}

export default firmwareGenerator;
