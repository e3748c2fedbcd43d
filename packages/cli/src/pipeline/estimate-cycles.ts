import { Target } from '@tinyforge/boards';
import { estimateCycles, layerHooksFromElf, runTraced, timingModelFor, TIMING_MODELS, TimingModel, TracedRun } from '@tinyforge/cycle-model';
import { encodeFrame, EstimatedCycles, FrameDecoder, IO_CHUNK_BYTES } from '@tinyforge/serial-profiler';
import { BoardRunError } from './errors';
import { MODEL_PREFIX } from './model-firmware';

export interface TracedInference {
  run: TracedRun;
  /** What the board sent back, and the status of its result frame. */
  output: Uint8Array;
  status: number;
}

/** The input as the board application reads it on its console (the link's input records, one per chunk). */
function inputFrames(input: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  let seq = 0;
  for (let at = 0; at < input.length; at += IO_CHUNK_BYTES) {
    parts.push(encodeFrame({ type: 'input', offset: at, data: input.subarray(at, Math.min(input.length, at + IO_CHUNK_BYTES)) }, seq++));
  }
  return Buffer.concat(parts);
}

/**
 * One inference of a model firmware (the board application, either image) on a virtual board's QEMU machine,
 * with its execution log unless `trace` is false: the input goes in over the console, QEMU is stopped at the
 * result frame. Layers are told apart by the profiler hooks' calls from `<prefix>_invoke` (unless `perLayer` is false).
 */
export async function runTracedInference(
  board: Target,
  elf: string,
  input: Uint8Array,
  outputBytes: number,
  options: { prefix?: string; trace?: boolean; perLayer?: boolean; timeoutMs?: number } = {},
): Promise<TracedInference> {
  if (board.kind !== 'virtual' || board.qemu === undefined) throw new BoardRunError('RUN_BOARD_OPTION', `${board.name} is not a virtual board: cycles are estimated on QEMU only (a hardware board measures them)`);
  const output = new Uint8Array(outputBytes);
  let status: number | undefined;
  const decoder = new FrameDecoder({
    io: ({ record }) => {
      if (record.type === 'output') output.set(record.data.subarray(0, Math.max(0, outputBytes - record.offset)), record.offset);
      else if (record.type === 'result') status = record.status;
    },
  });
  const run = await runTraced({
    machine: board.qemu.machine,
    resetBase: Number(board.qemu.bootloader.base),
    icountShift: board.qemu.icountShift,
    elf,
    input: inputFrames(input),
    hooks: options.perLayer === false ? undefined : layerHooksFromElf(elf, { invoke: `${options.prefix ?? MODEL_PREFIX}_invoke` }),
    trace: options.trace,
    onConsole: (bytes) => {
      decoder.push(bytes);
      return status !== undefined;
    },
    timeoutMs: options.timeoutMs ?? 20 * 60_000,
  });
  if (status === undefined) throw new BoardRunError('RUN_BOARD_PROTOCOL', `${board.name}: the traced run sent no result frame`, { file: elf });
  return { run, output, status };
}

/** The timing model of the board's core; a virtual board whose core has none is refused (before any work). */
export function cycleModelFor(board: Target): TimingModel {
  const model = board.kind === 'virtual' ? timingModelFor(board.core) : undefined;
  if (model === undefined) {
    throw new BoardRunError('RUN_BOARD_OPTION', `cannot estimate cycles on ${board.name} (${board.core}${board.kind === 'virtual' ? '' : ', a hardware board: its counter measures cycles'}): there are timing models for virtual ${Object.keys(TIMING_MODELS).join(', ')} boards`);
  }
  return model;
}

/**
 * Estimated cycles of one inference and of each layer on the board's core: the profiled firmware run once under
 * QEMU's execution trace, weighted with the core's timing model (@tinyforge/cycle-model). The traced run must
 * give the output `expected` (what the board run gave for the same input), byte for byte.
 */
export async function estimateBoardCycles(board: Target, firmware: { elf: string; prefix: string }, input: Uint8Array, expected: Uint8Array): Promise<EstimatedCycles> {
  const elf = firmware.elf;
  const model = cycleModelFor(board);
  const traced = await runTracedInference(board, elf, input, expected.length, { prefix: firmware.prefix });
  if (traced.status !== 0 || !Buffer.from(traced.output).equals(Buffer.from(expected))) {
    throw new BoardRunError('RUN_BOARD_PROTOCOL', `${board.name}: the traced run's output differs from the board run's (status ${traced.status})`, { file: elf });
  }
  const estimate = estimateCycles(traced.run.profile!, model);
  if (estimate.inference === undefined) throw new BoardRunError('RUN_BOARD_PROTOCOL', `${board.name}: the trace saw no inference (no profiler hooks in the firmware?)`, { file: elf });
  return { core: model.core, inference: Math.round(estimate.inference.cycles), layers: estimate.layers.map((l) => Math.round(l.cycles)) };
}
