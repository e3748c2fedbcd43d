import { Clock } from './clock';

/** Line settings the protocols need: AN3155 runs 8E1, SAM-BA and most others 8N1. */
export type Parity = 'none' | 'even';

export interface LineSignals {
  dtr?: boolean;
  rts?: boolean;
}

/**
 * A byte pipe to a device: the one interface every protocol client talks to. Implementations: a serial port
 * (`SerialTransport`), an in-memory pair for tests (`createMemoryPair`), a socket (`SocketTransport`).
 */
export interface Transport {
  /** Queue bytes for sending; resolves when the implementation has accepted them. */
  write(data: Uint8Array): Promise<void>;
  /**
   * Exactly `length` bytes, or FlashError FLASH_TIMEOUT when they have not all arrived within `timeoutMs`, or
   * FLASH_PORT_CLOSED when the port goes away while waiting.
   */
  read(length: number, timeoutMs: number): Promise<Uint8Array>;
  /** Discard received bytes nobody has read yet (stale answers after a timeout). */
  discardInput(): Promise<void>;
  setLine(baudRate: number, parity: Parity): Promise<void>;
  /** Drive DTR/RTS; FLASH_SIGNALS_UNAVAILABLE where the port has none (pseudo-terminals, sockets). */
  setSignals(signals: LineSignals): Promise<void>;
  close(): Promise<void>;
  readonly isOpen: boolean;
  /** The time source of this transport's read timeouts; protocol clients size their own waits on it too. */
  readonly clock?: Clock;
  /** performance.now() when the first byte of the last completed read arrived, where the transport knows it. */
  readonly lastReadArrival?: number;
}
