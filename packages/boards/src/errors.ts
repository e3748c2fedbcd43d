import { ErrorLocation, TinyforgeError } from '@tinyforge/common';

/**
 * A board definition, a firmware build or a virtual board failed.
 * - BOARD_INVALID: a board.json does not match the schema (the message names the file and the JSON path).
 * - BOARD_UNKNOWN: no board of that name (the message lists the known ones).
 * - BOARD_IO: a board file or a build input cannot be read or written.
 * - BOARD_TOOLCHAIN: arm-none-eabi-gcc (or qemu-system-arm) is missing; the message says how to install it.
 * - BOARD_BUILD: the compiler or linker rejected the sources.
 * - BOARD_OVERFLOW: the firmware does not fit the board's flash or RAM (the message gives the overflow in bytes).
 * - BOARD_QEMU: a virtual board could not be started or died.
 * - BOARD_FLASH: the board has no flashing method for what was asked, or no port (or drive) to flash through.
 */
export type BoardErrorCode =
  | 'BOARD_INVALID'
  | 'BOARD_UNKNOWN'
  | 'BOARD_IO'
  | 'BOARD_TOOLCHAIN'
  | 'BOARD_BUILD'
  | 'BOARD_OVERFLOW'
  | 'BOARD_QEMU'
  | 'BOARD_FLASH';

export class BoardError extends TinyforgeError {
  override readonly name = 'BoardError';
  constructor(
    override readonly code: BoardErrorCode,
    message: string,
    location: ErrorLocation = {},
  ) {
    super(code, message, location);
  }
}
