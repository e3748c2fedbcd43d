import { FlashError } from '../errors';
import { ByteQueue } from './byte-queue';
import { LineSignals, Parity, Transport } from './transport';

/** One end of an in-memory cable; what one end writes, the other reads (on a later event-loop turn, like I/O). */
export class MemoryEndpoint implements Transport {
  readonly queue = new ByteQueue();
  peer!: MemoryEndpoint;
  baudRate = 115200;
  parity: Parity = 'none';
  signals: Required<LineSignals> = { dtr: false, rts: false };
  /** Called after this end changes DTR/RTS: how an emulator sees a reset/BOOT0 sequence. */
  onSignals: ((signals: Required<LineSignals>) => void) | undefined;
  /** Called after this end changes its line settings (the 1200-baud touch of SAM-BA boards). */
  onLine: ((baudRate: number, parity: Parity) => void) | undefined;
  /** Called when the other end closes the port. */
  onPeerClose: (() => void) | undefined;
  private open = true;

  constructor(
    readonly label: string,
    private readonly hasSignals: boolean,
  ) {}

  get isOpen(): boolean {
    return this.open;
  }

  async write(data: Uint8Array): Promise<void> {
    if (!this.open) throw new FlashError('FLASH_PORT_CLOSED', `${this.label}: write on a closed port`);
    const copy = data.slice();
    setImmediate(() => this.peer.queue.push(copy));
  }

  read(length: number, timeoutMs: number): Promise<Uint8Array> {
    return this.queue.read(length, timeoutMs);
  }

  async discardInput(): Promise<void> {
    this.queue.clear();
  }

  async setLine(baudRate: number, parity: Parity): Promise<void> {
    this.baudRate = baudRate;
    this.parity = parity;
    this.onLine?.(baudRate, parity);
  }

  async setSignals(signals: LineSignals): Promise<void> {
    if (!this.hasSignals) throw new FlashError('FLASH_SIGNALS_UNAVAILABLE', `${this.label} has no DTR/RTS lines`);
    this.signals = { ...this.signals, ...signals };
    this.onSignals?.(this.signals);
  }

  async close(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    this.queue.close('closed by this side');
    this.peer.onPeerClose?.();
  }

  /** The cable is pulled: both ends fail their pending and future I/O. */
  unplug(): void {
    for (const end of [this, this.peer]) {
      end.open = false;
      end.queue.close('device disconnected (unplugged?)');
    }
  }
}

/** A host end and a device end joined back to back. The host end has DTR/RTS unless `signals` is false. */
export function createMemoryPair(options: { signals?: boolean } = {}): { host: MemoryEndpoint; device: MemoryEndpoint } {
  const host = new MemoryEndpoint('memory port', options.signals ?? true);
  const device = new MemoryEndpoint('memory device', false);
  host.peer = device;
  device.peer = host;
  return { host, device };
}
