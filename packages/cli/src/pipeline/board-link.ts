import { BOARD_IO } from '@tinyforge/codegen-c';
import { Transport } from '@tinyforge/flasher';
import { isTinyforgeError } from '@tinyforge/ir';
import { DecoderStats, FrameDecoder, SessionCollector } from '@tinyforge/serial-profiler';
import { ConsoleSplitter, encodeIoFrame, IoFrame } from './console-splitter';
import { BoardRunError } from './errors';

/** What the board application announces at start-up. */
export interface BoardReady {
  inputBytes: number;
  outputBytes: number;
  layerCount: number;
  arenaBytes: number;
}

/** One inference as the board reported it. */
export interface BoardInference {
  output: Uint8Array;
  /** Run number on the board (0, 1, …). */
  run: number;
  /** Counter ticks of the whole `<prefix>_invoke` call (raw, not scaled to instructions). */
  ticks: number;
}

const u32 = (p: Uint8Array, at: number): number => (p[at] | (p[at + 1] << 8) | (p[at + 2] << 16)) + p[at + 3] * 2 ** 24;
const ACK_TIMEOUT_MS = 3000;
const CHUNK_ATTEMPTS = 3;

/**
 * The host end of the board application's protocol over a byte transport. A pump reads the console continuously;
 * I/O frames queue up here, profiler frames and text go to the profiler's decoder and session collector.
 */
export class BoardLink {
  readonly session = new SessionCollector();
  readonly text: string[] = [];
  private readonly decoder: FrameDecoder;
  private readonly splitter: ConsoleSplitter;
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
      text: (line) => {
        if (line.length === 0) return;
        this.text.push(line);
        this.session.addText(line);
        onText?.(line);
      },
    });
    this.splitter = new ConsoleSplitter(
      (frame) => {
        this.frames.push(frame);
        this.notify();
      },
      (bytes) => this.decoder.push(bytes),
    );
  }

  /** Start reading the console (until the transport closes). */
  start(): void {
    this.pumping ??= this.pump();
  }

  get decoderStats(): DecoderStats {
    return { ...this.decoder.stats };
  }

  /** Wait for the board's start-up announcement. */
  async waitReady(timeoutMs: number): Promise<BoardReady> {
    const f = await this.next(BOARD_IO.type.ready, timeoutMs, 'the application to start');
    if (f.payload.length !== 14) throw this.protocolError(`start-up record has ${f.payload.length} bytes, expected 14`);
    return { inputBytes: u32(f.payload, 0), outputBytes: u32(f.payload, 4), layerCount: f.payload[8] | (f.payload[9] << 8), arenaBytes: u32(f.payload, 10) };
  }

  /** Send one input (all model inputs back to back), wait for the outputs and the result. */
  async infer(input: Uint8Array, outputBytes: number, timeoutMs: number): Promise<BoardInference> {
    let offset = 0;
    do {
      const len = Math.min(BOARD_IO.chunkBytes, input.length - offset);
      offset = await this.sendChunk(input, offset, len);
    } while (offset < input.length);
    const output = new Uint8Array(outputBytes);
    let received = 0;
    for (;;) {
      const f = await this.next(undefined, timeoutMs, 'the inference result');
      if (f.type === BOARD_IO.type.output) {
        if (f.payload.length < 4) throw this.protocolError(`output record of ${f.payload.length} bytes`);
        const at = u32(f.payload, 0);
        const data = f.payload.subarray(4);
        if (at !== received || at + data.length > outputBytes) throw this.protocolError(`output chunk at byte ${at} (${data.length} bytes) after ${received} of ${outputBytes} bytes`);
        output.set(data, at);
        received += data.length;
      } else if (f.type === BOARD_IO.type.result) {
        if (f.payload.length !== 12) throw this.protocolError(`result record has ${f.payload.length} bytes, expected 12`);
        const status = u32(f.payload, 0);
        if (status !== 0) throw new BoardRunError('RUN_BOARD_INVOKE', `${this.where}: the model failed on the board in layer ${status - 1} (kernel error)`);
        if (received !== outputBytes) throw this.protocolError(`result after ${received} of ${outputBytes} output bytes`);
        return { output, run: u32(f.payload, 4), ticks: u32(f.payload, 8) };
      } else if (f.type !== BOARD_IO.type.ack) {
        throw this.protocolError(`unexpected record type 0x${f.type.toString(16)} while waiting for outputs`);
      }
    }
  }

  /** Send one chunk; returns the offset the board expects next (retrying when an acknowledgement is lost). */
  private async sendChunk(input: Uint8Array, offset: number, len: number): Promise<number> {
    const payload = new Uint8Array(4 + len);
    new DataView(payload.buffer).setUint32(0, offset, true);
    payload.set(input.subarray(offset, offset + len), 4);
    for (let attempt = 1; ; attempt++) {
      await this.write(encodeIoFrame(BOARD_IO.type.input, this.seq++ & 0xffff, payload));
      try {
        const ack = await this.next(BOARD_IO.type.ack, this.ackTimeoutMs, `the acknowledgement of input bytes ${offset}..${offset + len}`);
        if (ack.payload.length !== 4) throw this.protocolError(`acknowledgement of ${ack.payload.length} bytes, expected 4`);
        const expected = u32(ack.payload, 0);
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

  /** The next I/O frame (of `type`, skipping stale acknowledgements when another type is wanted). */
  private async next(type: number | undefined, timeoutMs: number, what: string): Promise<IoFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.frames.length > 0) {
        const f = this.frames.shift()!;
        if (type === undefined || f.type === type) return f;
        if (f.type !== BOARD_IO.type.ack && f.type !== BOARD_IO.type.ready) throw this.protocolError(`unexpected record type 0x${f.type.toString(16)} while waiting for ${what}`);
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
    return ` (received ${s.bytes} console bytes besides I/O frames${text})`;
  }

  private protocolError(message: string): BoardRunError {
    return new BoardRunError('RUN_BOARD_PROTOCOL', `${this.where}: ${message}`);
  }

  private async pump(): Promise<void> {
    for (;;) {
      try {
        const first = await this.transport.read(1, 1000);
        this.splitter.push(first);
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
