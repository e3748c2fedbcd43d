import * as fs from 'fs';
import * as os from 'os';
import { FlashImageOptions, FlashProtocol } from '@tinyforge/flasher';
import { BoardError } from './errors';
import { Target } from './load';
import { FlashMethod } from './schema';

export type FlashMethodName = FlashMethod['method'];

/** The flasher protocol that serves each board.json flashing method. */
const PROTOCOL_OF: Record<FlashMethodName, FlashProtocol> = { an3155: 'stm32', samba: 'samba', msd: 'msd', uf2: 'msd' };

/** What the caller knows besides the board: the image, the port, and any option it sets itself. */
export interface FlashRequest extends Partial<Omit<FlashImageOptions, 'protocol'>> {
  image: FlashImageOptions['image'];
  /** The board.json method to use by name, or ... */
  method?: FlashMethodName;
  /** ... the first method the flasher serves with this protocol; neither given: the board's first method. */
  protocol?: FlashProtocol;
}

/**
 * flashImage options for a target: one of its board.json flashing methods mapped to the flasher's protocol, flash
 * map, baud rate, parity, reset wiring and drive, with what the caller sets (`request`) taking precedence.
 */
export function flashOptionsFor(target: Target, request: FlashRequest): FlashImageOptions {
  const { method: wantedMethod, protocol: wantedProtocol, ...given } = request;
  const method = target.flashing.find((m) => (wantedMethod === undefined || m.method === wantedMethod) && (wantedProtocol === undefined || PROTOCOL_OF[m.method] === wantedProtocol));
  if (method === undefined) {
    const wanted = wantedMethod ?? `${wantedProtocol} protocol`;
    throw new BoardError('BOARD_FLASH', `${target.name} has no ${wanted} flashing method (it has ${target.flashing.map((m) => m.method).join(', ')})`, { file: target.file });
  }
  const fromBoard = boardOptions(target, method);
  const port = given.port ?? fromBoard.port;
  if (port === undefined) {
    const hint = method.method === 'msd' || method.method === 'uf2' ? `the mounted ${method.volumeLabel} drive (not found under /media or /run/media)` : 'the serial port (see `tinyforge flash --list`)';
    throw new BoardError('BOARD_FLASH', `no port to flash ${target.name} through: name ${hint}`, { file: target.file });
  }
  const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as Partial<FlashImageOptions>;
  return { ...fromBoard, ...defined, image: request.image, protocol: PROTOCOL_OF[method.method], port };
}

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
        ...(reset !== undefined && boot0 !== undefined && boot0 !== reset ? { reset } : {}),
      };
    }
    case 'samba':
      return { samba: { appStart: method.offset, flashSize: target.flash.base + target.flash.size }, touch: true };
    case 'uf2':
      return { msd: { format: 'uf2', familyId: method.familyId }, port: findVolume(method.volumeLabel) };
    case 'msd':
      return { msd: { format: 'bin', flashBase: target.flash.base }, port: findVolume(method.volumeLabel) };
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
