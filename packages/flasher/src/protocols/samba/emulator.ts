import { Transport } from '../../transport/transport';
import { crc16Xmodem } from './crc16';

export interface SambaEmulatorOptions {
  /** Flash size and where the application area starts (the bootloader sits below it). */
  flashSize: number;
  appStart: number;
  rowSize: number;
  sram: { base: number; size: number };
  version?: string;
  /** Starts in the application (deaf to SAM-BA) until a 1200-baud touch, when false. */
  inBootloader?: boolean;
  /** Faults: never answer; drop the link after n received bytes; a bit stuck at 0 at these flash addresses. */
  silent?: boolean;
  unplugAtRx?: number;
  stuckBitAddresses?: number[];
  unplug?: () => void;
}

const FOREVER = 1 << 30;
export const AIRCR = 0xe000ed0c;
export const AIRCR_SYSRESETREQ = 0x05fa0004;
const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** The device side of the Arduino SAM-BA monitor (binary mode, X/Y/Z extensions) over a Transport. */
export class SambaEmulator {
  readonly flash: Uint8Array;
  readonly sram: Uint8Array;
  startedAt: number | undefined;
  private rxCount = 0;
  private yBuffer = 0;
  private inBootloader: boolean;

  constructor(
    private readonly port: Transport,
    private readonly options: SambaEmulatorOptions,
  ) {
    this.flash = new Uint8Array(options.flashSize).fill(0xff);
    this.sram = new Uint8Array(options.sram.size);
    this.inBootloader = options.inBootloader ?? true;
  }

  /** Opening the CDC port at 1200 baud is the Arduino signal to reboot into the bootloader. */
  attachTouch(host: { onLine: ((baud: number, ...rest: never[]) => void) | undefined }): void {
    host.onLine = (baud) => {
      if (baud === 1200) {
        this.inBootloader = true;
        this.startedAt = undefined;
      }
    };
  }

  start(): Promise<void> {
    return this.loop().catch(() => undefined);
  }

  private async rx(): Promise<number> {
    const [b] = await this.port.read(1, FOREVER);
    if (this.options.unplugAtRx === this.rxCount++) {
      this.options.unplug?.();
      throw new Error('unplugged');
    }
    return b;
  }

  private async loop(): Promise<void> {
    let command = '';
    let value = 0;
    let address = 0;
    for (;;) {
      const b = await this.rx();
      if (this.options.silent || !this.inBootloader) continue;
      const c = String.fromCharCode(b);
      if (c === '#') {
        await this.execute(command, address, value);
        command = '';
        value = 0;
      } else if (/[0-9a-fA-F]/.test(c) && command !== '') {
        value = ((value << 4) | parseInt(c, 16)) >>> 0;
      } else if (c === ',') {
        address = value;
        value = 0;
      } else {
        command = c;
        value = 0;
      }
    }
  }

  private async execute(cmd: string, address: number, value: number): Promise<void> {
    // For one-argument commands the number is the address.
    switch (cmd) {
      case 'N':
        return this.tx(ascii('\n\r'));
      case 'V':
        return this.tx(ascii(`v${this.options.version ?? '2.0 [Arduino:XYZ] Nov 25 2026 00:00:00'}\n\r`));
      case 'w': {
        const m = this.view(address, 4);
        return this.tx(m ? m.mem.slice(m.at, m.at + 4) : new Uint8Array(4));
      }
      case 'W': {
        const m = this.view(address, 4);
        if (address === AIRCR && value === AIRCR_SYSRESETREQ) {
          // Reset request: the bootloader hands over to the application.
          this.startedAt = this.options.appStart;
          this.inBootloader = false;
        } else if (m && m.mem === this.sram) new DataView(m.mem.buffer).setUint32(m.at, value, true);
        return;
      }
      case 'S': {
        const data = new Uint8Array(value);
        for (let i = 0; i < value; i++) data[i] = await this.rx();
        const m = this.view(address, value);
        if (m && m.mem === this.sram) m.mem.set(data, m.at);
        return;
      }
      case 'R': {
        const m = this.view(address, value);
        return this.tx(m ? this.readable(m.mem, m.at, value) : new Uint8Array(value));
      }
      case 'X': {
        const from = Math.max(Math.floor(value / this.options.rowSize) * this.options.rowSize, this.options.appStart);
        this.flash.fill(0xff, from);
        return this.tx(ascii('X\n\r'));
      }
      case 'Y': {
        if (value === 0) {
          this.yBuffer = address;
        } else {
          const src = this.view(this.yBuffer, value);
          if (src && address >= this.options.appStart && address + value <= this.flash.length) {
            for (let i = 0; i < value; i++) this.flash[address + i] &= src.mem[src.at + i];
          }
        }
        return this.tx(ascii('Y\n\r'));
      }
      case 'Z': {
        const m = this.view(address, value);
        const crc = m ? crc16Xmodem(this.readable(m.mem, m.at, value)) : 0;
        return this.tx(ascii(`Z${crc.toString(16).toUpperCase().padStart(8, '0')}#\n\r`));
      }
      case 'G':
        this.startedAt = value;
        return;
    }
  }

  private view(address: number, length: number): { mem: Uint8Array; at: number } | undefined {
    if (address + length <= this.flash.length) return { mem: this.flash, at: address };
    const s = this.options.sram;
    if (address >= s.base && address + length <= s.base + s.size) return { mem: this.sram, at: address - s.base };
    return undefined;
  }

  private readable(mem: Uint8Array, at: number, length: number): Uint8Array {
    const out = mem.slice(at, at + length);
    if (mem === this.flash) for (const a of this.options.stuckBitAddresses ?? []) if (a >= at && a < at + length) out[a - at] &= 0xfe;
    return out;
  }

  private async tx(bytes: Uint8Array): Promise<void> {
    if (this.port.isOpen) await this.port.write(bytes).catch(() => undefined);
  }
}
