import { FlashError, isFlashError } from '../../errors';
import { Clock, systemClock } from '../../transport/clock';
import { Transport } from '../../transport/transport';
import { ACK, addressFrame, BUSY, Cmd, commandName, EraseCode, MAX_BLOCK, MAX_ERASE_PAGES_PER_REQUEST, NACK, SYNC, xorAll } from './constants';

/** Timeouts in ms. Defaults follow stm32flash: 500 ms per read, 1 s per block write, seconds per erased sector. */
export interface Stm32Timeouts {
  /** Wait for the answer to 0x7F, per attempt. */
  sync: number;
  /** Ordinary ACKs and data. */
  read: number;
  blockWrite: number;
  /** Erase: base plus per sector; mass erase on its own (tens of seconds on big parts). */
  eraseBase: number;
  erasePerSector: number;
  massErase: number;
  /** Protection commands reset the chip: wait this long before resynchronising. */
  resetSettle: number;
}

export const DEFAULT_STM32_TIMEOUTS: Stm32Timeouts = {
  sync: 500,
  read: 500,
  blockWrite: 1000,
  eraseBase: 1000,
  erasePerSector: 5000,
  massErase: 35000,
  resetSettle: 200,
};

export interface BootloaderInfo {
  version: number;
  commands: number[];
  optionBytes: [number, number];
  productId: number;
}

export const NO_SYNC_HINT =
  'put the board in its bootloader: hold BOOT0 high (jumper/button) and press RESET, or use --reset dtr|rts on an adapter wired to NRST/BOOT0; check the port and that TX/RX are crossed';

/** Which part of a command the device refused: the opcode, the address, or the data/arguments. */
export type NackStage = 'command' | 'address' | 'data';

export class NackError extends FlashError {
  override readonly name = 'NackError';
  constructor(
    readonly what: string,
    readonly stage: NackStage,
  ) {
    super('FLASH_NACK', `the bootloader refused ${what} (NACK at the ${stage} stage)`);
  }
}

/**
 * The host side of the STM32 USART bootloader (AN3155). Each method is one protocol command; none retries on its
 * own — the flashing sequence decides what may be retried (see `recover`).
 */
export class Stm32Client {
  readonly timeouts: Stm32Timeouts;
  /** The transport's clock: waits and deadlines run on the same time as its read timeouts. */
  readonly clock: Clock;
  info: BootloaderInfo | undefined;
  /**
   * Pipelining waits until the bootloader has accepted one Read/Write Memory opcode on its own: under readout
   * protection the opcode is refused, and pipelined address and data bytes would then reach its command parser.
   */
  private memoryCommandsAccepted = false;

  constructor(
    readonly transport: Transport,
    timeouts: Partial<Stm32Timeouts> = {},
    /** Only used to size waits for bytes in flight on the line. */
    readonly baudRate = 115200,
    /**
     * Send opcode, address and block of Read/Write Memory in one go instead of waiting for each ACK. The bootloader
     * checks the opcode and address in microseconds while the next bytes are still on the line, so nothing
     * overruns; only the final ACK (after programming) must be awaited. Any NACK before the data stage leaves
     * bytes to be parsed as commands, which `recover` cleans up. Off: one round trip per stage, as AN3155 draws it.
     */
    public pipeline = true,
  ) {
    this.timeouts = { ...DEFAULT_STM32_TIMEOUTS, ...timeouts };
    this.clock = transport.clock ?? systemClock;
  }

  /**
   * Autobaud: send 0x7F and expect ACK. A NACK means the bootloader was already synchronised (0x7F then reads as
   * a bad command), which is fine too.
   */
  async sync(attempts = 3): Promise<void> {
    for (let i = 0; i < attempts; i++) {
      await this.transport.discardInput();
      await this.transport.write(Uint8Array.of(SYNC));
      try {
        const [b] = await this.transport.read(1, this.timeouts.sync);
        if (b === ACK || b === NACK) return;
      } catch (e) {
        if (!isFlashError(e, 'FLASH_TIMEOUT')) throw e;
      }
    }
    throw new FlashError('FLASH_NO_SYNC', `no answer to the bootloader sync byte 0x7F after ${attempts} attempts`, NO_SYNC_HINT);
  }

  /** Sync, then Get, Get Version, Get ID. */
  async connect(syncAttempts = 3): Promise<BootloaderInfo> {
    await this.sync(syncAttempts);
    let got: { version: number; commands: number[] };
    try {
      got = await this.get();
    } catch (e) {
      // A late ACK to an earlier 0x7F leaves a stray byte in the device's command parser: settle it and ask again.
      if (!isFlashError(e) || !['FLASH_NACK', 'FLASH_TIMEOUT', 'FLASH_PROTOCOL'].includes(e.code)) throw e;
      await this.recover();
      got = await this.get();
    }
    const { version, commands } = got;
    const { optionBytes } = await this.getVersion();
    const productId = await this.getId();
    this.info = { version, commands, optionBytes, productId };
    return this.info;
  }

  supports(code: number): boolean {
    return this.info === undefined || this.info.commands.includes(code);
  }

  async get(): Promise<{ version: number; commands: number[] }> {
    await this.command(Cmd.Get);
    const [n] = await this.read(1);
    const body = await this.read(n + 1);
    await this.ack('Get (end)', this.timeouts.read);
    return { version: body[0], commands: Array.from(body.subarray(1)) };
  }

  async getVersion(): Promise<{ version: number; optionBytes: [number, number] }> {
    await this.command(Cmd.GetVersion);
    const b = await this.read(3);
    await this.ack('Get Version (end)', this.timeouts.read);
    return { version: b[0], optionBytes: [b[1], b[2]] };
  }

  async getId(): Promise<number> {
    await this.command(Cmd.GetId);
    const [n] = await this.read(1);
    const id = await this.read(n + 1);
    await this.ack('Get ID (end)', this.timeouts.read);
    return id.reduce((v, b) => (v << 8) | b, 0);
  }

  async readMemory(address: number, length: number): Promise<Uint8Array> {
    checkLength(length);
    const what = `Read Memory at 0x${hex(address)}`;
    if (this.pipeline && this.memoryCommandsAccepted) {
      await this.transport.write(concatBytes(Uint8Array.of(Cmd.ReadMemory, Cmd.ReadMemory ^ 0xff), addressFrame(address), Uint8Array.of(length - 1, (length - 1) ^ 0xff)));
      await this.ack(what, this.timeouts.read, 'command');
      await this.ack(what, this.timeouts.read, 'address');
      await this.ack(what, this.timeouts.read, 'data');
      return this.read(length);
    }
    await this.command(Cmd.ReadMemory);
    this.memoryCommandsAccepted = true;
    await this.send(addressFrame(address), what, 'address');
    await this.send(Uint8Array.of(length - 1, (length - 1) ^ 0xff), `${what} (length)`, 'data');
    return this.read(length);
  }

  /** `data` must already be padded to the part's write alignment (see planWrites). */
  async writeMemory(address: number, data: Uint8Array): Promise<void> {
    checkLength(data.length);
    const frame = writeFrame(data);
    const what = `Write Memory at 0x${hex(address)}`;
    if (this.pipeline && this.memoryCommandsAccepted) {
      await this.transport.write(concatBytes(Uint8Array.of(Cmd.WriteMemory, Cmd.WriteMemory ^ 0xff), addressFrame(address), frame));
      await this.writeAcks(what);
      return;
    }
    await this.command(Cmd.WriteMemory);
    this.memoryCommandsAccepted = true;
    await this.send(addressFrame(address), what, 'address');
    await this.send(frame, what, 'data', this.timeouts.blockWrite);
  }

  /**
   * Several Write Memory commands sent back to back, their ACKs read afterwards in order: one round trip for all of
   * them. Only for a bootloader whose receiver holds the host's bytes with flow control while it writes (a virtual
   * board behind QEMU's chardev); a real chip's USART loses bytes that arrive while it programs, so a flashing
   * session uses this only when asked (`writeWindow`). Falls back to one command at a time until the bootloader
   * has accepted a memory command on its own (see `pipeline`). An error leaves later commands' bytes unparsed or
   * parsed: the caller recovers and rewrites the whole group.
   */
  async writeMemoryBlocks(blocks: readonly { address: number; data: Uint8Array }[]): Promise<void> {
    if (!this.pipeline || !this.memoryCommandsAccepted || blocks.length === 1) {
      for (const b of blocks) await this.writeMemory(b.address, b.data);
      return;
    }
    blocks.forEach((b) => checkLength(b.data.length));
    await this.transport.write(concatBytes(...blocks.map((b) => concatBytes(Uint8Array.of(Cmd.WriteMemory, Cmd.WriteMemory ^ 0xff), addressFrame(b.address), writeFrame(b.data)))));
    for (const b of blocks) await this.writeAcks(`Write Memory at 0x${hex(b.address)}`);
  }

  private async writeAcks(what: string): Promise<void> {
    await this.ack(what, this.timeouts.read, 'command');
    await this.ack(what, this.timeouts.read, 'address');
    await this.ack(what, this.timeouts.blockWrite, 'data');
  }

  async go(address: number): Promise<void> {
    await this.command(Cmd.Go);
    await this.send(addressFrame(address), `Go 0x${hex(address)}`, 'address');
  }

  /** Erase pages/sectors by number with Extended Erase (2-byte numbers) or the legacy Erase (1-byte numbers). */
  async eraseSectors(sectors: number[]): Promise<void> {
    if (sectors.length === 0) return;
    if (this.supports(Cmd.ExtendedErase)) {
      for (let i = 0; i < sectors.length; i += MAX_ERASE_PAGES_PER_REQUEST) await this.extendedErase(sectors.slice(i, i + MAX_ERASE_PAGES_PER_REQUEST));
    } else {
      for (let i = 0; i < sectors.length; i += 255) await this.legacyErase(sectors.slice(i, i + 255));
    }
  }

  async massErase(): Promise<void> {
    if (this.supports(Cmd.ExtendedErase)) await this.extendedErase('mass');
    else await this.legacyErase('mass');
  }

  async extendedErase(what: number[] | 'mass' | 'bank1' | 'bank2'): Promise<void> {
    await this.command(Cmd.ExtendedErase);
    if (typeof what === 'string') {
      const code = what === 'mass' ? EraseCode.Mass : what === 'bank1' ? EraseCode.Bank1 : EraseCode.Bank2;
      const frame = Uint8Array.of(code >> 8, code & 0xff, (code >> 8) ^ (code & 0xff));
      await this.send(frame, `Extended Erase (${what})`, 'data', this.timeouts.massErase);
      return;
    }
    if (what.length === 0 || what.length > 0xfff0) throw new FlashError('FLASH_PROTOCOL', `cannot erase ${what.length} pages in one request`);
    const frame = new Uint8Array(2 + 2 * what.length + 1);
    const n = what.length - 1;
    frame[0] = n >> 8;
    frame[1] = n & 0xff;
    what.forEach((p, i) => {
      frame[2 + 2 * i] = (p >> 8) & 0xff;
      frame[3 + 2 * i] = p & 0xff;
    });
    frame[frame.length - 1] = xorAll(frame.subarray(0, frame.length - 1));
    await this.send(frame, `Extended Erase of ${what.length} page(s) from ${what[0]}`, 'data', this.eraseTimeout(what.length));
  }

  async legacyErase(what: number[] | 'mass'): Promise<void> {
    await this.command(Cmd.Erase);
    if (what === 'mass') {
      await this.send(Uint8Array.of(0xff, 0x00), 'Erase (global)', 'data', this.timeouts.massErase);
      return;
    }
    if (what.length === 0 || what.length > 255 || what.some((p) => p > 0xff)) {
      throw new FlashError('FLASH_PROTOCOL', 'legacy Erase takes 1..255 pages numbered below 256');
    }
    const frame = Uint8Array.of(what.length - 1, ...what, 0);
    frame[frame.length - 1] = xorAll(frame.subarray(0, frame.length - 1));
    await this.send(frame, `Erase of ${what.length} page(s) from ${what[0]}`, 'data', this.eraseTimeout(what.length));
  }

  /** Write-protect sectors. The chip resets afterwards; we resynchronise. */
  async writeProtect(sectors: number[]): Promise<void> {
    await this.command(Cmd.WriteProtect);
    const frame = Uint8Array.of(sectors.length - 1, ...sectors, 0);
    frame[frame.length - 1] = xorAll(frame.subarray(0, frame.length - 1));
    await this.send(frame, 'Write Protect', 'data', this.timeouts.blockWrite);
    await this.afterReset();
  }

  async writeUnprotect(): Promise<void> {
    await this.command(Cmd.WriteUnprotect);
    await this.ack('Write Unprotect (done)', this.timeouts.blockWrite);
    await this.afterReset();
  }

  async readoutProtect(): Promise<void> {
    await this.command(Cmd.ReadoutProtect);
    await this.ack('Readout Protect (done)', this.timeouts.blockWrite);
    await this.afterReset();
  }

  /** Removes readout protection by mass-erasing the whole chip. Callers must have the user's explicit consent. */
  async readoutUnprotect(): Promise<void> {
    await this.command(Cmd.ReadoutUnprotect);
    await this.ack('Readout Unprotect (mass erase)', this.timeouts.massErase);
    await this.afterReset();
  }

  /** Get Checksum: the device's CRC32 over [address, address+length), both 4-aligned. */
  async getChecksum(address: number, length: number): Promise<number> {
    if (address % 4 !== 0 || length % 4 !== 0 || length === 0) throw new FlashError('FLASH_PROTOCOL', 'Get Checksum needs a 4-aligned address and length');
    await this.command(Cmd.GetChecksum);
    await this.send(addressFrame(address), `Get Checksum address 0x${hex(address)}`, 'address');
    await this.send(addressFrame(length), 'Get Checksum length', 'data', this.timeouts.read + length / 1000);
    await this.ack('Get Checksum (result)', this.timeouts.read + length / 1000);
    const b = await this.read(5);
    if (xorAll(b.subarray(0, 4)) !== b[4]) throw new FlashError('FLASH_PROTOCOL', 'Get Checksum answer has a bad checksum byte');
    return ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
  }

  /**
   * Bring the bootloader back to a known state after a timeout or garbled answer, when it may still be inside a
   * command waiting for bytes. Filler 0xFF bytes finish any pending stage with a checksum that cannot match (so
   * nothing gets erased or started). Its command parser may then hold one odd byte: a Get that is NACKed means
   * so, and one more 0xFF pairs it off. Get succeeding proves the bootloader is back at its prompt.
   */
  async recover(): Promise<void> {
    const filler = MAX_BLOCK + 2;
    await this.transport.write(new Uint8Array(filler).fill(0xff));
    // Wait until the filler and the NACKs it provokes have crossed the line (8E1: 11 bits a byte), then until the
    // line is quiet: on a busy host, answers can arrive later than their line time, and must not meet the Get.
    const lineMs = ((2 * filler * 11) / this.baudRate) * 1000;
    await this.clock.sleep(lineMs);
    await this.drainUntilQuiet(Math.max(20, this.timeouts.read / 5), lineMs + this.timeouts.read);
    let last: unknown;
    for (let attempt = 0; attempt < 4; attempt++) {
      try {
        await this.get();
        return;
      } catch (e) {
        if (!isFlashError(e) || !['FLASH_NACK', 'FLASH_TIMEOUT', 'FLASH_PROTOCOL'].includes(e.code)) throw e;
        last = e;
        if (e instanceof NackError) {
          await this.transport.write(Uint8Array.of(0xff));
          await this.transport.read(1, this.timeouts.read).catch((r) => {
            if (!isFlashError(r, 'FLASH_TIMEOUT')) throw r;
          });
        }
        await this.clock.sleep(5);
        await this.transport.discardInput();
      }
    }
    throw last;
  }

  /**
   * Run `fn` with every stage of Read/Write Memory awaited on its own, so a NACK is attributed to the stage that
   * drew it (the flashing sequence's last attempt after repeated refusals).
   */
  async stepwise<T>(fn: () => Promise<T>): Promise<T> {
    const pipeline = this.pipeline;
    this.pipeline = false;
    try {
      return await fn();
    } finally {
      this.pipeline = pipeline;
    }
  }

  /** Discard input until nothing has arrived for `quietMs`, or `maxMs` have passed (a device that never stops). */
  private async drainUntilQuiet(quietMs: number, maxMs: number): Promise<void> {
    const deadline = this.clock.now() + maxMs;
    await this.transport.discardInput();
    while (this.clock.now() < deadline) {
      try {
        await this.transport.read(1, Math.min(quietMs, Math.max(1, deadline - this.clock.now())));
      } catch (e) {
        if (isFlashError(e, 'FLASH_TIMEOUT')) return;
        throw e;
      }
      await this.transport.discardInput();
    }
  }

  private async afterReset(): Promise<void> {
    // Protection may have changed with the reset.
    this.memoryCommandsAccepted = false;
    await this.clock.sleep(this.timeouts.resetSettle);
    await this.sync();
  }

  private eraseTimeout(sectors: number): number {
    return this.timeouts.eraseBase + sectors * this.timeouts.erasePerSector;
  }

  private async command(code: number): Promise<void> {
    await this.transport.write(Uint8Array.of(code, code ^ 0xff));
    await this.ack(commandName(code), this.timeouts.read, 'command');
  }

  private async send(bytes: Uint8Array, what: string, stage: NackStage, timeoutMs = this.timeouts.read): Promise<void> {
    await this.transport.write(bytes);
    await this.ack(what, timeoutMs, stage);
  }

  /** One ACK; BUSY bytes are skipped while the overall timeout lasts. */
  private async ack(what: string, timeoutMs: number, stage: NackStage = 'data'): Promise<void> {
    const deadline = this.clock.now() + timeoutMs;
    for (;;) {
      const left = Math.max(1, deadline - this.clock.now());
      let b: number;
      try {
        [b] = await this.transport.read(1, left);
      } catch (e) {
        if (isFlashError(e, 'FLASH_TIMEOUT')) throw new FlashError('FLASH_TIMEOUT', `no ACK for ${what} within ${timeoutMs} ms`);
        throw e;
      }
      if (b === ACK) return;
      if (b === NACK) throw new NackError(what, stage);
      if (b === BUSY) continue;
      throw new FlashError('FLASH_PROTOCOL', `expected ACK for ${what}, got 0x${b.toString(16).padStart(2, '0')} (corrupted line or wrong baud rate?)`);
    }
  }

  private read(length: number): Promise<Uint8Array> {
    return this.transport.read(length, this.timeouts.read);
  }
}

/** Write Memory's data stage: N-1, the bytes, their XOR with N-1. */
function writeFrame(data: Uint8Array): Uint8Array {
  const frame = new Uint8Array(data.length + 2);
  frame[0] = data.length - 1;
  frame.set(data, 1);
  frame[frame.length - 1] = xorAll(data, data.length - 1);
  return frame;
}

function checkLength(length: number): void {
  if (!Number.isInteger(length) || length < 1 || length > MAX_BLOCK) throw new FlashError('FLASH_PROTOCOL', `block length ${length} is outside 1..${MAX_BLOCK}`);
}

export function hex(v: number): string {
  return v.toString(16).padStart(8, '0');
}

export function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
