import * as fs from 'fs';
import * as os from 'os';
import { FlashImageOptions, FlashProtocol } from '@tinyforge/flasher';
import { BoardError } from './errors';
import { Target } from './load';
import { FlashMethod } from './schema';

export type FlashMethodName = FlashMethod['method'];

/** The flasher protocol that serves each board.json flashing method. */
const PROTOCOL_OF: Record<FlashMethodName, FlashProtocol> = { an3155: 'stm32', samba: 'samba', msd: 'msd', uf2: 'msd' };

/** What a --port names: a serial device (the methods that speak a bootloader protocol) or a mounted USB drive. */
export type PortKind = 'serial' | 'drive';
const PORT_KIND_OF: Record<FlashMethodName, PortKind> = { an3155: 'serial', samba: 'serial', msd: 'drive', uf2: 'drive' };

/**
 * Whether `port` is a serial device or a mounted drive: a folder is a drive, a character device or a /dev/… or COMn
 * name a serial port; undefined when it cannot be told (nothing there, or a plain file).
 */
export function portKind(port: string): PortKind | undefined {
  try {
    const st = fs.statSync(port);
    if (st.isDirectory()) return 'drive';
    if (st.isCharacterDevice()) return 'serial';
  } catch {
    // not there (yet): judge by the name
  }
  return /^\/dev\//.test(port) || /^COM\d+$/i.test(port) ? 'serial' : undefined;
}

/** How a board is flashed, one phrase per board.json method (for the flash command's note, hints and the README). */
export function flashMethodText(method: FlashMethod, kind: Target['kind'] = 'hardware'): string {
  switch (method.method) {
    case 'an3155':
      return `serial: ${kind === 'virtual' ? "tinyforge's AN3155 bootloader on the emulated UART" : 'STM32 ROM bootloader (AN3155)'} at ${method.baud} baud${method.parity === 'even' ? ' 8E1' : ' 8N1'}`;
    case 'samba':
      return 'serial: SAM-BA bootloader (1200-baud touch)';
    case 'msd':
      return `USB drive ${method.volumeLabel} (copy the .bin)`;
    case 'uf2':
      return `USB drive ${method.volumeLabel} (copy the .uf2)`;
  }
}

/** What the caller knows besides the board: the image, the port, and any option it sets itself. */
export interface FlashRequest extends Partial<Omit<FlashImageOptions, 'protocol'>> {
  image: FlashImageOptions['image'];
  /** The board.json method to use by name, or ... */
  method?: FlashMethodName;
  /** ... the first method the flasher serves with this protocol; neither given: the board's first method. */
  protocol?: FlashProtocol;
}

/**
 * The board.json flashing method a request uses: the one named, else the first the asked protocol serves, else the
 * first of the kind the port is (a serial device or a mounted drive), else the board's first.
 */
export function flashMethodFor(target: Target, request: Pick<FlashRequest, 'method' | 'protocol' | 'port'>): FlashMethod {
  const { method: wantedMethod, protocol: wantedProtocol, port } = request;
  const kind = wantedMethod === undefined && wantedProtocol === undefined && port !== undefined ? portKind(port) : undefined;
  const method = target.flashing.find(
    (m) => (wantedMethod === undefined || m.method === wantedMethod) && (wantedProtocol === undefined || PROTOCOL_OF[m.method] === wantedProtocol) && (kind === undefined || PORT_KIND_OF[m.method] === kind),
  );
  if (method !== undefined) return method;
  const ways = target.flashing.map((m) => flashMethodText(m, target.kind)).join('; ');
  if (kind !== undefined) {
    const what = kind === 'serial' ? 'a serial port' : 'a folder (a mounted drive)';
    throw new BoardError('BOARD_FLASH', `${port} is ${what}, but ${target.name} is not flashed that way: ${ways}`, { file: target.file });
  }
  const wanted = wantedMethod ?? `${wantedProtocol} protocol`;
  throw new BoardError('BOARD_FLASH', `${target.name} has no ${wanted} flashing method (it is flashed by ${ways})`, { file: target.file });
}

/**
 * flashImage options for a target: one of its board.json flashing methods mapped to the flasher's protocol, flash
 * map, baud rate, parity, reset wiring and drive, with what the caller sets (`request`) taking precedence.
 */
export function flashOptionsFor(target: Target, request: FlashRequest): FlashImageOptions {
  const { method: _method, protocol: _protocol, ...given } = request;
  const method = flashMethodFor(target, request);
  const fromBoard = boardOptions(target, method);
  const port = given.port ?? fromBoard.port;
  if (port === undefined) {
    const hint =
      method.method === 'msd' || method.method === 'uf2'
        ? `the mounted ${method.volumeLabel} drive (not found at /media/$USER/${method.volumeLabel}, /media/${method.volumeLabel} or /run/media/$USER/${method.volumeLabel}): give its folder as --port`
        : 'the serial port (see `tinyforge flash --list`)';
    throw new BoardError('BOARD_FLASH', `no port to flash ${target.name} through: name ${hint}`, { file: target.file });
  }
  const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as Partial<FlashImageOptions>;
  return { ...fromBoard, ...defined, image: request.image, protocol: PROTOCOL_OF[method.method], port };
}

/** Write Memory commands in flight to a virtual board: 4 × 265 bytes, about the semihosting console's 1 KiB FIFO. */
const VIRTUAL_WRITE_WINDOW = 4;

function boardOptions(target: Target, method: FlashMethod): Partial<FlashImageOptions> {
  switch (method.method) {
    case 'an3155': {
      // With BOOT0 and NRST on two different modem lines the flasher can reset into the bootloader itself.
      const reset = modemLine(method.reset);
      const boot0 = modemLine(method.boot0);
      return {
        flash: { base: method.flashBase, sectors: method.sectors, writeAlign: 4 },
        baudRate: method.baud,
        parity: method.parity,
        // A virtual board's bootloader reads QEMU's chardev, which holds the host's bytes (flow control, no loss)
        // while it writes a block: several Write Memory commands may be in flight. A real chip's USART drops them.
        ...(target.kind === 'virtual' ? { writeWindow: VIRTUAL_WRITE_WINDOW } : {}),
        ...(reset !== undefined && boot0 !== undefined && boot0 !== reset ? { reset } : {}),
      };
    }
    case 'samba':
      return { samba: { appStart: method.offset, flashSize: target.flash.base + target.flash.size }, touch: true };
    case 'uf2':
      return { msd: { format: 'uf2', familyId: method.familyId, volumeLabel: method.volumeLabel }, port: findVolume(method.volumeLabel) };
    case 'msd':
      return { msd: { format: 'bin', flashBase: target.flash.base, volumeLabel: method.volumeLabel }, port: findVolume(method.volumeLabel) };
  }
}

function modemLine(line: string): 'dtr' | 'rts' | undefined {
  return line === 'dtr' || line === '-dtr' ? 'dtr' : line === 'rts' || line === '-rts' ? 'rts' : undefined;
}

/** A mounted drive with this volume label, where desktop Linux mounts them. */
function findVolume(label: string): string | undefined {
  const user = os.userInfo().username;
  return [`/media/${user}/${label}`, `/media/${label}`, `/run/media/${user}/${label}`].find((p) => fs.existsSync(p));
}
