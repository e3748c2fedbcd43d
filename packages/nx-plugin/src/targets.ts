import * as path from 'path';
import type { TargetConfiguration } from '@nx/devkit';
import { DEFAULT_SOURCES, FirmwareConfig, workspacePath } from './config';
import { fingerprintCommand } from './fingerprint';

export const PLUGIN_NAME = '@tinyforge/nx-plugin';
export const TARGET_NAMES = ['quantize', 'codegen', 'build', 'flash', 'run', 'profile'] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

/** Where each target writes, relative to the workspace root: dist/<projectRoot>/<target>. */
export function outputDir(projectRoot: string, target: 'quantize' | 'codegen' | 'build' | 'profile'): string {
  return path.posix.join('dist', projectRoot.split(path.sep).join('/'), target);
}

/** The quantized model the quantize target writes and codegen reads. */
export const QUANTIZED_MODEL = 'model.tflite';

/** Which packages decide each target's result (their versions and code are inputs). */
const PACKAGES: Record<'quantize' | 'codegen' | 'build', string[]> = {
  quantize: ['@tinyforge/quantizer', '@tinyforge/model-format', '@tinyforge/ir'],
  codegen: ['@tinyforge/cli', '@tinyforge/codegen-c', '@tinyforge/kernels-cmsis', '@tinyforge/model-format', '@tinyforge/ir', '@tinyforge/common'],
  // The one firmware builder (cli) generates as codegen does, then adds the link and board application C
  // (serial-profiler), board support (boards) and the UF2 writer (flasher).
  build: ['@tinyforge/cli', '@tinyforge/codegen-c', '@tinyforge/kernels-cmsis', '@tinyforge/serial-profiler', '@tinyforge/boards', '@tinyforge/flasher', '@tinyforge/model-format', '@tinyforge/ir', '@tinyforge/common'],
};

export const TOOLCHAIN_INPUT = { runtime: 'arm-none-eabi-gcc --version' };

/**
 * The packages doing the work are fingerprinted by content (runtime inputs), so no npm dependency needs hashing:
 * without this Nx would hash every external dependency of the workspace into each task.
 */
const NO_EXTERNAL_DEPENDENCIES: Input = { externalDependencies: [] };

type Input = NonNullable<TargetConfiguration['inputs']>[number];

/**
 * The targets of one firmware project. Inputs are exact so that Nx's cache is right: a model or calibration
 * change reruns the chain from quantize, a board or toolchain change from codegen/build, a package upgrade the
 * targets that package serves. `file` is firmware.json (workspace-relative), for errors.
 */
export function firmwareTargets(projectRoot: string, config: FirmwareConfig, file: string): Record<TargetName, TargetConfiguration> {
  const ws = (p: string) => `{workspaceRoot}/${workspacePath(projectRoot, p, file)}`;
  const configInput = '{projectRoot}/firmware.json';
  const modelInputs: Input[] = [configInput, ws(config.model)];
  if (config.calib !== undefined && config.calib !== 'random') {
    const calib = workspacePath(projectRoot, config.calib, file);
    // A calibration folder: every file in it; a file: itself (the glob matches nothing extra).
    modelInputs.push(`{workspaceRoot}/${calib}`, `{workspaceRoot}/${calib}/**/*`);
  }
  const boardInputs: Input[] =
    config.boardsDir !== undefined
      ? [ws(`${config.boardsDir}/${config.board}/**/*`), ws(`${config.boardsDir}/common/**/*`)]
      : [{ runtime: fingerprintCommand([`board:${config.board}`]) }];
  const sources = (config.sources ?? DEFAULT_SOURCES).map(ws);
  const upstream: Input = { dependentTasksOutputFiles: '**/*', transitive: true };
  const executor = (name: TargetName) => `${PLUGIN_NAME}:${name}`;
  const out = (t: 'quantize' | 'codegen' | 'build' | 'profile') => `{workspaceRoot}/${outputDir(projectRoot, t)}`;

  return {
    quantize: {
      executor: executor('quantize'),
      cache: true,
      inputs: [...modelInputs, { runtime: fingerprintCommand(PACKAGES.quantize) }, NO_EXTERNAL_DEPENDENCIES],
      outputs: [out('quantize')],
      metadata: { description: 'Quantize the model to int8 (an int8 model is copied as it is)' },
    },
    codegen: {
      executor: executor('codegen'),
      cache: true,
      dependsOn: ['quantize'],
      inputs: [configInput, upstream, ...boardInputs, { runtime: fingerprintCommand(PACKAGES.codegen) }, NO_EXTERNAL_DEPENDENCIES],
      outputs: [out('codegen')],
      metadata: { description: 'Generate C for the int8 model (statically planned arena, kernels-cmsis calls)' },
    },
    build: {
      executor: executor('build'),
      cache: true,
      dependsOn: ['codegen'],
      inputs: [configInput, upstream, ...sources, ...boardInputs, TOOLCHAIN_INPUT, { runtime: fingerprintCommand(PACKAGES.build) }, NO_EXTERNAL_DEPENDENCIES],
      outputs: [out('build')],
      metadata: { description: `Build the application with the model, the kernels and the link for ${config.board}` },
    },
    flash: {
      executor: executor('flash'),
      cache: false,
      dependsOn: ['build'],
      metadata: { description: 'Write the built firmware to the board' },
    },
    run: {
      executor: executor('run'),
      cache: false,
      dependsOn: ['quantize'],
      metadata: { description: 'Run the model on the virtual board and print timing' },
    },
    profile: {
      executor: executor('profile'),
      cache: false,
      dependsOn: ['quantize'],
      outputs: [out('profile')],
      metadata: { description: 'Run the model on the virtual board with per-layer profiling' },
    },
  };
}
