import { Command } from 'commander';
import { flashMethodFor, flashMethodText, flashOptionsFor, loadTarget } from '@tinyforge/boards';
import { FlashImageOptions, flashImage, FlashProtocol, FlashResult, listPorts, ResetMode, SerialTransport, stm32Info } from '@tinyforge/flasher';
import { UsageError } from '../cli-error';
import { commandProgress, flashProgress } from '../progress';
import { CommandIO, formatTable, humanBytes, printable } from '../output';

export interface FlashCommandOptions {
  port?: string;
  board?: string;
  protocol?: string;
  baud?: string;
  address?: string;
  parity?: string;
  verify: boolean;
  pipeline: boolean;
  go?: boolean;
  erase: string;
  reset?: string;
  touch?: boolean;
  unprotect?: string;
  force?: boolean;
  list?: boolean;
  json?: boolean;
  verbose?: boolean;
}

function parseNumber(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = /^0x[0-9a-f]+$/i.test(text) ? parseInt(text, 16) : /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < 0 || n > 0xffffffff) throw new UsageError(`${flag} needs a number (decimal or 0x hex), got '${text}'`);
  return n;
}

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!allowed.includes(value as T)) throw new UsageError(`${flag} must be one of ${allowed.join(', ')}, got '${value}'`);
  return value as T;
}

/** Command-line options (plus, with --board, the board file through flashOptionsFor) → flashImage options. */
export function flashOptionsFrom(image: string, o: FlashCommandOptions): FlashImageOptions {
  const protocol = oneOf('--protocol', o.protocol, ['stm32', 'samba', 'msd'] as const);
  const given = {
    image,
    port: o.port,
    address: parseNumber('--address', o.address),
    baudRate: parseNumber('--baud', o.baud),
    parity: oneOf('--parity', o.parity, ['even', 'none'] as const),
    verify: o.verify,
    pipeline: o.pipeline,
    go: o.go,
    erase: oneOf('--erase', o.erase, ['auto', 'all'] as const),
    reset: oneOf('--reset', o.reset, ['dtr', 'rts', 'none'] as const) as ResetMode | undefined,
    touch: o.touch,
    unprotect: oneOf('--unprotect', o.unprotect, ['read', 'write'] as const),
    force: o.force,
  };
  if (o.board !== undefined) return flashOptionsFor(loadTarget(o.board), { ...given, protocol });
  if (protocol === undefined) throw new UsageError('say how to flash: --protocol stm32|samba|msd, or --board NAME');
  if (o.port === undefined) throw new UsageError(protocol === 'msd' ? "--port must name the mounted drive (e.g. /media/$USER/<the board's drive label>; --board NAME finds it)" : '--port is required (see `flash --list`)');
  return { ...given, protocol, port: o.port };
}

function summary(r: FlashResult): string {
  const secs = `${(r.totalMs / 1000).toFixed(2)} s`;
  if (r.protocol === 'stm32') {
    const dev = r.device ? `${r.device} (0x${r.productId.toString(16)})` : `product 0x${r.productId.toString(16)}`;
    return `flashed ${humanBytes(r.bytes)} to ${dev} in ${secs}: ${r.sectorsErased.length} sector(s) erased, ${r.blocks} blocks, verified: ${r.verified}, retries: ${r.retries}${r.started ? ', started' : ''}`;
  }
  if (r.protocol === 'samba') return `flashed ${humanBytes(r.bytes)} over SAM-BA (${printable(r.version)}) in ${secs}, verified: ${r.verified}${r.started ? ', started' : ''}`;
  return `copied ${humanBytes(r.bytes)} as ${r.format.toUpperCase()} to ${printable(r.file, 200)} in ${secs} (${r.completion})`;
}

export async function runFlash(image: string | undefined, o: FlashCommandOptions, io: CommandIO): Promise<void> {
  if (o.list) {
    const ports = await listPorts();
    if (o.json) return io.out(JSON.stringify(ports, null, 2));
    if (ports.length === 0) return io.out('no serial ports found');
    return io.out(formatTable([{ header: 'port' }, { header: 'usb id' }, { header: 'manufacturer' }, { header: 'guess' }], ports.map((p) => [p.path, p.vendorId ? `${p.vendorId}:${p.productId}` : '-', printable(p.manufacturer ?? '-'), p.guess ?? '-'])));
  }
  if (image === undefined) throw new UsageError('give an image to flash (ELF, HEX, or BIN with --address), `info`, or --list');
  if (image === 'info') {
    const opts = flashOptionsFrom(image, { ...o, protocol: o.protocol ?? 'stm32' });
    if (opts.protocol !== 'stm32') throw new UsageError('`flash info` speaks the STM32 bootloader only');
    const t = await SerialTransport.open({ path: opts.port, baudRate: opts.baudRate ?? 115200, parity: opts.parity ?? 'even' });
    try {
      const info = await stm32Info(t, { reset: opts.reset, flash: opts.flash });
      if (o.json) return io.out(JSON.stringify(info, null, 2));
      const map = info.flash ? `flash 0x${info.flash.base.toString(16)}: ${info.flash.sectors.map((s) => `${s.count}×${humanBytes(s.size)}`).join(' + ')}` : 'flash map unknown (give --board)';
      return io.out(`${info.device ?? 'unknown device'} (product id 0x${info.productId.toString(16)}), bootloader ${info.bootloaderVersion}\nreadout protection: ${info.readoutProtected ? 'ACTIVE' : 'off'}\n${map}\ncommands: ${info.commands.join(', ')}`);
    } finally {
      await t.close();
    }
  }
  const options = flashOptionsFrom(image, o);
  if (o.board !== undefined && !o.json) {
    // Which of the board's ways was chosen (the port's kind picks a serial or a drive method), and what it needs.
    const target = loadTarget(o.board);
    const method = flashMethodFor(target, { port: o.port, protocol: o.protocol as FlashProtocol | undefined }); // --protocol checked above
    io.err(`note: flashing ${target.name} by ${flashMethodText(method, target.kind)}${method.notes ? `: ${printable(method.notes, 400)}` : ''}`);
  }
  let phase = '';
  // On a terminal: one line per phase redrawn with bytes done/total, rate and ETA; else the phase names.
  const progress = commandProgress(o.json);
  const bar = flashProgress(progress, 'flash');
  const result = await flashImage({
    ...options,
    onProgress: (p) => {
      if (progress.enabled) bar(p);
      else if (!o.json && p.phase !== phase) io.err(`${(phase = p.phase)}…`);
    },
    onNote: (m) => io.err(`note: ${m}`),
  });
  bar({ phase: 'done', done: 0, total: 0 });
  io.out(o.json ? JSON.stringify(result, null, 2) : summary(result));
}

export function registerFlashCommand(program: Command, io: CommandIO): void {
  program
    .command('flash')
    .description('flash a firmware image (ELF, Intel HEX, BIN) over the STM32 USART bootloader, SAM-BA or a USB drive; `flash info`, `flash --list`')
    .argument('[image]', 'the image file, or `info` to identify the chip')
    .option('--port <port>', 'serial port, or the mounted drive (with --board, a serial device selects the board\'s serial method and a folder its drive method)')
    .option('--board <name>', 'board file giving the protocol, flash map, baud rate and reset wiring')
    .option('--protocol <name>', 'stm32 | samba | msd')
    .option('--baud <n>', 'baud rate (default 115200)')
    .option('--address <a>', 'load address of a raw BIN image (e.g. 0x08000000)')
    .option('--parity <p>', 'even (AN3155 default) | none (pseudo-terminals drop parity)')
    .option('--no-verify', 'skip verification (the image is still only started when asked with --go)')
    .option('--go', 'start the image after it is written and verified')
    .option('--no-pipeline', 'STM32: wait for every ACK of Read/Write Memory (slower; for bootloaders that overrun)')
    .option('--erase <mode>', 'auto: only the sectors the image touches; all: mass erase', 'auto')
    .option('--reset <line>', 'dtr | rts | none: the modem line wired to NRST (the other drives BOOT0)')
    .option('--touch', 'SAM-BA: 1200-baud touch to enter the bootloader first')
    .option('--unprotect <what>', 'STM32: remove write protection (write) or readout protection (read: MASS-ERASES the chip, needs --force)')
    .option('--force', 'allow --unprotect read to mass-erase the chip')
    .option('--list', 'list serial ports with USB ids and a guess of the board')
    .option('--json', 'print a machine-readable result on stdout')
    .option('--verbose', 'print stack traces on errors')
    .action((image: string | undefined, opts: FlashCommandOptions) => runFlash(image, opts, io));
}
