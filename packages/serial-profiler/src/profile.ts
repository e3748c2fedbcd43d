/**
 * The profiler end to end, as the CLI and the demo use it: capture runs from a port (or any byte stream), build
 * the report, render the requested outputs.
 */
import { BoardInfo, buildReport, ProfileReport, unitsPerTick } from './report/aggregate';
import { compareReports, Comparison } from './report/compare';
import { reportHtml } from './report/html';
import { formatReportJson, parseReportJson } from './report/json';
import { LayerTable } from './report/layer-table';
import { ProfileSession } from './report/session';
import { traceEvents } from './report/trace';
import { ByteSource } from './transport/byte-source';
import { captureProfile } from './transport/capture';
import { openSerialPort } from './transport/serial';

export interface ProfileRunOptions {
  board: BoardInfo;
  runs: number;
  timeoutMs: number;
  idleTimeoutMs?: number;
  table?: LayerTable;
  onText?: (line: string) => void;
}

export interface ProfileResult {
  session: ProfileSession;
  report: ProfileReport;
}

export async function profileStream(source: ByteSource, options: ProfileRunOptions & { sourceName?: string }): Promise<ProfileResult> {
  const session = await captureProfile(source, { ...options, sourceName: options.sourceName });
  return { session, report: buildReport(session, { board: options.board, table: options.table }) };
}

/**
 * Open `port`, profile, and close the port whatever happens. `onOpen` runs once the port is open and read: the
 * moment to start (or resume) a board whose output before that would be lost.
 */
export async function profilePort(port: string, options: ProfileRunOptions & { baudRate?: number; onOpen?: () => void }): Promise<ProfileResult> {
  const opened = await openSerialPort(port, options.baudRate);
  try {
    const result = profileStream(opened.source, { ...options, sourceName: port });
    options.onOpen?.();
    return await result;
  } finally {
    await opened.close();
  }
}

export interface RenderedOutputs {
  json: string;
  trace: string;
  html: string;
  comparison?: Comparison;
}

/** Everything --json/--trace/--html/--compare write, as strings (the caller decides where they go). */
export function renderOutputs(result: ProfileResult, board: BoardInfo, options: { title?: string; baseline?: { text: string; file: string }; thresholdPercent?: number } = {}): RenderedOutputs {
  const { report, session } = result;
  const comparison = options.baseline ? compareReports(report, parseReportJson(options.baseline.text, options.baseline.file), options.thresholdPercent) : undefined;
  return {
    json: formatReportJson(report),
    trace: `${JSON.stringify(traceEvents(report, session, unitsPerTick(board)))}\n`,
    html: reportHtml(report, options.title ?? `tinyforge profile: ${board.name}`),
    comparison,
  };
}
