/**
 * The profiling frame format, defined once. The C encoder (c/tfg_profile.c) mirrors these constants and is
 * checked against the same vector file (test-vectors/frames.json).
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

/** Profiler records. Other types with the same framing may share the console (codegen's board I/O uses 0x40+). */
export const RECORD_TYPE = { hello: 1, layerInfo: 2, overhead: 3, layer: 4, inference: 5 } as const;
export type RecordTypeName = keyof typeof RECORD_TYPE;

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
