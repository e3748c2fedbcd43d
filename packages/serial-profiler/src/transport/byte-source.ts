/**
 * The smallest stream interface the profiler reads from: Node's Readable, a serialport SerialPort, a socket, or
 * an in-memory PassThrough in tests all fit it.
 */
export interface ByteSource {
  on(event: 'data', listener: (chunk: Uint8Array) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  on(event: 'close' | 'end', listener: () => void): unknown;
  removeListener(event: string, listener: (...args: never[]) => void): unknown;
}
