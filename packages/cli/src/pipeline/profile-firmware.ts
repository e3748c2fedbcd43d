import * as fs from 'fs';
import { Target } from '@tinyforge/boards';
import { SerialTransport } from '@tinyforge/flasher';
import { BoardInfo, buildReport, parseLayerTable, ProfileReport, ProfileSession, RamInUse, withCycleEstimate } from '@tinyforge/serial-profiler';
import { BoardLink } from './board-link';
import { cycleModelFor, estimateFirmwareCycles } from './cycle-estimate';
import { BoardRunError } from './errors';
import { FirmwareManifest, readBuiltFirmware } from './firmware-manifest';
import { ramInUse as ramInUseOf } from './figures';

/** What the profile command needs to know about the board it reads: name, clock, and QEMU's instruction scale. */
export function boardInfo(target: Target): BoardInfo {
  return { name: target.name, clockHz: target.clockHz, kind: target.kind, icountShift: target.qemu?.icountShift };
}

/**
 * The profile report of a link session: plan.json names the layers and gives the arena; the build's table adds
 * MACs and output shapes; its manifest the firmware's flash and RAM; `ramInUse` the RAM it used (the stack measured).
 */
export function linkReport(link: BoardLink, board: BoardInfo, planJsonPath: string, manifest: FirmwareManifest, ramInUse?: RamInUse): { report: ProfileReport; session: ProfileSession } {
  const session = link.session.finish(link.decoderStats, { countOpenRuns: false });
  const table = parseLayerTable(fs.readFileSync(planJsonPath, 'utf8'), planJsonPath);
  const { size, model } = manifest;
  const report = buildReport(session, {
    board,
    table: { layers: table.layers.map((l, i) => ({ ...manifest.layers[i], ...l })), arena: table.arena },
    firmware: { flash: { used: size.flash.used, size: size.flash.size }, ram: { used: size.ram.used, size: size.ram.size }, weightsBytes: model.weightsBytes, arenaBytes: model.arenaBytes, ...(ramInUse !== undefined ? { ramInUse } : {}) },
  });
  return { report, session };
}

export interface ProfileFirmwareOptions {
  /** The serial port the running board's console is on. */
  port: string;
  target: Target;
  /** What `tinyforge build --profile` wrote (firmware.json, plan.json): the firmware flashed on the board. */
  firmwareDir: string;
  /** One inference: all model inputs back to back. */
  input: Uint8Array;
  runs: number;
  /** Per inference, in ms. */
  timeoutMs: number;
  baudRate?: number;
  onText?: (line: string) => void;
  /** On a virtual board whose core has a timing model: add estimated cycles (one traced QEMU run of the ELF; default true). */
  cycles?: boolean;
}

/**
 * Profile a board running the board application (built by the one builder with --profile, already flashed and
 * started): send the input `runs` times over the link and collect the profile records that come back with each
 * inference's outputs. The layer table is the build's, so a port opened after the board's start-up records still
 * gets names, MACs and shapes.
 */
export async function profileFirmware(options: ProfileFirmwareOptions): Promise<{ report: ProfileReport; session: ProfileSession; outputs: Uint8Array[] }> {
  const built = readBuiltFirmware(options.firmwareDir, options.target);
  const { model } = built.manifest;
  if (!built.manifest.profile) throw new BoardRunError('RUN_BOARD_FIRMWARE', `${options.firmwareDir} was built without the profiler: build it with --profile and flash it`);
  if (options.input.length !== model.inputBytes) throw new BoardRunError('RUN_BOARD_OPTION', `the input has ${options.input.length} bytes; the firmware's model takes ${model.inputBytes} (all inputs back to back)`);
  const transport = await SerialTransport.open({ path: options.port, baudRate: options.baudRate ?? options.target.console.baud, parity: 'none' });
  const link = new BoardLink(transport, `${options.target.name} (${options.port})`, options.onText);
  link.start();
  try {
    const outputs: Uint8Array[] = [];
    let stackHighWater = 0;
    for (let i = 0; i < options.runs; i++) {
      const r = await link.infer(options.input, model.outputBytes, options.timeoutMs);
      outputs.push(r.output);
      stackHighWater = Math.max(stackHighWater, r.stackHighWater);
    }
    const ramInUse = stackHighWater > 0 ? ramInUseOf(built.manifest.size, stackHighWater) : undefined;
    const { report, session } = linkReport(link, boardInfo(options.target), built.planJsonPath, built.manifest, ramInUse);
    if (options.cycles === false || cycleModelFor(options.target) === undefined) return { report, session, outputs };
    const estimate = await estimateFirmwareCycles(options.target, { elf: built.elf, prefix: built.manifest.prefix }, options.input, outputs[0]);
    return { report: withCycleEstimate(report, estimate), session, outputs };
  } finally {
    if (transport.isOpen) await transport.close().catch(() => undefined);
    await link.stopped();
  }
}
