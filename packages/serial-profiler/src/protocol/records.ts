/**
 * The board <-> host frame format and its records, defined once: the profiler's records and the board
 * application's model I/O records share it. The C side (c/tfg_link.c framing and I/O, c/tfg_profile.c records)
 * mirrors these constants and is checked against the same vector file (test-vectors/frames.json).
 *
 * Wire:   0x00  MAGIC  COBS(body)  0x00
 * Body:   version u8 | type u8 | seq u16 | payload | crc16 u16     (little endian; CRC-16/CCITT-FALSE over
 *         everything before it)
 * The leading 0x00 ends any printf text that came before, MAGIC (never a byte of UTF-8 text) marks the segment
 * as a frame, and the trailing 0x00 ends it; text between frames passes through untouched.
 */
export const PROTOCOL_VERSION = 1;
export const FRAME_DELIMITER = 0x00;
export const FRAME_MAGIC = 0xf5;
/** Bytes of the body before the payload (version, type, seq) and after it (CRC). */
export const BODY_HEADER_BYTES = 4;
export const BODY_CRC_BYTES = 2;
/** Largest payload the encoders produce; the decoder drops longer segments without buffering them. */
export const MAX_PAYLOAD_BYTES = 240;
export const MAX_NAME_BYTES = 64;
export const MAX_RANK = 8;

/** Profiler records (board -> host); they number their frames apart from the I/O records. */
export const RECORD_TYPE = { hello: 1, layerInfo: 2, overhead: 3, layer: 4, inference: 5 } as const;
export type RecordTypeName = keyof typeof RECORD_TYPE;

/**
 * The board application's model I/O records (c/tfg_link.h): the host sends each input in chunks, the board
 * acknowledges every chunk, runs the model and sends the outputs in chunks and then the result. Each direction
 * numbers its own frames.
 */
export const IO_RECORD_TYPE = { ready: 0x40, input: 0x41, ack: 0x42, output: 0x43, result: 0x44 } as const;
export type IoRecordTypeName = keyof typeof IO_RECORD_TYPE;
/** Model input / output bytes per input or output frame (payload: byte offset u32, then the bytes). */
export const IO_CHUNK_BYTES = 224;

/** What the board's counter counts: DWT CYCCNT counts core cycles; SysTick counts clock ticks (instructions under QEMU -icount). */
export const COUNTER_KIND = { dwt: 0, systick: 1, other: 2 } as const;
export type CounterKind = keyof typeof COUNTER_KIND;

/** Sent once at start-up: which counter the board reads, its clock, how many layers the model has. */
export interface HelloRecord {
  type: 'hello';
  counter: CounterKind;
  clockHz: number;
  layerCount: number;
}

/** One row of the layer table (also available as a JSON file from the code generator). */
export interface LayerInfoRecord {
  type: 'layerInfo';
  index: number;
  opId: number;
  macs: number;
  outputShape: number[];
  name: string;
  op: string;
}

/** The hook overhead measured at start-up (minimum over `samples` empty BEGIN/END pairs), already subtracted from every count. */
export interface OverheadRecord {
  type: 'overhead';
  count: number;
  samples: number;
}

/** One layer of one inference run. */
export interface LayerRecord {
  type: 'layer';
  run: number;
  index: number;
  opId: number;
  count: number;
}

/** The whole inference, sent after its layer records. */
export interface InferenceRecord {
  type: 'inference';
  run: number;
  total: number;
  layerCount: number;
}

export type ProfileRecord = HelloRecord | LayerInfoRecord | OverheadRecord | LayerRecord | InferenceRecord;

/** A frame the decoder accepted: CRC good, version known, payload well formed. */
export interface DecodedFrame {
  seq: number;
  record: ProfileRecord;
}

/** board -> host, once at start: what the firmware runs. */
export interface ReadyRecord {
  type: 'ready';
  /** All model inputs / outputs back to back, in model order. */
  inputBytes: number;
  outputBytes: number;
  layerCount: number;
  arenaBytes: number;
}

/** host -> board: input bytes from `offset`; offset 0 starts a new input. */
export interface InputRecord {
  type: 'input';
  offset: number;
  data: Uint8Array;
}

/** board -> host, for every input frame: the input offset the board expects next (== input bytes: it runs). */
export interface AckRecord {
  type: 'ack';
  expected: number;
}

/** board -> host: output bytes from `offset`. */
export interface OutputRecord {
  type: 'output';
  offset: number;
  data: Uint8Array;
}

/**
 * board -> host, after the outputs: invoke status (0 = ok, k = layer k-1 failed), run number, counter ticks of the
 * invoke, and the stack: its high-water mark since reset (bytes down from its top to the deepest word written, the
 * startup code having painted it) and its size. 0 = not measured; a board application from before the stack figures
 * sends the first three only (decoded with zeros).
 */
export interface ResultRecord {
  type: 'result';
  status: number;
  run: number;
  ticks: number;
  stackHighWater: number;
  stackSize: number;
}

export type IoRecord = ReadyRecord | InputRecord | AckRecord | OutputRecord | ResultRecord;
/** Every record a frame can carry. */
export type LinkRecord = ProfileRecord | IoRecord;

/** An intact I/O frame. */
export interface IoFrame {
  seq: number;
  record: IoRecord;
}

/** The type byte of every record. */
export const FRAME_TYPE: Record<LinkRecord['type'], number> = { ...RECORD_TYPE, ...IO_RECORD_TYPE };

export function isIoRecord(r: LinkRecord): r is IoRecord {
  return r.type in IO_RECORD_TYPE;
}
