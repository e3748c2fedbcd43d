import { FlashError, isFlashError } from '../../errors';
import { FlashImage, imageSize } from '../../image/image';
import { ProgressCallback } from '../../progress';
import { systemClock } from '../../transport/clock';
import { Transport } from '../../transport/transport';
import { BootloaderInfo, NackError, Stm32Client, Stm32Timeouts } from './client';
import { Cmd, stm32Crc } from './constants';
import { findStm32Device } from './devices';
import { checkFitsFlash, FlashLayout, listSectors, planErase, planWrites, WriteBlock } from './flash-map';
import { ResetMode, resetIntoApplication, resetIntoBootloader } from './reset-lines';

export type VerifyMode = 'auto' | 'checksum' | 'readback' | 'none';

export interface Stm32FlashOptions {
  /** Flash organisation from the board file; else looked up by product id. */
  flash?: FlashLayout;
  erase?: 'auto' | 'all';
  verify?: VerifyMode;
  /** Start the image after a verified write: Go to this address (default: flash base). */
  go?: boolean | number;
  reset?: ResetMode;
  /**
   * Remove protection before flashing. 'write' clears write protection; 'read' removes readout protection, which
   * MASS-ERASES the chip and so needs `force`.
   */
  unprotect?: 'read' | 'write';
  force?: boolean;
  /**
   * Before erasing, compare the bootloader's Get Checksum of every range the image writes with the image's CRC: when
   * all match, the board already holds this image and nothing is erased or written (`unchanged` in the result). A
   * bootloader without Get Checksum is flashed as usual.
   */
  skipUnchanged?: boolean;
  /** Send Read/Write Memory stages back to back (default true; see Stm32Client). */
  pipeline?: boolean;
  /**
   * Write Memory commands in flight before their ACKs are awaited (default 1, as AN3155 draws it). More only for a
   * bootloader that holds incoming bytes while it writes (a virtual board; see Stm32Client.writeMemoryBlocks): a
   * real chip loses them. A group that fails is rewritten one command at a time with the usual retries.
   */
  writeWindow?: number;
  /** Attempts per command beyond the first, where the protocol allows a retry. */
  retries?: number;
  syncAttempts?: number;
  timeouts?: Partial<Stm32Timeouts>;
  baudRate?: number;
  onProgress?: ProgressCallback;
  /** Warnings and notes for the user (e.g. reset lines unavailable). */
  onNote?: (message: string) => void;
}

export interface Stm32FlashResult {
  protocol: 'stm32';
  productId: number;
  device?: string;
  bootloaderVersion: number;
  bytes: number;
  blocks: number;
  sectorsErased: number[];
  verified: 'checksum' | 'readback' | 'none';
  /** The board already held the image (skipUnchanged, checked by CRC): nothing was erased or written. */
  unchanged: boolean;
  retries: number;
  started: boolean;
  writeMs: number;
  totalMs: number;
}

const RETRYABLE = new Set(['FLASH_NACK', 'FLASH_TIMEOUT', 'FLASH_PROTOCOL']);

/** Connect, erase what the image touches, write, verify, and only then (optionally) start the image. */
export async function flashStm32(transport: Transport, image: FlashImage, options: Stm32FlashOptions = {}): Promise<Stm32FlashResult> {
  const clock = transport.clock ?? systemClock;
  const t0 = clock.now();
  const session = new Session(transport, options);
  const progress = options.onProgress ?? (() => undefined);

  progress({ phase: 'reset', done: 0, total: 1 });
  const resetMode = options.reset ?? 'none';
  if (resetMode !== 'none' && !(await resetIntoBootloader(transport, resetMode))) {
    options.onNote?.(`--reset ${resetMode}: this port has no DTR/RTS lines; enter the bootloader by hand if sync fails`);
  }

  if (options.unprotect === 'read' && !options.force) {
    throw new FlashError('FLASH_NEEDS_FORCE', 'removing readout protection mass-erases the whole chip (all flash, including data you may want to keep)', 'add --force if that is what you want');
  }
  progress({ phase: 'connect', done: 0, total: 1 });
  const info = await session.connect();
  if (options.unprotect === 'read') {
    options.onNote?.('removing readout protection: the chip is being mass-erased');
    await session.client.readoutUnprotect();
  } else if (options.unprotect === 'write') {
    await session.client.writeUnprotect();
  }
  const device = findStm32Device(info.productId);
  const layout = options.flash ?? device?.flash;
  if (!layout) {
    throw new FlashError('FLASH_UNSUPPORTED', `unknown STM32 product id 0x${info.productId.toString(16)}`, 'give the flash map in the board file (flash.base, sectors)');
  }
  checkFitsFlash(layout, image.segments);

  const client = session.client;
  const blocks = planWrites(image.segments, layout.writeAlign);
  const total = blocks.reduce((n, b) => n + b.data.length, 0);
  const unchanged = options.skipUnchanged === true && options.erase !== 'all' && client.supports(Cmd.GetChecksum) && (await session.holds(blocks));
  let sectors: number[] = [];
  let writeMs = 0;
  let verified: Stm32FlashResult['verified'] = 'checksum';
  if (!unchanged) {
    sectors = options.erase === 'all' ? listSectors(layout).map((s) => s.index) : planErase(layout, image.segments);
    progress({ phase: 'erase', done: 0, total: sectors.length });
    if (options.erase === 'all') await session.retry('mass erase', 'erase', () => client.massErase());
    else await session.eraseSectors(sectors);
    progress({ phase: 'erase', done: sectors.length, total: sectors.length });

    const tw = clock.now();
    await session.writeBlocks(blocks, (done) => progress({ phase: 'write', done, total }));
    writeMs = clock.now() - tw;

    verified = await session.verify(blocks, layout, options.verify ?? 'auto', (done) => progress({ phase: 'verify', done, total }));
  }

  let started = false;
  if (options.go !== undefined && options.go !== false) {
    const address = typeof options.go === 'number' ? options.go : layout.base;
    progress({ phase: 'start', done: 0, total: 1 });
    await session.retry(`Go 0x${address.toString(16)}`, 'go', () => client.go(address));
    started = true;
  } else if (resetMode !== 'none') {
    started = await resetIntoApplication(transport, resetMode);
  }
  if (device?.bootSelectionNote) options.onNote?.(device.bootSelectionNote);

  return {
    protocol: 'stm32',
    productId: info.productId,
    device: device?.name,
    bootloaderVersion: info.version,
    bytes: imageSize(image),
    blocks: blocks.length,
    sectorsErased: sectors,
    verified,
    unchanged,
    retries: session.retries,
    started,
    writeMs,
    totalMs: clock.now() - t0,
  };
}

/** One flashing session: the client plus the retry policy and its counters. */
class Session {
  readonly client: Stm32Client;
  retries = 0;
  private readonly maxRetries: number;

  constructor(
    transport: Transport,
    private readonly options: Stm32FlashOptions,
  ) {
    this.client = new Stm32Client(transport, options.timeouts, options.baudRate, options.pipeline ?? true);
    this.maxRetries = options.retries ?? 3;
  }

  async connect(): Promise<BootloaderInfo> {
    await this.client.sync(this.options.syncAttempts ?? 4);
    const c = this.client;
    const { version, commands } = await this.retry('Get', 'info', () => c.get());
    const { optionBytes } = await this.retry('Get Version', 'info', () => c.getVersion());
    const productId = await this.retry('Get ID', 'info', () => c.getId());
    c.info = { version, commands, optionBytes, productId };
    return c.info;
  }

  async eraseSectors(sectors: number[]): Promise<void> {
    // Small requests keep a retry cheap and the timeout proportional; page-erase families have hundreds of pages.
    const PER_REQUEST = 16;
    for (let i = 0; i < sectors.length; i += PER_REQUEST) {
      const group = sectors.slice(i, i + PER_REQUEST);
      const what = group.length === 1 ? `erase of sector ${group[0]}` : `erase of sectors ${group[0]}..${group[group.length - 1]}`;
      await this.retry(what, 'erase', () => this.client.eraseSectors(group));
    }
  }

  async writeBlocks(blocks: WriteBlock[], onDone: (bytes: number) => void): Promise<void> {
    const window = Math.max(1, Math.floor(this.options.writeWindow ?? 1));
    let done = 0;
    for (let i = 0; i < blocks.length; i += window) {
      const group = blocks.slice(i, i + window);
      if (!(group.length > 1 && (await this.writeGroup(group)))) {
        for (const b of group) await this.retry(`write at 0x${b.address.toString(16)}`, 'write', () => this.client.writeMemory(b.address, b.data));
      }
      done += group.reduce((n, b) => n + b.data.length, 0);
      onDone(done);
    }
  }

  /** Write a group in one round trip; false (the bootloader brought back to its prompt) when any of it failed. */
  private async writeGroup(group: WriteBlock[]): Promise<boolean> {
    try {
      await this.client.writeMemoryBlocks(group);
      return true;
    } catch (e) {
      if (!(e instanceof FlashError) || !RETRYABLE.has(e.code)) throw e;
      this.retries++;
      await this.client.recover().catch((r) => {
        if (isFlashError(r, 'FLASH_PORT_CLOSED')) throw r;
      });
      return false;
    }
  }

  /** Whether the flash already holds every block: one Get Checksum per contiguous run, compared with the image's CRC. */
  async holds(blocks: WriteBlock[]): Promise<boolean> {
    for (const run of contiguousRuns(blocks)) {
      const data = concat(run.map((b) => b.data));
      if (data.length % 4 !== 0 || run[0].address % 4 !== 0) return false;
      const crc = await this.retry(`checksum at 0x${run[0].address.toString(16)}`, 'verify', () => this.client.getChecksum(run[0].address, data.length));
      if (crc !== stm32Crc(data)) return false;
    }
    return true;
  }

  /**
   * Checksum per block run where the bootloader has Get Checksum, else read-back. Blocks that differ get their
   * sectors erased and rewritten once (a marginal cell or a write the line garbled after the ACK); a second
   * mismatch is FLASH_VERIFY.
   */
  async verify(blocks: WriteBlock[], layout: FlashLayout, mode: VerifyMode, onDone: (bytes: number) => void): Promise<'checksum' | 'readback' | 'none'> {
    if (mode === 'none') return 'none';
    const useChecksum = mode === 'checksum' || (mode === 'auto' && this.client.supports(Cmd.GetChecksum));
    if (mode === 'checksum' && !this.client.supports(Cmd.GetChecksum)) {
      throw new FlashError('FLASH_UNSUPPORTED', 'this bootloader has no Get Checksum command', 'use --verify readback');
    }
    let bad = await this.findMismatches(blocks, useChecksum, onDone);
    if (bad.length === 0) return useChecksum ? 'checksum' : 'readback';

    const sectors = listSectors(layout).filter((s) => bad.some((b) => s.address < b.address + b.data.length && b.address < s.address + s.size));
    await this.eraseSectors(sectors.map((s) => s.index));
    const redo = blocks.filter((b) => sectors.some((s) => s.address < b.address + b.data.length && b.address < s.address + s.size));
    await this.writeBlocks(redo, () => undefined);
    bad = await this.findMismatches(redo, false, () => undefined);
    if (bad.length > 0) {
      throw new FlashError('FLASH_VERIFY', `flash at 0x${bad[0].address.toString(16)} still differs from the image after a rewrite (${bad.length} block(s))`, 'the flash may be worn or the sector locked; try --erase all');
    }
    return useChecksum ? 'checksum' : 'readback';
  }

  private async findMismatches(blocks: WriteBlock[], useChecksum: boolean, onDone: (bytes: number) => void): Promise<WriteBlock[]> {
    const bad: WriteBlock[] = [];
    let done = 0;
    for (const run of contiguousRuns(blocks)) {
      if (useChecksum) {
        const start = run[0].address;
        const data = concat(run.map((b) => b.data));
        const crc = await this.retry(`checksum at 0x${start.toString(16)}`, 'verify', () => this.client.getChecksum(start, data.length));
        done += data.length;
        onDone(done);
        if (crc === stm32Crc(data)) continue;
      }
      for (const b of run) {
        if (!(await this.blockMatches(b))) bad.push(b);
        if (!useChecksum) {
          done += b.data.length;
          onDone(done);
        }
      }
    }
    return bad;
  }

  /** Read back one block; a mismatch is re-read once, since the read itself may have been garbled on the line. */
  private async blockMatches(b: WriteBlock): Promise<boolean> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const got = await this.retry(`read at 0x${b.address.toString(16)}`, 'read', () => this.client.readMemory(b.address, b.data.length));
      if (equal(got, b.data)) return true;
    }
    return false;
  }

  /**
   * Run one command with bounded retries. When it was refused (NACK) and every retry is used up, the last attempt
   * runs from a confirmed prompt with each stage awaited on its own: the stage that refuses then says what the
   * refusal means (see `classify`), whatever the timing of the earlier, pipelined attempts.
   */
  async retry<T>(what: string, kind: CommandKind, fn: () => Promise<T>): Promise<T> {
    const errors: FlashError[] = [];
    let probe = false;
    for (let attempt = 0; attempt <= this.maxRetries; attempt++) {
      try {
        return probe ? await this.client.stepwise(fn) : await fn();
      } catch (e) {
        if (!(e instanceof FlashError) || !RETRYABLE.has(e.code)) throw e;
        errors.push(e);
        if (attempt === this.maxRetries) break;
        this.retries++;
        const lastChance = attempt + 1 === this.maxRetries && errors.some((x) => x instanceof NackError);
        probe = (await this.resync(e, lastChance)) && lastChance;
      }
    }
    throw classify(what, kind, errors, probe);
  }

  /** Returns true when the bootloader is proven back at its prompt (a Get answered in full). */
  private async resync(e: FlashError, full: boolean): Promise<boolean> {
    try {
      // A NACK of the data stage leaves the bootloader at its command prompt. An earlier NACK may come from a stray
      // byte pairing with ours (odd parity in its command parser) or leave pipelined bytes to be read as commands,
      // and anything else may have left it mid-command: those need the full recovery.
      if (!full && e instanceof NackError && e.stage === 'data') {
        await this.client.transport.discardInput();
        return false;
      }
      await this.client.recover();
      return true;
    } catch (r) {
      if (isFlashError(r, 'FLASH_PORT_CLOSED')) throw r;
      // Recovery failing is not final: the next attempt finds out, and its error is the one reported.
      return false;
    }
  }
}

type CommandKind = 'info' | 'erase' | 'write' | 'read' | 'verify' | 'go';

/**
 * The error a command that failed every attempt is reported with. Protection is named only from a refusal that
 * repeated and whose last instance came from the stepwise probe (`probed`): there, a NACK of the opcode of a
 * memory/erase/Go command means readout protection (AN3155: only Get, Get Version, Get ID and Readout Unprotect
 * are allowed then), and a NACK of a well-formed write/erase's data means the sector is write-protected.
 */
function classify(what: string, kind: CommandKind, errors: FlashError[], probed: boolean): FlashError {
  const last = errors[errors.length - 1];
  const nacks = errors.filter((e) => e instanceof NackError).length;
  if (probed && last instanceof NackError && nacks >= 2 && kind !== 'info') {
    if (last.stage === 'command') {
      return new FlashError('FLASH_PROTECTED', `${what} refused at every attempt: readout protection is active`, 'remove it with --unprotect read --force (this MASS-ERASES the chip)');
    }
    if (last.stage === 'data' && (kind === 'write' || kind === 'erase')) {
      return new FlashError('FLASH_PROTECTED', `${what} refused at every attempt: the sector is write-protected`, 'remove write protection with --unprotect write');
    }
  }
  if (errors.length > 1) {
    // last.message already carries its hint.
    return new FlashError(last.code as 'FLASH_NACK', `${last.message} (after ${errors.length} attempts)`);
  }
  return last;
}

function contiguousRuns(blocks: WriteBlock[]): WriteBlock[][] {
  const runs: WriteBlock[][] = [];
  for (const b of blocks) {
    const run = runs[runs.length - 1];
    const prev = run?.[run.length - 1];
    if (prev && prev.address + prev.data.length === b.address) run.push(b);
    else runs.push([b]);
  }
  return runs;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
