import { ErrorLocation, TinyforgeError } from '@tinyforge/common';

/**
 * Stable codes of everything that can go wrong while flashing. The CLI prints them as `error[CODE]`; callers and
 * the fault-injection test branch on them.
 */
export type FlashErrorCode =
  | 'FLASH_NO_SYNC'
  | 'FLASH_NACK'
  | 'FLASH_TIMEOUT'
  | 'FLASH_VERIFY'
  | 'FLASH_PROTECTED'
  | 'FLASH_TOO_LARGE'
  | 'FLASH_ADDRESS'
  | 'FLASH_PORT_CLOSED'
  | 'FLASH_PORT_OPEN'
  | 'FLASH_PROTOCOL'
  | 'FLASH_UNSUPPORTED'
  | 'FLASH_SIGNALS_UNAVAILABLE'
  | 'FLASH_NEEDS_FORCE'
  | 'FLASH_DEVICE_FAILED'
  | 'FLASH_BAD_OPTION';

export class FlashError extends TinyforgeError {
  override readonly name: string = 'FlashError';
  constructor(
    override readonly code: FlashErrorCode,
    message: string,
    /** What the user can do about it, when there is something. */
    readonly hint?: string,
  ) {
    super(code, hint ? `${message} (hint: ${hint})` : message);
  }
}

export type ImageErrorCode =
  | 'IMAGE_READ'
  | 'IMAGE_FORMAT'
  | 'IMAGE_TRUNCATED'
  | 'IMAGE_CHECKSUM'
  | 'IMAGE_RECORD'
  | 'IMAGE_OVERLAP'
  | 'IMAGE_EMPTY'
  | 'IMAGE_ADDRESS'
  | 'IMAGE_TOO_LARGE';

/** A firmware image that cannot be loaded: names the file and the byte offset or line. */
export class ImageError extends TinyforgeError {
  override readonly name = 'ImageError';
  constructor(
    override readonly code: ImageErrorCode,
    message: string,
    location: ErrorLocation & { line?: number } = {},
  ) {
    const { line, ...rest } = location;
    super(code, line !== undefined ? `line ${line}: ${message}` : message, rest);
  }
}

export function isFlashError(e: unknown, code?: FlashErrorCode): e is FlashError {
  return e instanceof FlashError && (code === undefined || e.code === code);
}
