import { FlashError } from '../errors';
import { ByteQueue } from './byte-queue';
import { Clock, systemClock, VirtualClock } from './clock';
import { LineSignals, Parity, Transport } from './transport';

/** One end of an in-memory cable; what one end writes, the other reads (on a later event-loop turn, like I/O). */
export class MemoryEndpoint implements Transport {
  readonly queue: ByteQueue;
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
    readonly clock: Clock = systemClock,
  ) {
    this.queue = new ByteQueue(clock);
  }

  get lastReadArrival(): number | undefined {
    return this.queue.lastReadArrival;
  }

  get isOpen(): boolean {
    return this.open;
  }

  async write(data: Uint8Array): Promise<void> {
    if (!this.open) throw new FlashError('FLASH_PORT_CLOSED', `${this.label}: write on a closed port`);
    const copy = data.slice();
    // Bytes on the wire hold a virtual clock still: no timeout may fire before they are delivered.
    const virtual = this.clock instanceof VirtualClock ? this.clock : undefined;
    virtual?.beginWork();
    setImmediate(() => {
      this.peer.queue.push(copy);
      virtual?.endWork();
    });
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

/**
 * A host end and a device end joined back to back. The host end has DTR/RTS unless `signals` is false. Both ends'
 * timeouts run on `clock` (pass a VirtualClock for tests that must not depend on the machine's speed).
 */
export function createMemoryPair(options: { signals?: boolean; clock?: Clock } = {}): { host: MemoryEndpoint; device: MemoryEndpoint } {
  const clock = options.clock ?? systemClock;
  const host = new MemoryEndpoint('memory port', options.signals ?? true, clock);
  const device = new MemoryEndpoint('memory device', false, clock);
  host.peer = device;
  device.peer = host;
  return { host, device };
}
