import * as path from 'path';

/** The board-side C of the link, the profiler and the board application (the package's c/ folder). */
export const BOARD_C_DIR = path.join(__dirname, '..', 'c');

/**
 * The board C files, by job: `link` (framing and the model I/O exchange) in every model firmware; `app` (the board
 * application's main(), configured by a generated tfg_app_model.h); `profile` (hooks and records) and
 * `profiledModel` (the model's source with the hooks on) in profiled builds; `mlperf` (the MLPerf Tiny runner's
 * protocol) in benchmark builds.
 */
export const BOARD_C_SOURCES = {
  link: path.join(BOARD_C_DIR, 'tfg_link.c'),
  app: path.join(BOARD_C_DIR, 'tfg_app.c'),
  profile: path.join(BOARD_C_DIR, 'tfg_profile.c'),
  profiledModel: path.join(BOARD_C_DIR, 'tfg_model_profiled.c'),
  /** The MLPerf Tiny runner's text protocol (tfg_mlperf.h), in firmwares built with TFG_APP_MLPERF. */
  mlperf: path.join(BOARD_C_DIR, 'tfg_mlperf.c'),
} as const;
