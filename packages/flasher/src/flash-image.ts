import * as fs from 'fs';
import { SerialPort } from 'serialport';
import { FlashError } from './errors';
import { FlashImage } from './image/image';
import { loadImageFile } from './image/load-image';
import { ProgressCallback } from './progress';
import { flashMsd, MsdFlashOptions, MsdFlashResult } from './protocols/msd/flash-msd';
import { checkSambaImage, flashSamba, SambaFlashOptions, SambaFlashResult, touch1200 } from './protocols/samba/flash-samba';
import { Stm32Client, Stm32Timeouts } from './protocols/stm32/client';
import { commandName } from './protocols/stm32/constants';
import { findStm32Device } from './protocols/stm32/devices';
import { checkFitsFlash, FlashLayout } from './protocols/stm32/flash-map';
import { flashStm32, Stm32FlashOptions, Stm32FlashResult } from './protocols/stm32/flash-stm32';
import { ResetMode, resetIntoBootloader } from './protocols/stm32/reset-lines';
import { SerialTransport } from './transport/serial-transport';
import { Parity, Transport } from './transport/transport';

export type FlashProtocol = 'stm32' | 'samba' | 'msd';

export interface FlashImageOptions {
  /** A loaded image, or a file (ELF, Intel HEX, or BIN with `address`). */
  image: FlashImage | string;
  address?: number;
  protocol: FlashProtocol;
  /** Serial port path, or the mount point of the drive for `msd`. */
  port: string;
  baudRate?: number;
  /** AN3155 is 8E1; pseudo-terminals (QEMU, socat) drop parity and need 'none'. */
  parity?: Parity;
  verify?: boolean;
  go?: boolean;
  erase?: 'auto' | 'all';
  reset?: ResetMode;
  /** Flash map from the board file (STM32). */
  flash?: FlashLayout;
  /** STM32: send Read/Write Memory stages back to back (default true). */
  pipeline?: boolean;
  /** STM32: Write Memory commands in flight (default 1; more only for a bootloader that buffers, see flashStm32). */
  writeWindow?: number;
  /** STM32: skip erase and write when the bootloader's Get Checksum shows the board already holds the image. */
  skipUnchanged?: boolean;
  /** STM32: remove write or readout protection first ('read' mass-erases and needs `force`). */
  unprotect?: 'read' | 'write';
  force?: boolean;
  /** SAM-BA: reset into the bootloader with a 1200-baud touch first. */
  touch?: boolean;
  samba?: Omit<SambaFlashOptions, 'onProgress' | 'go' | 'verify'>;
  msd?: Omit<MsdFlashOptions, 'onProgress'>;
  timeouts?: Partial<Stm32Timeouts>;
  onProgress?: ProgressCallback;
  onNote?: (message: string) => void;
  /** Use this transport instead of opening `port` (tests, emulators). */
  transport?: Transport;
}

export type FlashResult = Stm32FlashResult | SambaFlashResult | MsdFlashResult;

/** The one entry point: load the image, open the port, run the protocol, close the port whatever happens. */
export async function flashImage(options: FlashImageOptions): Promise<FlashResult> {
  const image = typeof options.image === 'string' ? loadImageFile(options.image, { address: options.address }) : options.image;
  // Size and address checks need no board: they come before any port is opened or touched.
  if (options.protocol === 'stm32' && options.flash !== undefined) checkFitsFlash(options.flash, image.segments);
  if (options.protocol === 'samba') checkSambaImage(image, options.samba ?? {});
  if (options.protocol === 'msd') return flashMsd(options.port, image, { ...options.msd, onProgress: options.onProgress });

  if (options.protocol === 'samba' && options.touch && !options.transport) {
    const t = await SerialTransport.open({ path: options.port, baudRate: 1200 });
    await touch1200(t);
    await t.close();
    await waitForPort(options.port, 5000);
  }
  const parity = options.parity ?? (options.protocol === 'stm32' ? 'even' : 'none');
  const baudRate = options.baudRate ?? 115200;
  const transport = options.transport ?? (await SerialTransport.open({ path: options.port, baudRate, parity }));
  try {
    if (options.protocol === 'stm32') {
      const opts: Stm32FlashOptions = {
        flash: options.flash,
        erase: options.erase,
        verify: options.verify === false ? 'none' : 'auto',
        go: options.go,
        reset: options.reset,
        unprotect: options.unprotect,
        force: options.force,
        pipeline: options.pipeline,
        writeWindow: options.writeWindow,
        skipUnchanged: options.skipUnchanged,
        timeouts: options.timeouts,
        baudRate,
        onProgress: options.onProgress,
        onNote: options.onNote,
      };
      return await flashStm32(transport, image, opts);
    }
    return await flashSamba(transport, image, { ...options.samba, verify: options.verify === false ? 'none' : 'auto', go: options.go, onProgress: options.onProgress });
  } finally {
    if (!options.transport) await transport.close();
  }
}

/** After a 1200-baud touch the port disappears and comes back (maybe renamed): wait for it. */
async function waitForPort(path: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  await new Promise((r) => setTimeout(r, 300));
  while (Date.now() < deadline) {
    if (fs.existsSync(path)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new FlashError('FLASH_PORT_OPEN', `${path} did not come back after the 1200-baud touch`, 'the bootloader may enumerate under another name: run `flash --list`');
}

export interface PortInfo {
  path: string;
  vendorId?: string;
  productId?: string;
  manufacturer?: string;
  serialNumber?: string;
  /** What the USB ids suggest is attached, and how to flash it. */
  guess?: string;
}

/** USB ids of common flashing interfaces (vendor:product, lower-case hex). */
export const KNOWN_USB_IDS: Record<string, string> = {
  '0483:374b': 'ST-LINK/V2-1 (Nucleo/Discovery): --protocol msd on its drive, or stm32 over its VCP with BOOT0',
  '0483:374e': 'ST-LINK/V3: --protocol msd on its drive',
  '0483:3752': 'ST-LINK/V2-1: --protocol msd on its drive',
  '0483:df11': 'STM32 in DFU mode (USB DFU is not supported; use the USART bootloader)',
  '2341:804d': 'Arduino Zero/M0 sketch: --protocol samba --touch',
  '2341:004d': 'Arduino Zero/M0 bootloader: --protocol samba',
  '2341:8057': 'Arduino Nano 33 IoT sketch: --protocol samba --touch',
  '2341:805a': 'Arduino Nano 33 BLE sketch: --protocol samba --touch',
  '2e8a:0003': 'RP2040 boot ROM: --protocol msd (UF2) on RPI-RP2',
  '10c4:ea60': 'CP210x USB-UART: --protocol stm32 (wire DTR/RTS to NRST/BOOT0 for --reset)',
  '0403:6001': 'FTDI FT232R USB-UART: --protocol stm32',
  '0403:6015': 'FTDI FT231X USB-UART: --protocol stm32',
  '1a86:7523': 'CH340 USB-UART: --protocol stm32',
};

export async function listPorts(): Promise<PortInfo[]> {
  let ports: Awaited<ReturnType<typeof SerialPort.list>>;
  try {
    ports = await SerialPort.list();
  } catch (e) {
    throw new FlashError('FLASH_UNSUPPORTED', `cannot list serial ports: ${(e as Error).message}`, 'on Linux install the udev package (udevadm)');
  }
  return ports.map((p) => {
    const key = p.vendorId && p.productId ? `${p.vendorId}:${p.productId}`.toLowerCase() : undefined;
    return { path: p.path, vendorId: p.vendorId, productId: p.productId, manufacturer: p.manufacturer, serialNumber: p.serialNumber, guess: key ? KNOWN_USB_IDS[key] : undefined };
  });
}

export interface Stm32Info {
  productId: number;
  device?: string;
  bootloaderVersion: string;
  commands: string[];
  readoutProtected: boolean;
  flash?: FlashLayout;
}

/** `flash info`: identify the chip behind an AN3155 bootloader and probe its readout protection. */
export async function stm32Info(transport: Transport, options: { reset?: ResetMode; timeouts?: Partial<Stm32Timeouts>; flash?: FlashLayout } = {}): Promise<Stm32Info> {
  if (options.reset && options.reset !== 'none') await resetIntoBootloader(transport, options.reset);
  const client = new Stm32Client(transport, options.timeouts);
  const info = await client.connect();
  const device = findStm32Device(info.productId);
  const flash = options.flash ?? device?.flash;
  let readoutProtected = false;
  if (flash) {
    try {
      await client.readMemory(flash.base, 4);
    } catch (e) {
      if (!(e instanceof FlashError) || e.code !== 'FLASH_NACK') throw e;
      readoutProtected = true;
      await client.recover();
    }
  }
  return {
    productId: info.productId,
    device: device?.name,
    bootloaderVersion: `${info.version >> 4}.${info.version & 0xf}`,
    commands: info.commands.map(commandName),
    readoutProtected,
    flash,
  };
}
