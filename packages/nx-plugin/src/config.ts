import * as fs from 'fs';
import * as path from 'path';
import { z } from 'zod';
import { NxPluginError } from './errors';

/** The file that marks a folder as a firmware project; targets are inferred from it. */
export const FIRMWARE_CONFIG_FILE = 'firmware.json';

/** Paths in firmware.json are relative to the project folder and must stay inside the workspace. */
const relativePath = z
  .string()
  .min(1)
  .refine((p) => !path.isAbsolute(p), 'must be relative to the project folder');

export const firmwareConfigSchema = z.strictObject({
  $schema: z.string().optional(),
  /** The model (.tflite or .onnx): float (quantized by the quantize target) or already int8 (copied). */
  model: relativePath,
  /** A board under the boards folder (boards/<name>/board.json). */
  board: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a board name: lower-case letters, digits and dashes'),
  /** Calibration data for a float model (.npy/.npz/folder), or 'random'. */
  calib: z.union([z.literal('random'), relativePath]).optional(),
  /** How many calibration samples to use (random calibration draws this many). */
  calibSamples: z.number().int().positive().max(100_000).optional(),
  /** Your own board definitions (a folder of <name>/board.json), relative to the project; default: the boards
   *  shipped with @tinyforge/boards. */
  boardsDir: relativePath.optional(),
  /** The application's C sources, relative to the project (default: src/main.c). */
  sources: z.array(relativePath).min(1).optional(),
  /** Serial port (or drive) for the flash target; may also be given as `--port`. */
  port: z.string().min(1).optional(),
  /** How many random inputs the run and profile targets send (default 1). */
  runInputs: z.number().int().positive().max(1000).optional(),
});

export type FirmwareConfig = z.output<typeof firmwareConfigSchema>;

export const DEFAULT_SOURCES = ['src/main.c'];

/** Parse and validate firmware.json text; `file` names it in errors. */
export function parseFirmwareConfig(text: string, file: string): FirmwareConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new NxPluginError('NXPLUGIN_CONFIG', `not valid JSON: ${(e as Error).message}`, { file });
  }
  const parsed = firmwareConfigSchema.safeParse(json);
  if (!parsed.success) {
    // Every problem at once, each at its JSON path: one round of edits fixes the file.
    const issues = parsed.error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`);
    throw new NxPluginError('NXPLUGIN_CONFIG', issues.join('; '), { file });
  }
  return parsed.data;
}

/** Read <projectDir>/firmware.json. */
export function readFirmwareConfig(projectDir: string): FirmwareConfig {
  const file = path.join(projectDir, FIRMWARE_CONFIG_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new NxPluginError('NXPLUGIN_CONFIG', `cannot read the firmware config: ${(e as Error).message}`, { file });
  }
  return parseFirmwareConfig(text, file);
}

/**
 * A config path as a workspace-relative POSIX path (what Nx inputs need). Refuses paths leaving the workspace:
 * Nx cannot hash them, so a change there would not rebuild anything.
 */
export function workspacePath(projectRoot: string, relative: string, file: string): string {
  const joined = path.posix.normalize(path.posix.join(projectRoot.split(path.sep).join('/'), relative.split(path.sep).join('/')));
  if (joined === '..' || joined.startsWith('../') || path.posix.isAbsolute(joined)) {
    throw new NxPluginError('NXPLUGIN_PATH', `'${relative}' leaves the workspace; copy it into the workspace so Nx can hash it`, { file });
  }
  return joined;
}
