export * from './records';
export { cobsEncode, cobsDecode } from './cobs';
export { crc16Ccitt } from './crc16';
export { encodeBody, encodeFrame, decodeStuffedBody, MAX_STUFFED_BYTES } from './frame';
export type { BodyProblem, BodyResult, RawFrame } from './frame';
export { FrameDecoder, decodeStream } from './decoder';
export type { DecoderEvents, DecoderStats } from './decoder';
export * from './mlperf';
