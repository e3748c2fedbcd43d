export type { ByteSource } from './byte-source';
export { captureProfile } from './capture';
export type { CaptureOptions } from './capture';
export { openSerialPort } from './serial';
export type { OpenedPort } from './serial';
