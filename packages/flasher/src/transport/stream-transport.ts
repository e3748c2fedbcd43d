import { Duplex } from 'stream';
import { FlashError } from '../errors';
import { ByteQueue } from './byte-queue';
import { LineSignals, Transport } from './transport';

/**
 * A Transport over a Node stream (a TCP socket to `qemu -serial tcp:` or to an emulator behind socat). Line
 * settings are accepted and ignored; there are no modem lines.
 */
export class StreamTransport implements Transport {
  private readonly queue = new ByteQueue();
  private open = true;

  constructor(
    private readonly stream: Duplex,
    private readonly label = 'stream',
  ) {
    stream.on('data', (chunk: Buffer) => this.queue.push(new Uint8Array(chunk)));
    const closed = (): void => {
      this.open = false;
      this.queue.close(`${label} closed`);
    };
    stream.on('close', closed);
    stream.on('end', closed);
    stream.on('error', () => undefined);
  }

  get lastReadArrival(): number | undefined {
    return this.queue.lastReadArrival;
  }

  get isOpen(): boolean {
    return this.open;
  }

  write(data: Uint8Array): Promise<void> {
    if (!this.open) return Promise.reject(new FlashError('FLASH_PORT_CLOSED', `${this.label}: write on a closed stream`));
    return new Promise((resolve, reject) =>
      this.stream.write(Buffer.from(data), (err) => (err ? reject(new FlashError('FLASH_PORT_CLOSED', `${this.label}: ${err.message}`)) : resolve())),
    );
  }

  read(length: number, timeoutMs: number): Promise<Uint8Array> {
    return this.queue.read(length, timeoutMs);
  }

  async discardInput(): Promise<void> {
    this.queue.clear();
  }

  async setLine(): Promise<void> {}

  async setSignals(_signals: LineSignals): Promise<void> {
    throw new FlashError('FLASH_SIGNALS_UNAVAILABLE', `${this.label} has no DTR/RTS lines`);
  }

  async close(): Promise<void> {
    this.open = false;
    this.queue.close('closed by this side');
    this.stream.destroy();
  }
}
