import { Target } from '@tinyforge/boards';
import { estimateCycles, layerHooksFromElf, runTraced, timingModelFor, TimingModel, TraceEstimate, TracedRun } from '@tinyforge/cycle-model';
import { CycleEstimateFigures, encodeFrame, FrameDecoder, IO_CHUNK_BYTES } from '@tinyforge/serial-profiler';
import { BoardRunError } from './errors';

/** The timing model of a virtual board's core, or undefined (hardware boards measure cycles; cores without a model). */
export function cycleModelFor(target: Target): TimingModel | undefined {
  return target.kind === 'virtual' && target.qemu !== undefined ? timingModelFor(target.core) : undefined;
}

/** What every report says about how its estimated cycles were made (the package README has the tables). */
export function cycleEstimateBasis(core: string): string {
  return `QEMU's execution log of one inference, each executed instruction weighted with the ${core} timing model of @tinyforge/cycle-model (TRM timings; zero-wait-state SRAM and flash, as ST's published runs; bus contention, flash wait states and cache misses not modelled)`;
}

export interface TracedInference {
  run: TracedRun;
  /** The outputs the board sent (all model outputs back to back) and the status of its result record. */
  output: Uint8Array;
  status: number;
}

/**
 * One inference of a built firmware (the board application, profiled) under QEMU with its execution log: the input
 * goes in as the link's input frames on QEMU's stdio, QEMU stops at the result frame. `trace: false` runs the same
 * without the log (the tracing overhead's baseline).
 */
export async function traceInference(
  target: Target,
  firmware: { elf: string; prefix: string },
  input: Uint8Array,
  outputBytes: number,
  options: { trace?: boolean; timeoutMs?: number } = {},
): Promise<TracedInference> {
  const qemu = target.qemu;
  if (target.kind !== 'virtual' || qemu === undefined) throw new BoardRunError('RUN_BOARD_OPTION', `${target.name} is not a virtual board: its cycles are measured, not estimated`);
  const output = new Uint8Array(outputBytes);
  let status: number | undefined;
  const decoder = new FrameDecoder({
    io: ({ record }) => {
      if (record.type === 'output') output.set(record.data.subarray(0, Math.max(0, outputBytes - record.offset)), record.offset);
      else if (record.type === 'result') status = record.status;
    },
  });
  const frames: Buffer[] = [];
  for (let at = 0, seq = 0; at < input.length; at += IO_CHUNK_BYTES) {
    frames.push(Buffer.from(encodeFrame({ type: 'input', offset: at, data: input.subarray(at, Math.min(input.length, at + IO_CHUNK_BYTES)) }, seq++)));
  }
  const trace = options.trace ?? true;
  const run = await runTraced({
    machine: qemu.machine,
    resetBase: Number(qemu.bootloader.base),
    icountShift: qemu.icountShift,
    elf: firmware.elf,
    input: Buffer.concat(frames),
    hooks: trace ? layerHooksFromElf(firmware.elf, { invoke: `${firmware.prefix}_run` }) : undefined,
    trace,
    onConsole: (bytes) => {
      decoder.push(bytes);
      return status !== undefined;
    },
    timeoutMs: options.timeoutMs ?? 20 * 60_000,
  });
  if (status === undefined) throw new BoardRunError('RUN_BOARD_PROTOCOL', `${target.name}: the traced run sent no result frame`);
  return { run, output, status };
}

/** The report's figures of a trace estimate: the inference window and each layer. */
export function cycleEstimateFigures(estimate: TraceEstimate): CycleEstimateFigures {
  const inference = estimate.inference;
  if (inference === undefined) throw new BoardRunError('RUN_BOARD_PROTOCOL', 'the traced run has no inference window (no layer hooks)');
  return {
    core: estimate.core,
    basis: cycleEstimateBasis(estimate.core),
    instructions: inference.instructions,
    cycles: inference.cycles,
    stalls: { ...inference.stalls },
    layers: estimate.layers.map((l, index) => ({ index, instructions: l.instructions, cycles: l.cycles })),
  };
}

/**
 * Estimated cycles of one inference of a profiled firmware on a virtual board whose core has a timing model; the
 * traced run's outputs must equal the link run's (`expectOutput`), else the estimate is of another computation.
 */
export async function estimateFirmwareCycles(
  target: Target,
  firmware: { elf: string; prefix: string },
  input: Uint8Array,
  expectOutput: Uint8Array,
): Promise<CycleEstimateFigures> {
  const model = cycleModelFor(target);
  if (model === undefined) throw new BoardRunError('RUN_BOARD_OPTION', `${target.name}: no cycle model for ${target.core} (there are models for cortex-m4 and cortex-m7)`);
  const traced = await traceInference(target, firmware, input, expectOutput.length);
  if (traced.status !== 0 || !Buffer.from(traced.output).equals(Buffer.from(expectOutput))) {
    throw new BoardRunError('RUN_BOARD_PROTOCOL', `${target.name}: the traced inference's output differs from the run's (status ${traced.status})`);
  }
  return cycleEstimateFigures(estimateCycles(traced.run.profile!, model));
}
