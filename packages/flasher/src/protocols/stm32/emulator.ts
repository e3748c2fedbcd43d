import { systemClock } from '../../transport/clock';
import { Transport } from '../../transport/transport';
import { ACK, BUSY, Cmd, EraseCode, NACK, stm32Crc, SYNC, xorAll } from './constants';
import { FlashLayout, flashSize, listSectors, Sector } from './flash-map';

/** Faults to inject, each at a byte/command/block count so a seed replays exactly. Counts start at 0. */
export interface Stm32Faults {
  /** Never answer anything (wrong port, board not in bootloader mode). */
  silent?: boolean;
  /** The n-th command received is refused once with NACK. */
  nackCommandAt?: number;
  /** The n-th byte the device sends is lost on the line. */
  dropTxAt?: number;
  /** The n-th byte the device sends arrives with one bit flipped. */
  corruptTxAt?: number;
  /** The n-th byte the device receives arrives with one bit flipped. */
  corruptRxAt?: number;
  /** The cable is pulled when the device has received n bytes. */
  unplugAtRx?: number;
  /** The device hangs (answers nothing more) once it has received n bytes. */
  stallAtRx?: number;
  /** The n-th Write Memory block is stored with one bit cleared (a marginal cell; a re-erase fixes it). */
  weakWriteAt?: number;
  /** Flash addresses with a bit stuck at 0: no erase helps. */
  stuckBitAddresses?: number[];
  /** BUSY bytes sent before the ACK of each erase. */
  busyPerErase?: number;
}

export interface Stm32EmulatorOptions {
  productId: number;
  flash: FlashLayout;
  ram?: { base: number; size: number };
  bootloaderVersion?: number;
  /** Command set announced by Get; Extended Erase (0x44) replaces Erase (0x43) on newer parts. */
  commands?: number[];
  readoutProtected?: boolean;
  writeProtectedSectors?: number[];
  /** Starts in the bootloader (BOOT0 high at power-up) unless false. */
  inBootloader?: boolean;
  /** Simulated durations: per erased sector and per written block, in ms. */
  eraseMsPerSector?: number;
  writeMsPerBlock?: number;
  faults?: Stm32Faults;
  /** Called when the cable is pulled by a fault (tests pass the memory pair's unplug). */
  unplug?: () => void;
}

export const DEFAULT_COMMANDS = [
  Cmd.Get, Cmd.GetVersion, Cmd.GetId, Cmd.ReadMemory, Cmd.Go, Cmd.WriteMemory, Cmd.ExtendedErase,
  Cmd.WriteProtect, Cmd.WriteUnprotect, Cmd.ReadoutProtect, Cmd.ReadoutUnprotect, Cmd.GetChecksum,
];

/** The emulator waits for its next byte without a deadline (no timer armed). */
const FOREVER = Infinity;

class Stopped extends Error {}

/**
 * The bootloader side of AN3155, in TypeScript: a byte-level state machine over a Transport, with a flash model
 * (erase sets 0xFF, programming can only clear bits), protection, reset/BOOT0 handling and seeded faults.
 */
export class Stm32Emulator {
  readonly flash: Uint8Array;
  readonly ram: Uint8Array;
  readonly sectors: Sector[];
  readoutProtected: boolean;
  writeProtected: Set<number>;
  /** Where Go jumped to, if it did: tests check the board never starts an unverified image. */
  startedAt: number | undefined;
  /** Command opcodes in arrival order, for tests. */
  readonly commandLog: number[] = [];
  readonly erasedSectors: number[] = [];
  private synced = false;
  private running = false;
  private inBootloader: boolean;
  private stalled = false;
  private rxCount = 0;
  private txCount = 0;
  private commandCount = 0;
  private writeCount = 0;
  private readonly commands: number[];
  private readonly faults: Stm32Faults;

  constructor(
    private readonly port: Transport,
    private readonly options: Stm32EmulatorOptions,
  ) {
    this.flash = new Uint8Array(flashSize(options.flash)).fill(0xff);
    this.ram = new Uint8Array(options.ram?.size ?? 0);
    this.sectors = listSectors(options.flash);
    this.readoutProtected = options.readoutProtected ?? false;
    this.writeProtected = new Set(options.writeProtectedSectors ?? []);
    this.inBootloader = options.inBootloader ?? true;
    this.commands = options.commands ?? DEFAULT_COMMANDS;
    this.faults = options.faults ?? {};
  }

  /** Run until the port closes. */
  start(): Promise<void> {
    this.running = true;
    return this.loop().catch(() => undefined);
  }

  stop(): void {
    this.running = false;
  }

  /** NRST released: restart in the bootloader when BOOT0 is high, else in the application. */
  reset(boot0: boolean): void {
    this.synced = false;
    this.inBootloader = boot0;
    this.startedAt = boot0 ? undefined : this.options.flash.base;
  }

  /** Drive reset and BOOT0 from a host end's DTR/RTS as common adapters wire them (asserted = low NRST / high BOOT0). */
  attachResetLines(host: { onSignals: ((s: { dtr: boolean; rts: boolean }) => void) | undefined }, resetLine: 'dtr' | 'rts'): void {
    let inReset = false;
    host.onSignals = (s) => {
      const reset = resetLine === 'dtr' ? s.dtr : s.rts;
      const boot0 = resetLine === 'dtr' ? s.rts : s.dtr;
      if (reset) inReset = true;
      else if (inReset) {
        inReset = false;
        this.reset(boot0);
      }
    };
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const b = await this.rx();
      if (this.faults.silent || this.stalled || !this.inBootloader) continue;
      if (!this.synced) {
        if (b === SYNC) {
          this.synced = true;
          await this.tx([ACK]);
        }
        continue;
      }
      const complement = await this.rx();
      if ((b ^ complement) !== 0xff || !this.commands.includes(b)) {
        await this.tx([NACK]);
        continue;
      }
      this.commandLog.push(b);
      if (this.faults.nackCommandAt === this.commandCount++) {
        await this.tx([NACK]);
        continue;
      }
      await this.dispatch(b);
    }
  }

  private async dispatch(cmd: number): Promise<void> {
    switch (cmd) {
      case Cmd.Get:
        return this.tx([ACK, this.commands.length, this.version(), ...this.commands, ACK]);
      case Cmd.GetVersion:
        return this.tx([ACK, this.version(), 0, 0, ACK]);
      case Cmd.GetId:
        return this.tx([ACK, 1, (this.options.productId >> 8) & 0xff, this.options.productId & 0xff, ACK]);
      case Cmd.ReadMemory:
        return this.readMemory();
      case Cmd.WriteMemory:
        return this.writeMemory();
      case Cmd.Go:
        return this.go();
      case Cmd.Erase:
        return this.legacyErase();
      case Cmd.ExtendedErase:
        return this.extendedErase();
      case Cmd.WriteProtect:
        return this.writeProtect();
      case Cmd.WriteUnprotect:
        if (this.readoutProtected) return this.tx([NACK]);
        this.writeProtected.clear();
        await this.tx([ACK, ACK]);
        return this.reset(true);
      case Cmd.ReadoutProtect:
        this.readoutProtected = true;
        await this.tx([ACK, ACK]);
        return this.reset(true);
      case Cmd.ReadoutUnprotect:
        await this.tx([ACK]);
        await this.eraseRange(this.sectors);
        this.readoutProtected = false;
        this.writeProtected.clear();
        await this.tx([ACK]);
        return this.reset(true);
      case Cmd.GetChecksum:
        return this.checksum();
    }
  }

  private version(): number {
    return this.options.bootloaderVersion ?? 0x31;
  }

  /** Receive a 4-byte address + XOR; NACK and undefined when the checksum is wrong. */
  private async rxAddress(): Promise<number | undefined> {
    const a = await this.rxN(5);
    if (xorAll(a.subarray(0, 4)) !== a[4]) {
      await this.tx([NACK]);
      return undefined;
    }
    return ((a[0] << 24) | (a[1] << 16) | (a[2] << 8) | a[3]) >>> 0;
  }

  /** Memory at [address, address+length) as a view, or undefined when it is not mapped. */
  private memory(address: number, length: number): { mem: Uint8Array; offset: number; isFlash: boolean } | undefined {
    const f = this.options.flash.base;
    if (address >= f && address + length <= f + this.flash.length) return { mem: this.flash, offset: address - f, isFlash: true };
    const r = this.options.ram;
    if (r && address >= r.base && address + length <= r.base + r.size) return { mem: this.ram, offset: address - r.base, isFlash: false };
    return undefined;
  }

  private async readMemory(): Promise<void> {
    if (this.readoutProtected) return this.tx([NACK]);
    await this.tx([ACK]);
    const address = await this.rxAddress();
    if (address === undefined) return;
    if (!this.memory(address, 1)) return this.tx([NACK]);
    await this.tx([ACK]);
    const [n, c] = await this.rxN(2);
    if ((n ^ c) !== 0xff) return this.tx([NACK]);
    const where = this.memory(address, n + 1);
    if (!where) return this.tx([NACK]);
    const data = where.mem.slice(where.offset, where.offset + n + 1);
    if (where.isFlash) this.applyStuckBits(address, data);
    await this.tx([ACK, ...data]);
  }

  private async writeMemory(): Promise<void> {
    if (this.readoutProtected) return this.tx([NACK]);
    await this.tx([ACK]);
    const address = await this.rxAddress();
    if (address === undefined) return;
    if (!this.memory(address, 1)) return this.tx([NACK]);
    await this.tx([ACK]);
    const [n] = await this.rxN(1);
    const data = await this.rxN(n + 1);
    const [sum] = await this.rxN(1);
    if (xorAll(data, n) !== sum) return this.tx([NACK]);
    const where = this.memory(address, n + 1);
    if (!where || (n + 1) % 4 !== 0 || address % 4 !== 0) return this.tx([NACK]);
    if (where.isFlash) {
      const touched = this.sectorsIn(address, n + 1);
      if (touched.some((s) => this.writeProtected.has(s.index))) return this.tx([NACK]);
      if (this.options.writeMsPerBlock) await this.sleep(this.options.writeMsPerBlock);
      for (let i = 0; i <= n; i++) where.mem[where.offset + i] &= data[i];
      if (this.faults.weakWriteAt === this.writeCount) {
        const i = data.findIndex((v) => (v & 1) === 1);
        if (i >= 0) where.mem[where.offset + i] &= 0xfe;
      }
      this.writeCount++;
    } else {
      where.mem.set(data, where.offset);
    }
    await this.tx([ACK]);
  }

  private async go(): Promise<void> {
    if (this.readoutProtected) return this.tx([NACK]);
    await this.tx([ACK]);
    const address = await this.rxAddress();
    if (address === undefined) return;
    if (!this.memory(address, 4)) return this.tx([NACK]);
    await this.tx([ACK]);
    this.startedAt = address;
    this.inBootloader = false;
    this.synced = false;
  }

  private async legacyErase(): Promise<void> {
    if (this.readoutProtected) return this.tx([NACK]);
    await this.tx([ACK]);
    const [n] = await this.rxN(1);
    if (n === 0xff) {
      const [c] = await this.rxN(1);
      if (c !== 0x00) return this.tx([NACK]);
      return this.finishErase(this.sectors);
    }
    const pages = await this.rxN(n + 1);
    const [sum] = await this.rxN(1);
    if (xorAll(pages, n) !== sum) return this.tx([NACK]);
    return this.finishErase(this.pick(Array.from(pages)));
  }

  private async extendedErase(): Promise<void> {
    if (this.readoutProtected) return this.tx([NACK]);
    await this.tx([ACK]);
    const head = await this.rxN(2);
    const n = (head[0] << 8) | head[1];
    if (n >= EraseCode.Bank2) {
      const [c] = await this.rxN(1);
      if (c !== (head[0] ^ head[1])) return this.tx([NACK]);
      const bank1 = this.options.flash.bank1Units ?? this.sectors.length;
      const which = n === EraseCode.Mass ? this.sectors : n === EraseCode.Bank1 ? this.sectors.slice(0, bank1) : this.sectors.slice(bank1);
      return this.finishErase(which);
    }
    const body = await this.rxN(2 * (n + 1));
    const [sum] = await this.rxN(1);
    if (xorAll(body, head[0] ^ head[1]) !== sum) return this.tx([NACK]);
    const pages: number[] = [];
    for (let i = 0; i < body.length; i += 2) pages.push((body[i] << 8) | body[i + 1]);
    return this.finishErase(this.pick(pages));
  }

  private pick(indices: number[]): Sector[] | undefined {
    const out: Sector[] = [];
    for (const i of indices) {
      if (i >= this.sectors.length) return undefined;
      out.push(this.sectors[i]);
    }
    return out;
  }

  private async finishErase(which: Sector[] | undefined): Promise<void> {
    if (!which || which.some((s) => this.writeProtected.has(s.index))) return this.tx([NACK]);
    for (let i = 0; i < (this.faults.busyPerErase ?? 0); i++) await this.tx([BUSY]);
    await this.eraseRange(which);
    await this.tx([ACK]);
  }

  private async eraseRange(which: Sector[]): Promise<void> {
    if (this.options.eraseMsPerSector) await this.sleep(this.options.eraseMsPerSector * which.length);
    for (const s of which) {
      const at = s.address - this.options.flash.base;
      this.flash.fill(0xff, at, at + s.size);
      this.erasedSectors.push(s.index);
    }
  }

  private async writeProtect(): Promise<void> {
    if (this.readoutProtected) return this.tx([NACK]);
    await this.tx([ACK]);
    const [n] = await this.rxN(1);
    const list = await this.rxN(n + 1);
    const [sum] = await this.rxN(1);
    if (xorAll(list, n) !== sum || list.some((s) => s >= this.sectors.length)) return this.tx([NACK]);
    list.forEach((s) => this.writeProtected.add(s));
    await this.tx([ACK]);
    this.reset(true);
  }

  private async checksum(): Promise<void> {
    if (this.readoutProtected) return this.tx([NACK]);
    await this.tx([ACK]);
    const address = await this.rxAddress();
    if (address === undefined) return;
    if (address % 4 !== 0 || !this.memory(address, 4)) return this.tx([NACK]);
    await this.tx([ACK]);
    const length = await this.rxAddress();
    if (length === undefined) return;
    const where = this.memory(address, length);
    if (!where || length % 4 !== 0 || length === 0) return this.tx([NACK]);
    const data = where.mem.slice(where.offset, where.offset + length);
    if (where.isFlash) this.applyStuckBits(address, data);
    const crc = stm32Crc(data);
    const bytes = [(crc >>> 24) & 0xff, (crc >>> 16) & 0xff, (crc >>> 8) & 0xff, crc & 0xff];
    await this.tx([ACK, ACK, ...bytes, xorAll(bytes)]);
  }

  private sectorsIn(address: number, length: number): Sector[] {
    return this.sectors.filter((s) => s.address < address + length && address < s.address + s.size);
  }

  private applyStuckBits(address: number, data: Uint8Array): void {
    for (const a of this.faults.stuckBitAddresses ?? []) {
      if (a >= address && a < address + data.length) data[a - address] &= 0xfe;
    }
  }

  /** Simulated work runs on the port's clock (virtual in deterministic tests). */
  private sleep(ms: number): Promise<void> {
    return (this.port.clock ?? systemClock).sleep(ms);
  }

  private async rx(): Promise<number> {
    let b: number;
    try {
      [b] = await this.port.read(1, FOREVER);
    } catch {
      this.running = false;
      throw new Stopped();
    }
    const i = this.rxCount++;
    if (this.faults.unplugAtRx === i) {
      this.options.unplug?.();
      this.running = false;
      throw new Stopped();
    }
    if (this.faults.stallAtRx === i) this.stalled = true;
    if (this.faults.corruptRxAt === i) b ^= 0x10;
    return b;
  }

  private async rxN(n: number): Promise<Uint8Array> {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = await this.rx();
    return out;
  }

  private async tx(bytes: ArrayLike<number>): Promise<void> {
    if (this.stalled) return;
    const out: number[] = [];
    for (let i = 0; i < bytes.length; i++) {
      const k = this.txCount++;
      if (this.faults.dropTxAt === k) continue;
      out.push(this.faults.corruptTxAt === k ? bytes[i] ^ 0x04 : bytes[i]);
    }
    if (out.length > 0 && this.port.isOpen) await this.port.write(Uint8Array.from(out)).catch(() => undefined);
  }
}
