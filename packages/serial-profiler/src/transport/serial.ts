import { ProfilerError } from '../errors';
import { ByteSource } from './byte-source';

export interface OpenedPort {
  source: ByteSource;
  close(): Promise<void>;
}

/**
 * Open a serial port (8N1) for reading the profile. Errors become PROFILE_PORT with the path; `serialport` is
 * loaded on first use so that the rest of the package works where its native binding is missing.
 */
export async function openSerialPort(path: string, baudRate = 115200): Promise<OpenedPort> {
  let SerialPort: typeof import('serialport').SerialPort;
  try {
    ({ SerialPort } = await import('serialport'));
  } catch (e) {
    throw new ProfilerError('PROFILE_PORT', `cannot load the serialport module: ${(e as Error).message}`);
  }
  const port = await new Promise<InstanceType<typeof SerialPort>>((resolve, reject) => {
    const p = new SerialPort({ path, baudRate, autoOpen: false });
    p.open((err) => (err ? reject(new ProfilerError('PROFILE_PORT', `cannot open ${path}: ${err.message}`)) : resolve(p)));
  });
  return {
    source: port,
    close: () => new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve())),
  };
}
