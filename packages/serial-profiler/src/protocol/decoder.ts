import { decodeStuffedBody, MAX_STUFFED_BYTES, RawFrame } from './frame';
import { DecodedFrame, FRAME_DELIMITER, FRAME_MAGIC, IoFrame, isIoRecord } from './records';

/** What the decoder saw; `corruptFrames` and `missingFrames` are how damage shows up. */
export interface DecoderStats {
  bytes: number;
  frames: number;
  /** Segments that started like a frame but failed COBS, CRC or length checks. */
  corruptFrames: number;
  /** Sequence numbers skipped between accepted frames: frames lost whole or damaged beyond recognition. */
  missingFrames: number;
  /** CRC-valid frames of another protocol version. */
  unsupportedFrames: number;
  /** Intact model I/O frames (types 0x40+, the board application's exchange with the host). */
  ioFrames: number;
  /** CRC-valid frames with record types the link does not define. */
  otherFrames: number;
  textBytes: number;
}

export interface DecoderEvents {
  /** Profiler records, in order. */
  frame?: (frame: DecodedFrame) => void;
  /** Model I/O records (their own sequence numbers are not checked here: the I/O exchange acknowledges). */
  io?: (frame: IoFrame) => void;
  /** printf text between frames, one call per line (without the newline) or per delimited chunk. */
  text?: (text: string) => void;
  /** Intact frames of record types the link does not define, sharing the console. */
  other?: (frame: RawFrame) => void;
}

const MAX_TEXT_LINE = 1024;
type State = 'text' | 'idle' | 'frame' | 'skip';

/**
 * Streaming decoder: feed it chunks as they arrive. It starts in text mode (the port may open mid-frame) and
 * resynchronises at every 0x00, so garbage costs at most the frame it hit. Memory is bounded: frame segments
 * longer than any valid frame are skipped, text is flushed every MAX_TEXT_LINE bytes.
 */
export class FrameDecoder {
  readonly stats: DecoderStats = { bytes: 0, frames: 0, corruptFrames: 0, missingFrames: 0, unsupportedFrames: 0, ioFrames: 0, otherFrames: 0, textBytes: 0 };
  private state: State = 'text';
  private readonly frameBuf = new Uint8Array(MAX_STUFFED_BYTES);
  private frameLen = 0;
  private text: number[] = [];
  private lastSeq: number | undefined;
  private readonly textDecoder = new TextDecoder('utf-8', { fatal: false });

  constructor(private readonly events: DecoderEvents = {}) {}

  push(chunk: Uint8Array): void {
    this.stats.bytes += chunk.length;
    for (const byte of chunk) this.pushByte(byte);
  }

  /** Flush pending text at the end of the stream; an unterminated frame is counted as corrupt. */
  end(): void {
    if (this.state === 'frame' || this.state === 'skip') this.stats.corruptFrames++;
    this.flushText();
    this.state = 'text';
  }

  private pushByte(byte: number): void {
    switch (this.state) {
      case 'idle':
        if (byte === FRAME_DELIMITER) return;
        if (byte === FRAME_MAGIC) {
          this.state = 'frame';
          this.frameLen = 0;
          return;
        }
        this.state = 'text';
        this.pushText(byte);
        return;
      case 'text':
        if (byte === FRAME_DELIMITER) {
          this.flushText();
          this.state = 'idle';
        } else this.pushText(byte);
        return;
      case 'frame':
        if (byte === FRAME_DELIMITER) {
          this.finishFrame();
          this.state = 'idle';
        } else if (this.frameLen === this.frameBuf.length) {
          this.stats.corruptFrames++;
          this.state = 'skip';
        } else this.frameBuf[this.frameLen++] = byte;
        return;
      case 'skip':
        if (byte === FRAME_DELIMITER) this.state = 'idle';
        return;
    }
  }

  private pushText(byte: number): void {
    this.stats.textBytes++;
    if (byte === 0x0a) return this.flushText(true);
    this.text.push(byte);
    if (this.text.length >= MAX_TEXT_LINE) this.flushText();
  }

  private flushText(force = false): void {
    if (this.text.length === 0 && !force) return;
    const line = this.textDecoder.decode(Uint8Array.from(this.text)).replace(/\r$/, '');
    this.text = [];
    this.events.text?.(line);
  }

  private finishFrame(): void {
    const result = decodeStuffedBody(this.frameBuf.subarray(0, this.frameLen));
    if (!result.ok) {
      if (result.raw !== undefined) {
        this.stats.otherFrames++;
        this.events.other?.(result.raw);
      } else if (result.problem === 'version') this.stats.unsupportedFrames++;
      else this.stats.corruptFrames++;
      return;
    }
    const { seq, record } = result;
    if (isIoRecord(record)) {
      this.stats.ioFrames++;
      this.events.io?.({ seq, record });
      return;
    }
    const frame: DecodedFrame = { seq, record };
    // A hello with seq 0 is a board (re)start: no frames were lost before it.
    const restart = frame.record.type === 'hello' && frame.seq === 0;
    if (this.lastSeq !== undefined && !restart) this.stats.missingFrames += (frame.seq - this.lastSeq - 1 + 0x10000) % 0x10000;
    this.lastSeq = frame.seq;
    this.stats.frames++;
    this.events.frame?.(frame);
  }
}

/** Decode a whole captured stream at once. */
export function decodeStream(bytes: Uint8Array): { frames: DecodedFrame[]; io: IoFrame[]; text: string[]; stats: DecoderStats } {
  const frames: DecodedFrame[] = [];
  const io: IoFrame[] = [];
  const text: string[] = [];
  const decoder = new FrameDecoder({ frame: (f) => frames.push(f), io: (f) => io.push(f), text: (t) => text.push(t) });
  decoder.push(bytes);
  decoder.end();
  return { frames, io, text, stats: decoder.stats };
}
