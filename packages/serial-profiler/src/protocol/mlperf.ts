/**
 * The host end of the MLPerf Tiny benchmark runner's device protocol (the board end: c/tfg_mlperf.h): commands are
 * text ending in '%', replies are lines ending in "\r\n", and every command's reply ends with "m-ready". Both ends
 * are checked against test-vectors/mlperf.json.
 */
import { ProfilerError } from '../errors';

export const MLPERF_TERMINATOR = '%';
export const MLPERF_READY = 'm-ready';
/** Longest command the device keeps (longer ones are cut there). */
export const MLPERF_COMMAND_MAX = 80;
/** Bytes per `db` command the runner sends (31 without a power manager: "db " + 62 hex digits). */
export const MLPERF_DB_CHUNK_BYTES = 31;

/** One command as it goes on the wire. */
export function mlperfCommand(text: string): string {
  if (text.includes(MLPERF_TERMINATOR) || text.length > MLPERF_COMMAND_MAX) throw new RangeError(`not a runner command: ${JSON.stringify(text.slice(0, 100))}`);
  return `${text}${MLPERF_TERMINATOR}`;
}

/** The commands that load `data` into the device's buffer: `db load N`, then `db <hex>` of `chunk` bytes each. */
export function dbLoadCommands(data: Uint8Array, chunk = MLPERF_DB_CHUNK_BYTES): string[] {
  const out = [mlperfCommand(`db load ${data.length}`)];
  for (let at = 0; at < data.length; at += chunk) out.push(mlperfCommand(`db ${Buffer.from(data.subarray(at, at + chunk)).toString('hex')}`));
  return out;
}

/** Splits console text into replies: the lines up to and including each "m-ready". */
export class MlperfReplyReader {
  private pending = '';
  private lines: string[] = [];
  private readonly replies: string[][] = [];

  push(text: string): void {
    this.pending += text;
    for (;;) {
      const end = this.pending.indexOf('\n');
      if (end < 0) break;
      const line = this.pending.slice(0, end).replace(/\r$/, '');
      this.pending = this.pending.slice(end + 1);
      if (line.length === 0) continue;
      this.lines.push(line);
      if (line === MLPERF_READY) {
        this.replies.push(this.lines);
        this.lines = [];
      }
    }
  }

  /** The next complete reply, if one has arrived. */
  next(): string[] | undefined {
    return this.replies.shift();
  }
}

export interface MlperfInferReply {
  warmups: number;
  iterations: number;
  /** The two `m-lap-us-` timestamps around the timed inferences (board time, µs). */
  lapUs: [number, number];
  /** Counter ticks of the timed inferences (tinyforge's `m-tfg-ticks-` line); undefined from other devices. */
  ticks?: number;
  results: number[];
}

function fail(message: string): never {
  throw new ProfilerError('PROFILE_MLPERF_REPLY', message);
}

/** Device errors (`e-[…]`) in a reply, as one ProfilerError. */
export function checkMlperfReply(lines: readonly string[], command: string): void {
  const errors = lines.filter((l) => l.startsWith('e-['));
  if (errors.length > 0) fail(`the device refused '${command}': ${errors.join('; ').slice(0, 300)}`);
}

/** The figures of an `infer N W` reply. */
export function parseInferReply(lines: readonly string[]): MlperfInferReply {
  checkMlperfReply(lines, 'infer');
  const value = (prefix: string): number | undefined => {
    const line = lines.find((l) => l.startsWith(prefix));
    if (line === undefined) return undefined;
    const n = Number(line.slice(prefix.length));
    if (!Number.isSafeInteger(n) || n < 0) fail(`malformed reply line ${JSON.stringify(line.slice(0, 100))}`);
    return n;
  };
  const laps = lines.filter((l) => /^m-lap-us-\d+$/.test(l)).map((l) => Number(l.slice('m-lap-us-'.length)));
  if (laps.length !== 2) fail(`an infer reply holds ${laps.length} m-lap-us lines, not 2`);
  const warmups = value('m-warmup-start-');
  const iterations = value('m-infer-start-');
  if (warmups === undefined || iterations === undefined) fail('an infer reply without m-warmup-start / m-infer-start');
  return { warmups, iterations, lapUs: [laps[0], laps[1]], ticks: value('m-tfg-ticks-'), results: parseResults(lines) };
}

/** The values of the `m-results-[…]` line. */
export function parseResults(lines: readonly string[]): number[] {
  const line = lines.find((l) => l.startsWith('m-results-['));
  if (line === undefined) fail('a reply without m-results');
  const m = /^m-results-\[([^\]]*)\]$/.exec(line);
  if (m === null) fail(`malformed results line ${JSON.stringify(line.slice(0, 100))}`);
  const values = m[1].split(',').filter((s) => s.trim().length > 0).map(Number);
  if (values.some((v) => !Number.isFinite(v))) fail(`malformed results line ${JSON.stringify(line.slice(0, 100))}`);
  return values;
}
