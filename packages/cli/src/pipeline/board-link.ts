import { Transport } from '@tinyforge/flasher';
import { isTinyforgeError } from '@tinyforge/ir';
import { DecoderStats, encodeFrame, FrameDecoder, IO_CHUNK_BYTES, IoFrame, IoRecord, ReadyRecord, SessionCollector } from '@tinyforge/serial-profiler';
import { BoardRunError } from './errors';

/** One inference as the board reported it. */
export interface BoardInference {
  output: Uint8Array;
  /** Run number on the board (0, 1, …). */
  run: number;
  /** Counter ticks of the whole `<prefix>_run` call (raw, not scaled to instructions). */
  ticks: number;
  /** The stack's high-water mark since the board's reset, and its size, in bytes (0: not measured). */
  stackHighWater: number;
  stackSize: number;
}

/**
 * How long the link waits, derived from what crosses the line: the time the bytes take at the line rate (10 bits per
 * byte), times `headroom`, and never less than `minimumMs` — a slow host (a loaded machine descheduling QEMU or this
 * process) stalls the other end for seconds without anything being wrong.
 */
export interface LinkTiming {
  /** Line rate of the console UART, bits per second. */
  baud: number;
  /** Factor on the transfer time. */
  headroom: number;
  /** Floor of every wait, ms. */
  minimumMs: number;
  /** Sends of one input chunk before giving up (each after a wait without its acknowledgement). */
  attempts: number;
}

export const DEFAULT_LINK_TIMING: LinkTiming = { baud: 115200, headroom: 50, minimumMs: 5000, attempts: 5 };

/** Wire bytes of a frame with `payload` bytes: 2 leading, header 4, CRC 2, COBS overhead, 1 trailing. */
function frameBytes(payload: number): number {
  const body = 4 + payload + 2;
  return 2 + body + Math.ceil(body / 254) + 1;
}

/**
 * The host end of the board application's link (serial-profiler's frames, c/tfg_link.h) over a byte transport. A
 * pump reads the console continuously into one decoder: I/O records queue up here, profiler records and text go
 * to the session collector.
 */
export class BoardLink {
  readonly session = new SessionCollector();
  readonly text: string[] = [];
  private readonly decoder: FrameDecoder;
  private readonly frames: IoFrame[] = [];
  private wake: (() => void) | undefined;
  private closed: string | undefined;
  private seq = 0;
  private pumping: Promise<void> | undefined;

  private readonly timing: LinkTiming;

  constructor(
    private readonly transport: Transport,
    private readonly where: string,
    onText?: (line: string) => void,
    timing: Partial<LinkTiming> = {},
  ) {
    this.timing = { ...DEFAULT_LINK_TIMING, ...timing };
    this.decoder = new FrameDecoder({
      frame: (f) => this.session.add(f),
      io: (f) => {
        this.frames.push(f);
        this.notify();
      },
      text: (line) => {
        if (line.length === 0) return;
        this.text.push(line);
        this.session.addText(line);
        onText?.(line);
      },
    });
  }

  /** Start reading the console (until the transport closes). */
  start(): void {
    this.pumping ??= this.pump();
  }

  get decoderStats(): DecoderStats {
    return { ...this.decoder.stats };
  }

  /** Wait for the board's start-up announcement. */
  async waitReady(timeoutMs: number): Promise<ReadyRecord> {
    return (await this.next('ready', timeoutMs, 'the application to start')) as ReadyRecord;
  }

  /** Milliseconds to allow for `bytes` wire bytes to cross the line (and the answer to come back). */
  waitFor(bytes: number): number {
    const t = this.timing;
    return Math.max(t.minimumMs, Math.ceil(((bytes * 10) / t.baud) * 1000 * t.headroom));
  }

  /**
   * Send one input (all model inputs back to back), wait for the outputs and the result: `timeoutMs` for the
   * inference itself, plus what the outputs take on the line.
   */
  async infer(input: Uint8Array, outputBytes: number, timeoutMs: number): Promise<BoardInference> {
    let offset = 0;
    do {
      const len = Math.min(IO_CHUNK_BYTES, input.length - offset);
      offset = await this.sendChunk(input, offset, len);
    } while (offset < input.length);
    const output = new Uint8Array(outputBytes);
    let received = 0;
    const outputWire = Math.ceil(outputBytes / IO_CHUNK_BYTES) * frameBytes(IO_CHUNK_BYTES + 4) + frameBytes(20);
    const deadline = Date.now() + timeoutMs + this.waitFor(outputWire);
    for (;;) {
      const r = await this.next(undefined, Math.max(1, deadline - Date.now()), 'the inference result');
      if (r.type === 'output') {
        if (r.offset !== received || r.offset + r.data.length > outputBytes) throw this.protocolError(`output chunk at byte ${r.offset} (${r.data.length} bytes) after ${received} of ${outputBytes} bytes`);
        output.set(r.data, r.offset);
        received += r.data.length;
      } else if (r.type === 'result') {
        if (r.status !== 0) throw new BoardRunError('RUN_BOARD_INVOKE', `${this.where}: the model failed on the board in layer ${r.status - 1} (kernel error)`);
        if (received !== outputBytes) throw this.protocolError(`result after ${received} of ${outputBytes} output bytes`);
        return { output, run: r.run, ticks: r.ticks, stackHighWater: r.stackHighWater, stackSize: r.stackSize };
      } else if (r.type !== 'ack') {
        throw this.protocolError(`unexpected ${r.type} record while waiting for outputs`);
      }
    }
  }

  /**
   * Send one chunk and wait for the acknowledgement that it was taken; returns the offset the board expects next.
   * Stop-and-wait with resynchronisation: acknowledgements that show no progress are late answers to earlier sends
   * (a resend after a slow acknowledgement makes the board answer twice) and are skipped; when nothing acknowledges
   * the chunk within the wait derived from its size, it is sent again — from where the board last said it stands,
   * if it answered with less — up to `attempts` times. Every frame starts with a delimiter, so the board's
   * receiver resynchronises on it whatever it was in the middle of.
   */
  private async sendChunk(input: Uint8Array, offset: number, len: number): Promise<number> {
    const wait = this.waitFor(frameBytes(len + 4) + frameBytes(4));
    let from = offset;
    let waited = 0;
    for (let attempt = 1; attempt <= this.timing.attempts; attempt++) {
      const size = Math.min(IO_CHUNK_BYTES, input.length - from);
      await this.write(encodeFrame({ type: 'input', offset: from, data: input.subarray(from, from + size) }, this.seq++ & 0xffff));
      const deadline = Date.now() + wait;
      let behind: number | undefined;
      for (;;) {
        let frame: IoFrame;
        try {
          frame = await this.nextFrame(Math.max(1, deadline - Date.now()), `the acknowledgement of input bytes ${from}..${from + size}`);
        } catch (e) {
          if (!(e instanceof BoardRunError) || e.code !== 'RUN_BOARD_TIMEOUT') throw e;
          break;
        }
        const { record } = frame;
        if (record.type === 'ready') continue;
        if ((record.type === 'output' || record.type === 'result') && from + size === input.length) {
          // The last chunk's acknowledgement was lost on the line, but the board answers: it had the whole input.
          this.frames.unshift(frame);
          return input.length;
        }
        if (record.type !== 'ack') throw this.protocolError(`unexpected ${record.type} record while waiting for the acknowledgement of input bytes ${from}..${from + size}`);
        const ack = record.expected;
        if (ack > input.length) throw this.protocolError(`board expects input byte ${ack} of ${input.length}`);
        if (ack >= from + size) return ack;
        behind = ack;
      }
      waited += wait;
      // No acknowledgement of progress: send again, from where the board says it is when that is further back.
      if (behind !== undefined && behind < from) from = behind;
    }
    throw new BoardRunError(
      'RUN_BOARD_TIMEOUT',
      `${this.where}: no acknowledgement of input bytes ${from}..${from + Math.min(IO_CHUNK_BYTES, input.length - from)} after ${this.timing.attempts} sends (${waited} ms)${this.lastText()}`,
    );
  }

  private async write(bytes: Uint8Array): Promise<void> {
    if (this.closed !== undefined) throw new BoardRunError('RUN_BOARD_CLOSED', `${this.where}: ${this.closed}`);
    await this.transport.write(bytes);
  }

  /** The next I/O record (of `type`, skipping stale acknowledgements when another type is wanted). */
  private async next(type: IoRecord['type'] | undefined, timeoutMs: number, what: string): Promise<IoRecord> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { record } = await this.nextFrame(Math.max(1, deadline - Date.now()), what, timeoutMs);
      if (type === undefined || record.type === type) return record;
      if (record.type !== 'ack' && record.type !== 'ready') throw this.protocolError(`unexpected ${record.type} record while waiting for ${what}`);
    }
  }

  /** The next I/O frame, whatever its record. `reportedMs`: the wait named in a time-out (default `timeoutMs`). */
  private async nextFrame(timeoutMs: number, what: string, reportedMs = timeoutMs): Promise<IoFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.frames.length > 0) return this.frames.shift()!;
      if (this.closed !== undefined) throw new BoardRunError('RUN_BOARD_CLOSED', `${this.where}: ${this.closed} while waiting for ${what}${this.lastText()}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new BoardRunError('RUN_BOARD_TIMEOUT', `${this.where}: no answer within ${reportedMs} ms while waiting for ${what}${this.lastText()}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  private notify(): void {
    this.wake?.();
  }

  private lastText(): string {
    const s = this.decoder.stats;
    const text = this.text.length > 0 ? `; last text from the board: ${JSON.stringify(this.text[this.text.length - 1].slice(0, 120))}` : '';
    return ` (received ${s.bytes} console bytes, ${s.ioFrames} I/O frames${text})`;
  }

  private protocolError(message: string): BoardRunError {
    return new BoardRunError('RUN_BOARD_PROTOCOL', `${this.where}: ${message}`);
  }

  private async pump(): Promise<void> {
    for (;;) {
      try {
        const first = await this.transport.read(1, 1000);
        this.decoder.push(first);
      } catch (e) {
        if (isTinyforgeError(e) && e.code === 'FLASH_TIMEOUT') continue;
        this.closed = isTinyforgeError(e) && e.code === 'FLASH_PORT_CLOSED' ? 'the serial port closed' : `reading the serial port failed: ${(e as Error).message}`;
        this.decoder.end();
        this.notify();
        return;
      }
    }
  }

  /** Resolves once the pump has stopped (after the transport was closed). */
  async stopped(): Promise<void> {
    await this.pumping;
  }
}
