import { BOARD_IO } from '@tinyforge/codegen-c';
import { cobsDecode, cobsEncode, crc16Ccitt } from '@tinyforge/serial-profiler';

/** A frame of the board application's I/O protocol (types from BOARD_IO.type), CRC already checked. */
export interface IoFrame {
  type: number;
  seq: number;
  payload: Uint8Array;
}

const BODY_OVERHEAD = 6; // version, type, seq u16 … crc u16
/** Longest stuffed segment an I/O frame can have (plus slack); longer candidates are handed on as they are. */
const MAX_CANDIDATE = BOARD_IO.maxPayload + BODY_OVERHEAD + 8;

/** The wire bytes of one host → board frame (same framing as the profiler's records). */
export function encodeIoFrame(type: number, seq: number, payload: Uint8Array): Uint8Array {
  const body = new Uint8Array(payload.length + BODY_OVERHEAD);
  body[0] = BOARD_IO.version;
  body[1] = type;
  body[2] = seq & 0xff;
  body[3] = (seq >>> 8) & 0xff;
  body.set(payload, 4);
  const crc = crc16Ccitt(body, 0, body.length - 2);
  body[body.length - 2] = crc & 0xff;
  body[body.length - 1] = crc >>> 8;
  const stuffed = cobsEncode(body);
  const wire = new Uint8Array(stuffed.length + 3);
  wire[1] = BOARD_IO.magic;
  wire.set(stuffed, 2);
  return wire; // leading and trailing bytes stay 0x00
}

/** The I/O frame in a stuffed segment (without its magic byte), or undefined when it is not one intact. */
function parseIoSegment(stuffed: Uint8Array): IoFrame | undefined {
  const body = cobsDecode(stuffed);
  if (body === undefined || body.length < BODY_OVERHEAD || body[0] !== BOARD_IO.version || body[1] < BOARD_IO.type.ready) return undefined;
  const crc = body[body.length - 2] | (body[body.length - 1] << 8);
  if (crc16Ccitt(body, 0, body.length - 2) !== crc) return undefined;
  return { type: body[1], seq: body[2] | (body[3] << 8), payload: body.slice(4, body.length - 2) };
}

type State = 'pass' | 'afterZero' | 'candidate';

/**
 * Splits the board's console stream in two without delaying either: intact I/O frames go to `onIoFrame`; every
 * other byte (profiler frames, printf text, damaged frames) goes unchanged to `forward` — the profiler's own
 * decoder — in the same order, so its resynchronisation and corruption counts keep their meaning.
 */
export class ConsoleSplitter {
  private state: State = 'pass';
  private candidate: number[] = [];

  constructor(
    private readonly onIoFrame: (frame: IoFrame) => void,
    private readonly forward: (bytes: Uint8Array) => void,
  ) {}

  push(chunk: Uint8Array): void {
    let passFrom = 0;
    const flushPass = (end: number) => {
      if (end > passFrom) this.forward(chunk.subarray(passFrom, end));
    };
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      if (this.state === 'candidate') {
        if (byte === 0) {
          this.finishCandidate();
          this.state = 'afterZero';
          passFrom = i + 1; // finishCandidate forwarded this zero if the frame was not ours
        } else if (this.candidate.length >= MAX_CANDIDATE) {
          this.forward(Uint8Array.from(this.candidate));
          this.candidate = [];
          this.state = 'pass';
          passFrom = i;
        } else this.candidate.push(byte);
        continue;
      }
      if (byte === 0) {
        this.state = 'afterZero';
      } else if (this.state === 'afterZero' && byte === BOARD_IO.magic) {
        flushPass(i);
        this.candidate = [byte];
        this.state = 'candidate';
      } else this.state = 'pass';
      if (this.state !== 'candidate') continue;
      passFrom = i + 1;
    }
    if (this.state !== 'candidate') flushPass(chunk.length);
  }

  private finishCandidate(): void {
    const frame = parseIoSegment(Uint8Array.from(this.candidate.slice(1)));
    if (frame !== undefined) this.onIoFrame(frame);
    else this.forward(Uint8Array.from([...this.candidate, 0]));
    this.candidate = [];
  }
}
