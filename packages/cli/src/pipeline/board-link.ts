import { Transport } from '@tinyforge/flasher';
import { isTinyforgeError } from '@tinyforge/ir';
import { DecoderStats, encodeFrame, FrameDecoder, IO_CHUNK_BYTES, IoFrame, IoRecord, ReadyRecord, SessionCollector } from '@tinyforge/serial-profiler';
import { BoardRunError } from './errors';

/** One inference as the board reported it. */
export interface BoardInference {
  output: Uint8Array;
  /** Run number on the board (0, 1, …). */
  run: number;
  /** Counter ticks of the whole `<prefix>_invoke` call (raw, not scaled to instructions). */
  ticks: number;
}

const ACK_TIMEOUT_MS = 3000;
const CHUNK_ATTEMPTS = 3;

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

  constructor(
    private readonly transport: Transport,
    private readonly where: string,
    onText?: (line: string) => void,
    /** How long to wait for each input chunk's acknowledgement before resending it. */
    private readonly ackTimeoutMs = ACK_TIMEOUT_MS,
  ) {
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

  /** Send one input (all model inputs back to back), wait for the outputs and the result. */
  async infer(input: Uint8Array, outputBytes: number, timeoutMs: number): Promise<BoardInference> {
    let offset = 0;
    do {
      const len = Math.min(IO_CHUNK_BYTES, input.length - offset);
      offset = await this.sendChunk(input, offset, len);
    } while (offset < input.length);
    const output = new Uint8Array(outputBytes);
    let received = 0;
    for (;;) {
      const r = await this.next(undefined, timeoutMs, 'the inference result');
      if (r.type === 'output') {
        if (r.offset !== received || r.offset + r.data.length > outputBytes) throw this.protocolError(`output chunk at byte ${r.offset} (${r.data.length} bytes) after ${received} of ${outputBytes} bytes`);
        output.set(r.data, r.offset);
        received += r.data.length;
      } else if (r.type === 'result') {
        if (r.status !== 0) throw new BoardRunError('RUN_BOARD_INVOKE', `${this.where}: the model failed on the board in layer ${r.status - 1} (kernel error)`);
        if (received !== outputBytes) throw this.protocolError(`result after ${received} of ${outputBytes} output bytes`);
        return { output, run: r.run, ticks: r.ticks };
      } else if (r.type !== 'ack') {
        throw this.protocolError(`unexpected ${r.type} record while waiting for outputs`);
      }
    }
  }

  /** Send one chunk; returns the offset the board expects next (retrying when an acknowledgement is lost). */
  private async sendChunk(input: Uint8Array, offset: number, len: number): Promise<number> {
    const frame = { type: 'input' as const, offset, data: input.subarray(offset, offset + len) };
    for (let attempt = 1; ; attempt++) {
      await this.write(encodeFrame(frame, this.seq++ & 0xffff));
      try {
        const { expected } = (await this.next('ack', this.ackTimeoutMs, `the acknowledgement of input bytes ${offset}..${offset + len}`)) as { expected: number };
        if (expected > input.length) throw this.protocolError(`board expects input byte ${expected} of ${input.length}`);
        if (expected !== offset) return expected; // taken (or the board wants another part: go on from there)
        if (attempt >= CHUNK_ATTEMPTS) this.retryFailed(offset);
      } catch (e) {
        if (!(e instanceof BoardRunError) || e.code !== 'RUN_BOARD_TIMEOUT' || attempt >= CHUNK_ATTEMPTS) throw e;
      }
    }
  }

  private retryFailed(offset: number): never {
    throw this.protocolError(`the board did not take input byte ${offset} after ${CHUNK_ATTEMPTS} attempts`);
  }

  private async write(bytes: Uint8Array): Promise<void> {
    if (this.closed !== undefined) throw new BoardRunError('RUN_BOARD_CLOSED', `${this.where}: ${this.closed}`);
    await this.transport.write(bytes);
  }

  /** The next I/O record (of `type`, skipping stale acknowledgements when another type is wanted). */
  private async next(type: IoRecord['type'] | undefined, timeoutMs: number, what: string): Promise<IoRecord> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.frames.length > 0) {
        const { record } = this.frames.shift()!;
        if (type === undefined || record.type === type) return record;
        if (record.type !== 'ack' && record.type !== 'ready') throw this.protocolError(`unexpected ${record.type} record while waiting for ${what}`);
      }
      if (this.closed !== undefined) throw new BoardRunError('RUN_BOARD_CLOSED', `${this.where}: ${this.closed} while waiting for ${what}${this.lastText()}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new BoardRunError('RUN_BOARD_TIMEOUT', `${this.where}: no answer within ${timeoutMs} ms while waiting for ${what}${this.lastText()}`);
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
