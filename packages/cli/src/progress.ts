/**
 * Progress on the terminal for every long step (flashing, building, calibration, evaluation, validate, board boot):
 * one line on stderr redrawn in place with done/total, percentage, rate and ETA. Shown only when stderr is a
 * terminal and the command does not print JSON; otherwise every call is a no-op (stdout is never touched).
 */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface ProgressTask {
  /** `done` of the task's total so far (redrawn at most every `redrawMs`, and always at the end). */
  update(done: number): void;
  /** Finish the line (with a closing word, e.g. "verified"). */
  end(note?: string): void;
}

export interface Progress {
  readonly enabled: boolean;
  /** A counted step: `unit` 'bytes' shows KiB and KiB/s, else plain counts ("inputs", "samples"). */
  task(label: string, total: number, unit?: string): ProgressTask;
  /** A step without a count (build stages, board boot): one line. */
  stage(text: string): void;
}

export interface ProgressOptions {
  /** Default: shown when the stream is a terminal. */
  enabled?: boolean;
  now?: () => number;
  redrawMs?: number;
}

function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function amount(n: number, unit: string): string {
  return unit === 'bytes' ? `${(n / 1024).toFixed(1)}` : String(n);
}

/** The progress line of `done` of `total` after `elapsedMs` (exported for its test). */
export function progressText(label: string, done: number, total: number, elapsedMs: number, unit = ''): string {
  const pct = total > 0 ? Math.floor((100 * done) / total) : 100;
  const width = 20;
  const filled = total > 0 ? Math.min(width, Math.round((width * done) / total)) : width;
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  const counts = unit === 'bytes' ? `${amount(done, unit)}/${amount(total, unit)} KiB` : `${done}/${total}${unit ? ` ${unit}` : ''}`;
  const speed = rate > 0 ? ` ${unit === 'bytes' ? `${(rate / 1024).toFixed(1)} KiB/s` : `${rate.toFixed(rate < 10 ? 1 : 0)}/s`}` : '';
  const eta = rate > 0 && done < total ? ` ETA ${clock((total - done) / rate)}` : done >= total ? ` ${clock(elapsedMs / 1000)}` : '';
  return `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${pct}% ${counts}${speed}${eta}`;
}

const NO_TASK: ProgressTask = { update: () => undefined, end: () => undefined };

export function terminalProgress(stream: ProgressStream, options: ProgressOptions = {}): Progress {
  const enabled = options.enabled ?? stream.isTTY === true;
  const now = options.now ?? Date.now;
  const redrawMs = options.redrawMs ?? 100;
  if (!enabled) return { enabled, task: () => NO_TASK, stage: () => undefined };
  return {
    enabled,
    stage: (text) => void stream.write(`${text}\n`),
    task(label, total, unit = '') {
      const started = now();
      let last = -Infinity;
      let done = 0;
      let open = false;
      const draw = () => {
        open = true;
        stream.write(`\r${progressText(label, done, total, now() - started, unit)}\x1b[K`);
      };
      return {
        update(n) {
          done = n;
          const t = now();
          if (t - last < redrawMs && n < total) return;
          last = t;
          draw();
        },
        end(note) {
          if (!open) draw();
          stream.write(`${note !== undefined ? ` ${note}` : ''}\n`);
        },
      };
    },
  };
}

/** The progress of a command: on stderr, unless it prints JSON or stderr is not a terminal. */
export function commandProgress(json: boolean | undefined, stream: ProgressStream = process.stderr): Progress {
  return terminalProgress(stream, { enabled: json !== true && stream.isTTY === true });
}

/**
 * The flasher's progress as progress lines: one per phase, bytes done/total with rate and ETA for write and verify.
 * A last call with phase `done` ends the open line.
 */
export function flashProgress(progress: Progress, label = 'flash'): (p: { phase: string; done: number; total: number }) => void {
  let phase = '';
  let task: ProgressTask | undefined;
  return (p) => {
    if (!progress.enabled) return;
    if (p.phase !== phase) {
      task?.end();
      task = undefined;
      phase = p.phase;
      if (phase === 'done') return;
      // Bytes phases get a counted line; reset, connect, erase, start are one step each.
      task = p.total > 1 && ['write', 'verify', 'copy'].includes(phase) ? progress.task(`${label}: ${phase}`, p.total, 'bytes') : undefined;
      if (task === undefined) progress.stage(`${label}: ${phase}…`);
    }
    task?.update(p.done);
  };
}
