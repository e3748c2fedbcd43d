import { performance } from 'perf_hooks';
import { LineSignals, Parity, Transport } from './transport';

/** Sleep until performance.now() reaches `t`: coarse timer first, then yields, for sub-millisecond accuracy. */
export async function waitUntil(t: number): Promise<void> {
  let left = t - performance.now();
  if (left > 2) await new Promise((r) => setTimeout(r, left - 1.5));
  while ((left = t - performance.now()) > 0) await new Promise((r) => setImmediate(r));
}

/**
 * A device-side Transport that behaves like a UART at `baudRate` (11 bits a byte for 8E1): received bytes count
 * as arrived only once their line time has passed, and nothing is answered before that; sent bytes take their line
 * time too. Used by the emulator behind a pty so throughput figures mean what they would on a wire.
 *
 * The line is modelled from when bytes reach this side (the inner transport's lastReadArrival, where it knows it),
 * not from when the emulator gets round to reading them: a device's CPU answers within microseconds, so the
 * emulator's own scheduling delays on a loaded host must not add line time. Receiving and sending overlap (full
 * duplex); an answer starts once the request's last byte has crossed the line and the line out is free.
 */
export class PacedTransport implements Transport {
  private rxDone = 0;
  private txDone = 0;
  private readonly byteMs: number;

  constructor(
    private readonly inner: Transport,
    baudRate: number,
    bitsPerByte = 11,
  ) {
    this.byteMs = (bitsPerByte * 1000) / baudRate;
  }

  get isOpen(): boolean {
    return this.inner.isOpen;
  }

  async read(length: number, timeoutMs: number): Promise<Uint8Array> {
    const bytes = await this.inner.read(length, timeoutMs);
    const arrived = this.inner.lastReadArrival ?? performance.now();
    this.rxDone = Math.max(this.rxDone, arrived) + length * this.byteMs;
    return bytes;
  }

  async write(data: Uint8Array): Promise<void> {
    // The device cannot answer a byte it has not finished receiving; its answer then takes its own line time.
    this.txDone = Math.max(this.txDone, this.rxDone) + data.length * this.byteMs;
    await waitUntil(this.txDone);
    await this.inner.write(data);
  }

  discardInput(): Promise<void> {
    return this.inner.discardInput();
  }

  setLine(baudRate: number, parity: Parity): Promise<void> {
    return this.inner.setLine(baudRate, parity);
  }

  setSignals(signals: LineSignals): Promise<void> {
    return this.inner.setSignals(signals);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
