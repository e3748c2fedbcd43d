// What users of the flasher call: flash an image over a protocol, open ports, load images, talk to a bootloader.
// Emulators, in-memory cables, virtual clocks and fault injection are in '@tinyforge/flasher/testing'.
export { FlashError, ImageError, isFlashError } from './errors';
export type { FlashErrorCode, ImageErrorCode } from './errors';
export type { FlashPhase, FlashProgress, ProgressCallback } from './progress';

export { flashImage, listPorts, stm32Info } from './flash-image';
export type { FlashImageOptions, FlashProtocol, FlashResult, PortInfo, Stm32Info } from './flash-image';

export type { LineSignals, Parity, Transport } from './transport/transport';
export type { Clock } from './transport/clock';
export { SerialTransport } from './transport/serial-transport';
export type { SerialOpenOptions } from './transport/serial-transport';
export { StreamTransport } from './transport/stream-transport';

export { loadImageFile, parseBin, parseImage, MAX_IMAGE_FILE_BYTES } from './image/load-image';
export type { ImageFormat, LoadImageOptions } from './image/load-image';
export type { FlashImage, Segment } from './image/image';
export { imageSize } from './image/image';
export { parseElf, readElfSections } from './image/elf';
export type { ElfSection } from './image/elf';
export { formatIntelHex, parseIntelHex } from './image/intel-hex';

export { flashStm32 } from './protocols/stm32/flash-stm32';
export type { Stm32FlashOptions, Stm32FlashResult, VerifyMode } from './protocols/stm32/flash-stm32';
export { Stm32Client } from './protocols/stm32/client';
export { stm32Crc } from './protocols/stm32/constants';
export type { BootloaderInfo, Stm32Timeouts } from './protocols/stm32/client';
export { findStm32Device, STM32_DEVICES } from './protocols/stm32/devices';
export type { Stm32Device } from './protocols/stm32/devices';
export type { FlashLayout, SectorRun } from './protocols/stm32/flash-map';
export { resetIntoApplication, resetIntoBootloader } from './protocols/stm32/reset-lines';
export type { ResetMode } from './protocols/stm32/reset-lines';

export { flashSamba } from './protocols/samba/flash-samba';
export type { SambaFlashOptions, SambaFlashResult } from './protocols/samba/flash-samba';
export { SambaClient } from './protocols/samba/client';
export type { SambaTimeouts } from './protocols/samba/client';

export { flashMsd } from './protocols/msd/flash-msd';
export type { MsdFlashOptions, MsdFlashResult } from './protocols/msd/flash-msd';
export { imageToUf2, parseUf2, UF2_FAMILIES } from './protocols/msd/uf2';
