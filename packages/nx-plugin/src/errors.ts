import { ErrorLocation, TinyforgeError } from '@tinyforge/common';

/**
 * The plugin cannot do what was asked.
 * NXPLUGIN_CONFIG: a firmware.json is missing, not JSON, or does not match the schema (names the file and field).
 * NXPLUGIN_PATH: a path in the config leaves the workspace, or a file it names does not exist.
 * NXPLUGIN_OPTIONS: generator or executor options that contradict each other or are out of range.
 * NXPLUGIN_BOARD: the board cannot do what the target needs (e.g. `run` on a hardware board).
 */
export type NxPluginErrorCode = 'NXPLUGIN_CONFIG' | 'NXPLUGIN_PATH' | 'NXPLUGIN_OPTIONS' | 'NXPLUGIN_BOARD';

export class NxPluginError extends TinyforgeError {
  override readonly name = 'NxPluginError';
  constructor(code: NxPluginErrorCode, message: string, location: ErrorLocation = {}) {
    super(code, message, location);
  }
}
