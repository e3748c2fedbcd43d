import { FlashError, isFlashError } from '../../errors';
import { Transport } from '../../transport/transport';

export interface SambaTimeouts {
  /** Ordinary answers. */
  read: number;
  /** Erase of the whole application area (X command). */
  erase: number;
  /** Programming one buffer (Y command). */
  write: number;
}

export const DEFAULT_SAMBA_TIMEOUTS: SambaTimeouts = { read: 1000, erase: 10000, write: 2000 };

export const SAMBA_NO_SYNC_HINT =
  'put the board in its bootloader: a 1200-baud touch (--reset touch) or double-tap RESET; the port name may change after it re-enumerates';

const hex8 = (v: number): string => v.toString(16).toUpperCase().padStart(8, '0');

/**
 * The host side of the SAM-BA monitor as bossac drives it over USB CDC, binary mode, with the Arduino extensions
 * (X erase, Y buffer-to-flash, Z CRC) that SAMD/nRF52 Arduino bootloaders announce in their version string.
 */
export class SambaClient {
  readonly timeouts: SambaTimeouts;
  version: string | undefined;

  constructor(
    readonly transport: Transport,
    timeouts: Partial<SambaTimeouts> = {},
  ) {
    this.timeouts = { ...DEFAULT_SAMBA_TIMEOUTS, ...timeouts };
  }

  /** Switch the monitor to binary mode and read its version. */
  async connect(): Promise<string> {
    await this.transport.discardInput();
    try {
      await this.transport.write(ascii('N#'));
      await this.expect('\n\r', this.timeouts.read);
      this.version = await this.command('V#');
    } catch (e) {
      if (isFlashError(e, 'FLASH_TIMEOUT')) throw new FlashError('FLASH_NO_SYNC', 'no answer from a SAM-BA monitor', SAMBA_NO_SYNC_HINT);
      throw e;
    }
    return this.version;
  }

  get hasArduinoExtensions(): boolean {
    const caps = /\[Arduino:([A-Z]*)\]/.exec(this.version ?? '')?.[1] ?? '';
    return caps.includes('X') && caps.includes('Y') && caps.includes('Z');
  }

  async readWord(address: number): Promise<number> {
    await this.transport.write(ascii(`w${hex8(address)},4#`));
    const b = await this.transport.read(4, this.timeouts.read);
    return (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
  }

  async writeWord(address: number, value: number): Promise<void> {
    await this.transport.write(ascii(`W${hex8(address)},${hex8(value)}#`));
  }

  /** Send bytes into device memory (the SRAM buffer). */
  async sendData(address: number, data: Uint8Array): Promise<void> {
    await this.transport.write(ascii(`S${hex8(address)},${hex8(data.length)}#`));
    await this.transport.write(data);
  }

  async receiveData(address: number, length: number): Promise<Uint8Array> {
    await this.transport.write(ascii(`R${hex8(address)},${hex8(length)}#`));
    return this.transport.read(length, this.timeouts.read + length / 10);
  }

  /** Erase flash from `address` to the end (Arduino X). */
  async eraseFrom(address: number): Promise<void> {
    await this.transport.write(ascii(`X${hex8(address)}#`));
    await this.expect('X\n\r', this.timeouts.erase);
  }

  /** Copy `length` bytes from the SRAM buffer at `buffer` into flash at `address` (Arduino Y, two steps). */
  async programFromBuffer(buffer: number, address: number, length: number): Promise<void> {
    await this.transport.write(ascii(`Y${hex8(buffer)},0#`));
    await this.expect('Y\n\r', this.timeouts.read);
    await this.transport.write(ascii(`Y${hex8(address)},${hex8(length)}#`));
    await this.expect('Y\n\r', this.timeouts.write);
  }

  /** CRC-16/XMODEM of device memory (Arduino Z). */
  async crc(address: number, length: number): Promise<number> {
    const answer = await this.command(`Z${hex8(address)},${hex8(length)}#`);
    const m = /^Z([0-9A-Fa-f]{8})#$/.exec(answer);
    if (!m) throw new FlashError('FLASH_PROTOCOL', `unexpected answer to Z: ${JSON.stringify(answer)}`);
    return parseInt(m[1], 16);
  }

  async go(address: number): Promise<void> {
    await this.transport.write(ascii(`G${hex8(address)}#`));
  }

  /** A command answered by one line ending in "\n\r"; returns the line without it. */
  private async command(text: string, timeoutMs = this.timeouts.read): Promise<string> {
    await this.transport.write(ascii(text));
    return this.readLine(timeoutMs);
  }

  private async readLine(timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let line = '';
    while (!line.endsWith('\n\r')) {
      if (line.length > 256) throw new FlashError('FLASH_PROTOCOL', 'SAM-BA answer line too long (wrong device or baud rate?)');
      const [b] = await this.transport.read(1, Math.max(1, deadline - Date.now()));
      line += String.fromCharCode(b);
    }
    return line.slice(0, -2);
  }

  private async expect(text: string, timeoutMs: number): Promise<void> {
    const got = await this.transport.read(text.length, timeoutMs);
    const s = String.fromCharCode(...got);
    if (s !== text) throw new FlashError('FLASH_PROTOCOL', `expected ${JSON.stringify(text)} from the SAM-BA monitor, got ${JSON.stringify(s)}`);
  }
}

export function ascii(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}
