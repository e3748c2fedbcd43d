import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { flashOptionsFor, saveVirtualFlash, SizeReport, startVirtualBoard, Target, VirtualBoard } from '@tinyforge/boards';
import { flashImage, loadImageFile, ProgressCallback, SerialTransport, Stm32FlashResult, Transport } from '@tinyforge/flasher';
import { cacheRoot } from '@tinyforge/common';
import { Graph, tensorBytes } from '@tinyforge/ir';
import { readModelFile } from '@tinyforge/model-format';
import { BoardInfo, LayerMeta, ProfileReport, ProfileSession, RamInUse, unitsPerTick, withCycleEstimate } from '@tinyforge/serial-profiler';
import { BoardLink, LinkTiming } from './board-link';
import { cycleModelFor, estimateFirmwareCycles } from './cycle-estimate';
import { BoardRunError } from './errors';
import { BuiltFirmware, FirmwareManifest, readBuiltFirmware } from './firmware-manifest';
import { ramInUse as ramInUseOf } from './figures';
import { buildModelFirmware } from './model-firmware';
import { boardInfo as boardInfoOf, linkReport } from './profile-firmware';

export type LoadMethod = 'serial' | 'direct';
export type PipelineStage = 'generate' | 'build' | 'boot' | 'flash' | 'run' | 'estimate' | 'stop';

export interface RunOnBoardOptions {
  /** A model file (.tflite/.onnx, int8) or an already loaded graph. */
  model: string | Graph;
  /** The model file's bytes when `model` is a graph read from one: its sha256 goes into the firmware, and a
   *  prebuilt firmware must have been built from the same bytes. */
  modelBytes?: Uint8Array;
  /** The board (loadTarget); only virtual (QEMU) boards can be started here. */
  board: Target;
  /**
   * A folder `tinyforge build` (or an earlier run's `workDir`) built this model's firmware into: run that firmware
   * instead of building. Its image must suit `load` (application images are flashed, bootloader images loaded).
   */
  firmwareDir?: string;
  /** One entry per inference: all model inputs back to back, in model order. */
  inputs: Uint8Array[];
  /** Build with the profiler hooks and collect the per-layer profile. */
  profile?: boolean;
  /**
   * With `profile`, on a virtual board whose core has a timing model (cortex-m4, cortex-m7): estimate the cycles of
   * the first input's inference from one more run under QEMU's execution log (default true).
   */
  cycles?: boolean;
  /** `serial` (default): boot the AN3155 bootloader and flash over the console UART; `direct`: QEMU loads the ELF. */
  load?: LoadMethod;
  /** Keep generated sources and build outputs here; default: a temporary folder removed afterwards. */
  workDir?: string;
  /** Per inference, in ms (default 60 s), on top of the time the input and output take on the line. */
  inferenceTimeoutMs?: number;
  /** The link's allowance for bytes on the line (default: the console baud, its headroom and 5 s floor). */
  linkTiming?: Partial<LinkTiming>;
  onProgress?: (stage: PipelineStage, message: string) => void;
  /** The flasher's progress (phases, bytes written and verified) while flashing over the bootloader. */
  onFlashProgress?: ProgressCallback;
  /** After each inference: how many of the inputs have run. */
  onInference?: (done: number, total: number) => void;
  /**
   * Build the board application speaking the MLPerf Tiny runner protocol (announcing `modelId`) and, once it is
   * flashed, let `drive` talk to it over the console (calling `start` when it may run) instead of sending `inputs`
   * over the link; what `drive` returns is the result's `mlperf`.
   */
  mlperf?: { modelId: string; drive: (transport: Transport, start: () => void) => Promise<unknown> };
  /** printf text from the board, line by line. */
  onText?: (line: string) => void;
  /** Called once QEMU (and socat) run, with their process ids. */
  onBoardStarted?: (pids: { qemu: number; socat?: number }) => void;
}

export interface RunOnBoardResult {
  board: string;
  boardInfo: BoardInfo;
  load: LoadMethod;
  /** Outputs of each inference, all model outputs back to back. */
  outputs: Uint8Array[];
  /** Whole-invoke count of each inference in `unit` (instructions on virtual boards). */
  invokeCounts: number[];
  unit: 'cycles' | 'instructions';
  arenaBytes: number;
  /** Model constants (weights, biases, requantization tables) in flash. */
  weightsBytes: number;
  /**
   * Whether the build links packed convolution filters (the DSP kernel's; false on other cores, for models without
   * convolutions, and when they did not fit, e.g. a board whose flash holds only the int8 ones).
   */
  packedFilters: boolean;
  /** The packed filters overflowed the flash and the firmware was built again with the int8 ones. */
  packedFiltersDropped: boolean;
  size: SizeReport;
  elf: string;
  /** What was run, as the one firmware builder recorded it (firmware.json beside the images). */
  firmware: FirmwareManifest;
  /** True when the firmware came from `firmwareDir` (built earlier), false when this run built it. */
  prebuilt: boolean;
  /** Kept only when `workDir` was given. */
  planJsonPath?: string;
  /** `unchanged`: the board already held this image (its bootloader's CRC said so), nothing was written. */
  flash?: { bytes: number; milliseconds: number; writeMilliseconds: number; verified: string; unchanged: boolean; retries: number };
  profile?: { report: ProfileReport; session: ProfileSession };
  /**
   * RAM the firmware used: arena + static data + the stack's high-water mark the board measured over the run
   * (absent for an MLPerf run, or a board application that does not measure its stack).
   */
  ramInUse?: RamInUse;
  /** Wall-clock milliseconds per stage. */
  timings: Record<PipelineStage | 'total', number>;
  /** What the `mlperf` driver returned. */
  mlperf?: unknown;
}

/** AN3155 time-outs for a virtual board on a possibly saturated host (ms): floors well above any transfer time. */
const SLOW_HOST_FLASH_TIMEOUTS = { sync: 3000, read: 5000, blockWrite: 8000 };

function resolveGraph(model: string | Graph): Graph {
  return typeof model === 'string' ? readModelFile(model) : model;
}

/**
 * The product's main job on a virtual board: generate C, build firmware, boot QEMU, flash over the bootloader (or
 * load directly), run every input, read outputs and profile, stop QEMU. QEMU and socat are stopped on success and
 * on every error; on Ctrl-C @tinyforge/boards ends them.
 */
export async function runOnBoard(options: RunOnBoardOptions): Promise<RunOnBoardResult> {
  const started = Date.now();
  const timings: Record<PipelineStage | 'total', number> = { generate: 0, build: 0, boot: 0, flash: 0, run: 0, estimate: 0, stop: 0, total: 0 };
  const progress = options.onProgress ?? (() => undefined);
  const load = options.load ?? 'serial';
  if (load !== 'serial' && load !== 'direct') throw new BoardRunError('RUN_BOARD_OPTION', `unknown load method '${String(load)}' (serial or direct)`);
  const board = options.board;
  if (board.kind !== 'virtual') throw new BoardRunError('RUN_BOARD_OPTION', `${board.name} is a hardware board: flash it with \`tinyforge flash\` and read it with \`tinyforge profile\`; run --board starts virtual boards only`);
  const an3155 = board.flashing.find((m) => m.method === 'an3155');
  if (load === 'serial' && an3155 === undefined) throw new BoardRunError('RUN_BOARD_OPTION', `${board.name} has no AN3155 bootloader to flash through: use --load direct`);

  const graph = resolveGraph(options.model);
  const modelFile = typeof options.model === 'string' ? options.model : undefined;
  const inputBytes = graph.inputs.reduce((s, t) => s + tensorBytes(graph.tensors[t]), 0);
  const outputBytes = graph.outputs.reduce((s, t) => s + tensorBytes(graph.tensors[t]), 0);
  if (options.inputs.length === 0 && options.mlperf === undefined) throw new BoardRunError('RUN_BOARD_OPTION', 'no input to run');
  if (options.mlperf !== undefined && (options.profile === true || options.firmwareDir !== undefined)) throw new BoardRunError('RUN_BOARD_OPTION', 'an MLPerf Tiny run builds its own unprofiled firmware');
  options.inputs.forEach((input, i) => {
    if (input.length !== inputBytes) throw new BoardRunError('RUN_BOARD_OPTION', `input ${i} has ${input.length} bytes; the model takes ${inputBytes} (all inputs back to back)`, { file: modelFile });
  });
  // Both load methods run the application image: QEMU loads it directly where the bootloader would have flashed it.
  const image = 'application';
  const modelBytes = options.modelBytes ?? (modelFile !== undefined ? fs.readFileSync(modelFile) : undefined);
  const modelSha256 = modelBytes !== undefined ? createHash('sha256').update(modelBytes).digest('hex') : undefined;
  const prebuilt =
    options.firmwareDir !== undefined ? checkedFirmware(readBuiltFirmware(options.firmwareDir, board), { load, profile: options.profile === true, inputBytes, outputBytes, modelSha256 }) : undefined;
  const boardInfo: BoardInfo = boardInfoOf(board);
  const workDir = options.workDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'tinyforge-run-'));
  const keep = options.workDir !== undefined;
  const lap = (stage: PipelineStage, since: number) => (timings[stage] += Date.now() - since);

  let vb: VirtualBoard | undefined;
  let transport: SerialTransport | undefined;
  let link: BoardLink | undefined;
  try {
    let t = Date.now();
    let fw: { manifest: FirmwareManifest; elf: string; planJsonPath: string; layers: LayerMeta[] };
    if (prebuilt !== undefined) {
      progress('build', `running the firmware built in ${prebuilt.dir}`);
      fw = { manifest: prebuilt.manifest, elf: prebuilt.elf, planJsonPath: prebuilt.planJsonPath, layers: prebuilt.manifest.layers };
    } else {
      progress('build', `generating C and building firmware for ${board.name}${options.profile ? ' with profiling' : ''}`);
      const built = buildModelFirmware(graph, board, {
        outDir: workDir,
        profile: options.profile === true,
        image,
        modelBytes,
        // A temporary build folder: the same sources link to the same firmware, reused from the user's cache.
        linkCache: keep ? undefined : path.join(cacheRoot(), 'firmware-links'),
        mlperf: options.mlperf !== undefined ? { modelId: options.mlperf.modelId } : undefined,
        onStep: (step) => progress('build', step),
      });
      fw = { manifest: built.manifest, elf: built.firmware.elf, planJsonPath: built.planJsonPath, layers: built.layers };
    }
    lap('build', t);
    const size = fw.manifest.size;
    progress('build', `firmware: ${size.flash.used} bytes flash (weights ${size.flash.weights}), ${size.ram.used} bytes RAM (arena ${size.ram.arena})${(size.extraRam ?? []).map((r) => `, ${r.used} bytes in RAM region ${r.name}`).join('')}`);

    t = Date.now();
    progress('boot', `starting QEMU ${board.qemu?.machine} (${load === 'serial' ? 'AN3155 bootloader' : 'direct ELF load'})`);
    // Serial: the board powers on with the flash the last run left, so an unchanged image is not flashed again.
    // Host bytes (the image, the inputs) go through QEMU's semihosting console: its UART takes one byte per I/O round.
    vb = load === 'serial' ? await startVirtualBoard(board, { bootloader: true, keepFlash: true, hostInput: 'semihosting' }) : await startVirtualBoard(board, { elf: fw.elf, paused: true, hostInput: 'semihosting' });
    options.onBoardStarted?.({ qemu: vb.pid, socat: vb.bridgePid });
    progress('boot', `QEMU running (pid ${vb.pid}${vb.bridgePid !== undefined ? `, socat pid ${vb.bridgePid}` : ''}), console on ${vb.ptyPath}`);
    const baud = load === 'serial' && an3155?.method === 'an3155' ? an3155.baud : board.console.baud;
    transport = await SerialTransport.open({ path: vb.ptyPath, baudRate: baud, parity: 'none' });
    lap('boot', t);

    let flash: RunOnBoardResult['flash'];
    if (load === 'serial') {
      t = Date.now();
      progress('flash', `flashing ${path.basename(fw.elf)} over ${vb.ptyPath} with the AN3155 flasher`);
      // The flasher's own time-outs suit a real chip; QEMU on a loaded host may stall for seconds between bytes.
      const image = loadImageFile(fw.elf);
      const r = (await flashImage(flashOptionsFor(board, { image, port: vb.ptyPath, method: 'an3155', transport, go: true, skipUnchanged: true, timeouts: SLOW_HOST_FLASH_TIMEOUTS, onProgress: options.onFlashProgress }))) as Stm32FlashResult;
      if (!r.unchanged) saveVirtualFlash(board, image.segments);
      lap('flash', t);
      flash = { bytes: r.bytes, milliseconds: r.totalMs, writeMilliseconds: r.writeMs, verified: String(r.verified), unchanged: r.unchanged, retries: r.retries };
      progress(
        'flash',
        r.unchanged
          ? `the board already holds this image (${r.bytes} bytes, same CRC): not flashed, started in ${r.totalMs} ms`
          : `wrote ${r.bytes} bytes in ${r.totalMs} ms (writing ${r.writeMs} ms, ${r.retries} retries), verified by ${r.verified}, started`,
      );
    }

    t = Date.now();
    if (options.mlperf !== undefined) {
      const started = vb;
      const mlperf = await options.mlperf.drive(transport, () => (load === 'direct' ? started.resume() : undefined));
      lap('run', t);
      return { ...figuresOf(fw, board, boardInfo, load, size, prebuilt !== undefined, keep), outputs: [], invokeCounts: [], flash, timings, mlperf };
    }
    link = new BoardLink(transport, `${board.name} (${vb.ptyPath})`, options.onText, { baud: board.console.baud, ...options.linkTiming });
    link.start();
    if (load === 'direct') vb.resume();
    // Start-up: a whole boot of the application, on a machine that may be slow to schedule QEMU.
    const ready = await link.waitReady(Math.max(30_000, link.waitFor(1024)));
    if (ready.inputBytes !== inputBytes || ready.outputBytes !== outputBytes) {
      throw new BoardRunError('RUN_BOARD_PROTOCOL', `the board runs a model with ${ready.inputBytes} input / ${ready.outputBytes} output bytes, expected ${inputBytes} / ${outputBytes}`);
    }
    const outputs: Uint8Array[] = [];
    const invokeCounts: number[] = [];
    const scale = unitsPerTick(boardInfo);
    let stackHighWater = 0;
    for (let i = 0; i < options.inputs.length; i++) {
      const r = await link.infer(options.inputs[i], outputBytes, options.inferenceTimeoutMs ?? 60_000);
      outputs.push(r.output);
      stackHighWater = Math.max(stackHighWater, r.stackHighWater);
      invokeCounts.push(r.ticks * scale);
      progress('run', `inference ${i + 1}/${options.inputs.length}: ${Math.round(r.ticks * scale)} ${board.kind === 'virtual' ? 'instructions' : 'cycles'}`);
      options.onInference?.(i + 1, options.inputs.length);
    }
    lap('run', t);

    const ramInUse = stackHighWater > 0 ? ramInUseOf(size, stackHighWater) : undefined;
    let profile: RunOnBoardResult['profile'] = options.profile ? linkReport(link, boardInfo, fw.planJsonPath, fw.manifest, ramInUse) : undefined;
    if (profile !== undefined && options.cycles !== false && cycleModelFor(board) !== undefined) {
      t = Date.now();
      progress('estimate', `estimating ${board.core} cycles from QEMU's execution log of one inference`);
      const estimate = await estimateFirmwareCycles(board, { elf: fw.elf, prefix: fw.manifest.prefix }, options.inputs[0], outputs[0]);
      profile = { ...profile, report: withCycleEstimate(profile.report, estimate) };
      lap('estimate', t);
    }
    return { ...figuresOf(fw, board, boardInfo, load, size, prebuilt !== undefined, keep), outputs, invokeCounts, flash, profile, ...(ramInUse !== undefined ? { ramInUse } : {}), timings };
  } finally {
    const t = Date.now();
    if (transport?.isOpen) await transport.close().catch(() => undefined);
    await link?.stopped();
    if (vb !== undefined) {
      progress('stop', 'stopping QEMU');
      await vb.stop();
    }
    if (!keep) fs.rmSync(workDir, { recursive: true, force: true });
    lap('stop', t);
    timings.total = Date.now() - started;
  }
}

/** What a run reports about the firmware it ran. */
function figuresOf(
  fw: { manifest: FirmwareManifest; elf: string; planJsonPath: string },
  board: Target,
  boardInfo: BoardInfo,
  load: LoadMethod,
  size: SizeReport,
  prebuilt: boolean,
  keep: boolean,
): Omit<RunOnBoardResult, 'outputs' | 'invokeCounts' | 'flash' | 'profile' | 'ramInUse' | 'timings' | 'mlperf'> {
  return {
    board: board.name,
    boardInfo,
    load,
    unit: board.kind === 'virtual' ? 'instructions' : 'cycles',
    arenaBytes: fw.manifest.model.arenaBytes,
    weightsBytes: fw.manifest.model.weightsBytes,
    packedFilters: fw.manifest.packedFilters,
    packedFiltersDropped: fw.manifest.packedFiltersDropped,
    size,
    elf: fw.elf,
    firmware: fw.manifest,
    prebuilt,
    planJsonPath: keep || prebuilt ? fw.planJsonPath : undefined,
  };
}

/**
 * A prebuilt firmware must be the one this run needs: an image the load method can start (an application image
 * either way, a bootloader-region image only directly), profiled when asked, this model's sizes.
 */
function checkedFirmware(built: BuiltFirmware, want: { load: LoadMethod; profile: boolean; inputBytes: number; outputBytes: number; modelSha256?: string }): BuiltFirmware {
  const m = built.manifest;
  const fail = (message: string): never => {
    throw new BoardRunError('RUN_BOARD_FIRMWARE', `${built.dir}: ${message}`);
  };
  if (m.image === 'bootloader' && want.load === 'serial') fail('holds a bootloader-region image (loaded directly): use --load direct');
  if (want.profile && !m.profile) fail('was built without the profiler: build it with --profile, or run without --profile');
  if (m.model.inputBytes !== want.inputBytes || m.model.outputBytes !== want.outputBytes) {
    fail(`was built for a model with ${m.model.inputBytes} input / ${m.model.outputBytes} output bytes, this one has ${want.inputBytes} / ${want.outputBytes}`);
  }
  if (m.model.sha256 !== undefined && want.modelSha256 !== undefined && m.model.sha256 !== want.modelSha256) fail('was built from another model file (its sha256 differs)');
  return built;
}
