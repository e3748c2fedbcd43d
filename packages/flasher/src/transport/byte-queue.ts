import { performance } from 'perf_hooks';
import { FlashError } from '../errors';
import { Clock, systemClock } from './clock';

interface PendingRead {
  length: number;
  resolve: (bytes: Uint8Array) => void;
  reject: (e: Error) => void;
  timer: unknown;
}

/**
 * Received bytes waiting to be read, with timed reads. Shared by every Transport implementation so that timeout
 * and unplug behaviour is the same everywhere. One read at a time (protocols are request/response).
 */
export class ByteQueue {
  private chunks: Uint8Array[] = [];
  /** performance.now() when each chunk arrived. */
  private arrivals: number[] = [];
  private size = 0;
  /** When the first byte of the last completed read arrived (performance.now()), for wire models (PacedTransport). */
  lastReadArrival: number | undefined;
  private pending: PendingRead | undefined;
  private closedReason: string | undefined;

  constructor(readonly clock: Clock = systemClock) {}

  get available(): number {
    return this.size;
  }

  push(data: Uint8Array): void {
    if (this.closedReason !== undefined || data.length === 0) return;
    this.chunks.push(data);
    this.arrivals.push(performance.now());
    this.size += data.length;
    this.serve();
  }

  read(length: number, timeoutMs: number): Promise<Uint8Array> {
    if (this.pending) return Promise.reject(new FlashError('FLASH_PROTOCOL', 'internal: overlapping reads on one port'));
    if (this.closedReason !== undefined && this.size < length) return Promise.reject(this.closedError());
    if (this.size >= length) return Promise.resolve(this.take(length));
    return new Promise((resolve, reject) => {
      // An infinite wait (an emulator waiting for its next command) arms no timer.
      const timer = Number.isFinite(timeoutMs)
        ? this.clock.schedule(timeoutMs, () => {
            this.pending = undefined;
            reject(new FlashError('FLASH_TIMEOUT', `no answer within ${timeoutMs} ms (got ${this.size} of ${length} bytes)`));
          })
        : undefined;
      this.pending = { length, resolve, reject, timer };
    });
  }

  clear(): void {
    this.chunks = [];
    this.arrivals = [];
    this.size = 0;
  }

  /** The port went away: fail the waiting read now instead of at its timeout. */
  close(reason: string): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    const p = this.pending;
    if (p && this.size < p.length) {
      this.pending = undefined;
      this.clock.cancel(p.timer);
      p.reject(this.closedError());
    }
  }

  private closedError(): FlashError {
    return new FlashError('FLASH_PORT_CLOSED', `the port closed: ${this.closedReason}`, 'check the cable and that the board is still powered');
  }

  private serve(): void {
    const p = this.pending;
    if (!p || this.size < p.length) return;
    this.pending = undefined;
    this.clock.cancel(p.timer);
    p.resolve(this.take(p.length));
  }

  private take(length: number): Uint8Array {
    const out = new Uint8Array(length);
    let filled = 0;
    if (length > 0) this.lastReadArrival = this.arrivals[0];
    while (filled < length) {
      const head = this.chunks[0];
      const n = Math.min(head.length, length - filled);
      out.set(head.subarray(0, n), filled);
      filled += n;
      if (n === head.length) {
        this.chunks.shift();
        this.arrivals.shift();
      } else this.chunks[0] = head.subarray(n);
    }
    this.size -= length;
    return out;
  }
}
