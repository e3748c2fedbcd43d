import { Graph, tensorBytes, viewAs } from '@tinyforge/ir';
import { formatReportTable, ramInUseText, renderOutputs, reportToJson } from '@tinyforge/serial-profiler';
import { BoardRunError } from './errors';
import { RunOnBoardResult } from './run-on-board';
import { firmwareFigures, firmwareFiguresText, modelFiguresText } from './figures';

/** The board part of `tinyforge run --board … --json`: every count named for its unit (totalInstructions on QEMU). */
export function boardRunJson(graph: Graph, r: RunOnBoardResult): Record<string, unknown> {
  const U = r.unit === 'cycles' ? 'Cycles' : 'Instructions';
  return {
    board: r.board,
    load: r.load,
    unit: r.unit,
    [`invoke${U}`]: r.invokeCounts,
    weightsBytes: r.weightsBytes,
    arenaBytes: r.arenaBytes,
    ...(r.firmware.model.lowerBoundBytes !== undefined ? { lowerBoundBytes: r.firmware.model.lowerBoundBytes } : {}),
    packedFilters: r.packedFilters,
    firmware: { builder: r.firmware.builder, protocolVersion: r.firmware.protocolVersion, elf: r.elf, prebuilt: r.prebuilt },
    flashBytes: r.size.flash.used,
    ramBytes: r.size.ram.used,
    ...(r.ramInUse !== undefined ? { ramInUse: r.ramInUse } : {}),
    ...(r.flash ? { flash: r.flash } : {}),
    timingsMs: r.timings,
    outputs: graph.outputs.map((t, i) => ({
      name: graph.tensors[t].name,
      dtype: graph.tensors[t].dtype,
      shape: graph.tensors[t].shape,
      values: Array.from(viewAs(sliceOutput(graph, r.outputs[r.outputs.length - 1], i), graph.tensors[t].dtype) as ArrayLike<number | bigint>, Number),
    })),
    ...(r.profile ? { profile: reportToJson(r.profile.report) } : {}),
  };
}

/** Output `index` of one inference's concatenated outputs. */
export function sliceOutput(graph: Graph, all: Uint8Array, index: number): Uint8Array {
  let at = 0;
  for (let i = 0; i < index; i++) at += tensorBytes(graph.tensors[graph.outputs[i]]);
  return all.slice(at, at + tensorBytes(graph.tensors[graph.outputs[index]]));
}

/** Human summary lines of a board run (the per-layer table when profiled). */
export function boardRunText(r: RunOnBoardResult): string[] {
  const unit = r.unit;
  const median = [...r.invokeCounts].sort((a, b) => a - b)[r.invokeCounts.length >> 1];
  const lines = [
    `board ${r.board} (${r.load === 'serial' ? (r.flash?.unchanged ? `already held this image: ${r.flash.bytes} bytes, same CRC, not flashed` : `flashed over serial: ${r.flash?.bytes ?? 0} bytes, verified by ${r.flash?.verified ?? 'none'}`) : 'ELF loaded directly'}): ${Math.round(median)} ${unit} per inference`,
    modelFiguresText(r.firmware.model, r.packedFilters),
    firmwareFiguresText(firmwareFigures(r.size)),
    // (a profile's table prints it too)
    ...(r.ramInUse !== undefined && r.profile === undefined ? [ramInUseText(r.ramInUse)] : []),
  ];
  if (r.profile) lines.push('', formatReportTable(r.profile.report).trimEnd());
  return lines;
}

/** Chrome trace and HTML of the profile (strings; the caller writes them). */
export function boardRunReports(r: RunOnBoardResult, title: string): { trace: string; html: string; json: string } {
  if (!r.profile) throw new BoardRunError('RUN_BOARD_OPTION', '--html and --trace need --profile');
  const { trace, html, json } = renderOutputs({ session: r.profile.session, report: r.profile.report }, r.boardInfo, { title });
  return { trace, html, json };
}
