import * as fs from 'fs';
import * as path from 'path';
import { SizeReport, Target } from '@tinyforge/boards';
import { writeFileAtomic } from '@tinyforge/common';
import { LayerMeta, PROTOCOL_VERSION } from '@tinyforge/serial-profiler';
import { BoardRunError } from './errors';
import type { ModelFigures } from './figures';

/** Written by buildModelFirmware, and checked by what runs its output: firmware from any other builder is refused. */
export const FIRMWARE_BUILDER = 'tinyforge buildModelFirmware';
export const FIRMWARE_MANIFEST = 'firmware.json';
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/** What one model firmware build produced (outDir/firmware.json); file names are relative to that folder. */
export interface FirmwareManifest {
  builder: typeof FIRMWARE_BUILDER;
  /** The link protocol version the firmware speaks (serial-profiler PROTOCOL_VERSION). */
  protocolVersion: number;
  /** `board`: the board application (serial-profiler c/tfg_app.c) on the link; `mlperf`: the same application
   *  speaking the MLPerf Tiny runner's protocol; `custom`: the caller's own main(). */
  application: 'board' | 'mlperf' | 'custom';
  board: string;
  image: 'application' | 'bootloader';
  profile: boolean;
  prefix: string;
  /** The model's figures (pipeline/figures.ts); lowerBoundBytes is absent in manifests from before it was recorded. */
  model: { sha256?: string; inputBytes: number; outputBytes: number; arenaBytes: number; weightsBytes: number; lowerBoundBytes?: ModelFigures['lowerBoundBytes'] };
  packedFilters: boolean;
  packedFiltersDropped: boolean;
  files: { elf: string; bin: string; hex: string; uf2?: string; map: string; planJson: string };
  layers: LayerMeta[];
  size: SizeReport;
}

export function writeManifest(outDir: string, manifest: FirmwareManifest): string {
  const file = path.join(outDir, FIRMWARE_MANIFEST);
  writeFileAtomic(file, `${JSON.stringify(manifest, null, 2)}\n`);
  return file;
}

/** A built firmware as a later run uses it: the manifest and its files as absolute paths. */
export interface BuiltFirmware {
  dir: string;
  manifest: FirmwareManifest;
  elf: string;
  planJsonPath: string;
}

/**
 * The firmware `tinyforge build` (or `run --keep`) left in `dir`, checked to come from the one builder, speak this
 * link protocol, run the board application and suit `target`; every file it names must lie in `dir`.
 */
export function readBuiltFirmware(dir: string, target: Target): BuiltFirmware {
  const file = path.join(dir, FIRMWARE_MANIFEST);
  const fail = (message: string): never => {
    throw new BoardRunError('RUN_BOARD_FIRMWARE', message, { file });
  };
  let text = '';
  try {
    if (fs.statSync(file).size > MAX_MANIFEST_BYTES) fail(`larger than ${MAX_MANIFEST_BYTES} bytes: not a firmware manifest`);
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof BoardRunError) throw e;
    fail(`no firmware here (${(e as NodeJS.ErrnoException).code ?? String(e)}): build it with \`tinyforge build --board ${target.name} --model MODEL -o ${dir}\``);
  }
  let m: FirmwareManifest;
  try {
    m = JSON.parse(text) as FirmwareManifest;
  } catch (e) {
    return fail(`not JSON: ${(e as Error).message}`);
  }
  if (typeof m !== 'object' || m === null || m.builder !== FIRMWARE_BUILDER) fail(`not written by ${FIRMWARE_BUILDER}`);
  if (m.protocolVersion !== PROTOCOL_VERSION) fail(`the firmware speaks link protocol version ${String(m.protocolVersion)}, this host ${PROTOCOL_VERSION}: build it again`);
  if (m.application !== 'board') fail(m.application === 'mlperf' ? 'the firmware speaks the MLPerf Tiny runner protocol (drive it with `tinyforge mlperf`), not the link' : 'the firmware runs its own application, not the board application the host drives');
  if (m.board !== target.name) fail(`built for ${String(m.board)}, not ${target.name}`);
  if (m.image !== 'application' && m.image !== 'bootloader') fail(`unknown image kind ${String(m.image)}`);
  const counts = m.model;
  if (typeof counts !== 'object' || counts === null || ![counts.inputBytes, counts.outputBytes, counts.arenaBytes, counts.weightsBytes].every((n) => Number.isSafeInteger(n) && n >= 0)) fail('model sizes missing');
  if (!Array.isArray(m.layers)) fail('layer table missing');
  const inside = (name: unknown, what: string): string => {
    // Names only (plan.json under src/): a manifest never points outside its folder.
    if (typeof name !== 'string' || !/^(src\/)?[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(name)) return fail(`bad ${what} file name ${JSON.stringify(name)}`);
    const full = path.join(dir, name);
    if (!fs.existsSync(full)) fail(`${what} file ${name} is missing`);
    return full;
  };
  return { dir, manifest: m, elf: inside(m.files?.elf, 'ELF'), planJsonPath: inside(m.files?.planJson, 'plan') };
}
