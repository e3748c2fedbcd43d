import { ProfilerError } from '../errors';
import { FrameDecoder } from '../protocol/decoder';
import { DecodedFrame } from '../protocol/records';
import { ProfileSession, SessionCollector } from '../report/session';
import { ByteSource } from './byte-source';

export interface CaptureOptions {
  /** Stop after this many complete inference runs. */
  runs: number;
  /** Give up when the whole capture takes longer than this. */
  timeoutMs: number;
  /** Give up when no byte arrives for this long (a board that stopped or never started). Default: timeoutMs. */
  idleTimeoutMs?: number;
  /** Where the source is (port path), for messages. */
  sourceName?: string;
  onText?: (line: string) => void;
  onFrame?: (frame: DecodedFrame) => void;
}

/**
 * Read frames from `source` until `runs` complete inference runs arrived. Never hangs: rejects with
 * PROFILE_TIMEOUT (saying what did arrive), PROFILE_PORT_CLOSED when the stream ends first, PROFILE_PORT on a
 * stream error. Listeners are removed in every case; the caller owns (and closes) the source.
 */
export function captureProfile(source: ByteSource, options: CaptureOptions): Promise<ProfileSession> {
  if (!(Number.isInteger(options.runs) && options.runs > 0)) {
    return Promise.reject(new ProfilerError('PROFILE_BAD_OPTION', `runs must be a positive integer, got ${options.runs}`));
  }
  const where = options.sourceName ?? 'the profile stream';
  const collector = new SessionCollector();
  const decoder = new FrameDecoder({
    frame: (f) => {
      collector.add(f);
      options.onFrame?.(f);
    },
    text: (line) => {
      collector.addText(line);
      options.onText?.(line);
    },
  });

  return new Promise<ProfileSession>((resolve, reject) => {
    let idleTimer: NodeJS.Timeout | undefined;
    const seen = (): string => {
      const s = decoder.stats;
      const text = collector.session.text.length > 0 ? `; last text: ${JSON.stringify(collector.session.text[collector.session.text.length - 1].slice(0, 80))}` : '';
      return `${s.bytes} bytes, ${s.frames} frames (${s.corruptFrames} corrupt, ${s.missingFrames} missing), ${collector.session.runs.length} of ${options.runs} runs${text}`;
    };
    const cleanup = (): void => {
      clearTimeout(overall);
      clearTimeout(idleTimer);
      source.removeListener('data', onData);
      source.removeListener('error', onError);
      source.removeListener('close', onClose);
      source.removeListener('end', onClose);
    };
    const fail = (e: ProfilerError): void => {
      cleanup();
      reject(e);
    };
    const armIdle = (): void => {
      clearTimeout(idleTimer);
      const ms = options.idleTimeoutMs ?? options.timeoutMs;
      idleTimer = setTimeout(() => fail(new ProfilerError('PROFILE_TIMEOUT', `no data from ${where} for ${ms} ms (received ${seen()}); is the board running profiling firmware and the port right?`)), ms);
    };
    const onData = (chunk: Uint8Array): void => {
      armIdle();
      decoder.push(chunk);
      if (collector.session.runs.length >= options.runs) {
        cleanup();
        const session = collector.finish(decoder.stats, { countOpenRuns: false });
        // One chunk may complete more runs than asked for: report exactly the first N.
        session.runs = session.runs.slice(0, options.runs);
        resolve(session);
      }
    };
    const onError = (err: Error): void => fail(new ProfilerError('PROFILE_PORT', `${where}: ${err.message}`));
    const onClose = (): void => {
      decoder.end();
      fail(new ProfilerError('PROFILE_PORT_CLOSED', `${where} closed before ${options.runs} runs arrived (received ${seen()})`));
    };
    const overall = setTimeout(() => fail(new ProfilerError('PROFILE_TIMEOUT', `${options.runs} runs did not arrive from ${where} within ${options.timeoutMs} ms (received ${seen()})`)), options.timeoutMs);
    armIdle();
    source.on('data', onData);
    source.on('error', onError);
    source.on('close', onClose);
    source.on('end', onClose);
  });
}
