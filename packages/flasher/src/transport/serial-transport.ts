import { SerialPort, SerialPortMock } from 'serialport';
import { FlashError } from '../errors';
import { ByteQueue } from './byte-queue';
import { LineSignals, Parity, Transport } from './transport';

export interface SerialOpenOptions {
  path: string;
  baudRate: number;
  parity?: Parity;
  /** Open through node-serialport's mock binding (tests: ports made with MockBinding.createPort). */
  mock?: boolean;
}

/** What this class needs of a node-serialport port (SerialPort and SerialPortMock both are one). */
type Port = SerialPort | SerialPortMock;

function call(fn: (cb: (err: Error | null | undefined) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => fn((err) => (err ? reject(err) : resolve())));
}

/** A real (or pseudo-terminal) serial port through node-serialport. */
export class SerialTransport implements Transport {
  private readonly queue = new ByteQueue();

  private constructor(
    private port: Port,
    private parity: Parity,
    private readonly mock: boolean,
  ) {
    this.attach(port);
  }

  static async open(options: SerialOpenOptions): Promise<SerialTransport> {
    const parity = options.parity ?? 'none';
    const mock = options.mock ?? false;
    const port = await openPort(options.path, options.baudRate, parity, mock);
    return new SerialTransport(port, parity, mock);
  }

  get lastReadArrival(): number | undefined {
    return this.queue.lastReadArrival;
  }

  get isOpen(): boolean {
    return this.port.isOpen;
  }

  async write(data: Uint8Array): Promise<void> {
    if (!this.port.isOpen) throw new FlashError('FLASH_PORT_CLOSED', `${this.port.path}: the port is closed`);
    try {
      await call((cb) => this.port.write(Buffer.from(data), (err) => cb(err)));
    } catch (e) {
      throw new FlashError('FLASH_PORT_CLOSED', `${this.port.path}: write failed: ${(e as Error).message}`);
    }
  }

  read(length: number, timeoutMs: number): Promise<Uint8Array> {
    return this.queue.read(length, timeoutMs);
  }

  async discardInput(): Promise<void> {
    this.queue.clear();
    // Bytes still in the OS buffer are stale too; flush is best-effort (not every port supports it).
    await call((cb) => this.port.flush(cb)).catch(() => undefined);
  }

  async setLine(baudRate: number, parity: Parity): Promise<void> {
    if (parity === this.parity) {
      await call((cb) => this.port.update({ baudRate }, cb));
      return;
    }
    // node-serialport can only update the baud rate in place; parity needs a reopen.
    const path = this.port.path;
    await call((cb) => this.port.close(cb));
    this.port = await openPort(path, baudRate, parity, this.mock);
    this.parity = parity;
    this.attach(this.port);
  }

  async setSignals(signals: LineSignals): Promise<void> {
    try {
      await call((cb) => this.port.set(signals, cb));
    } catch (e) {
      // Pseudo-terminals and some adapters answer ENOTTY/EINVAL: there are no modem lines to drive.
      throw new FlashError('FLASH_SIGNALS_UNAVAILABLE', `${this.port.path}: cannot set DTR/RTS: ${(e as Error).message}`);
    }
  }

  async close(): Promise<void> {
    this.queue.close('closed by this side');
    if (this.port.isOpen) await call((cb) => this.port.close(cb)).catch(() => undefined);
  }

  private attach(port: Port): void {
    port.on('data', (chunk: Buffer) => this.queue.push(new Uint8Array(chunk)));
    port.on('close', (err?: Error & { disconnected?: boolean }) => {
      if (port !== this.port) return;
      this.queue.close(err?.disconnected ? 'device disconnected' : 'port closed');
    });
    port.on('error', () => undefined);
  }
}

async function openPort(path: string, baudRate: number, parity: Parity, mock: boolean): Promise<Port> {
  const settings = { path, baudRate, parity, dataBits: 8 as const, stopBits: 1 as const, autoOpen: false };
  const port = mock ? new SerialPortMock(settings) : new SerialPort(settings);
  try {
    await call((cb) => port.open(cb));
  } catch (e) {
    throw new FlashError('FLASH_PORT_OPEN', `cannot open ${path}: ${(e as Error).message}`, 'check the port name with `flash --list` and that no other program holds it');
  }
  return port;
}
