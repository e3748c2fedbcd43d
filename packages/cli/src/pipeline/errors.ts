import { TinyforgeError } from '@tinyforge/common';

/** Stable codes of the board pipeline (build, boot, flash, exchange) failures that are not another package's. */
export type BoardRunErrorCode =
  | 'RUN_BOARD_OPTION'
  | 'RUN_BOARD_BUILD'
  | 'RUN_BOARD_FIRMWARE'
  | 'RUN_BOARD_TIMEOUT'
  | 'RUN_BOARD_PROTOCOL'
  | 'RUN_BOARD_INVOKE'
  | 'RUN_BOARD_CLOSED'
  | 'RUN_BOARD_INTERRUPTED';

export class BoardRunError extends TinyforgeError {
  override readonly name: string = 'BoardRunError';
  constructor(
    override readonly code: BoardRunErrorCode,
    message: string,
    location: { file?: string } = {},
  ) {
    super(code, message, location);
  }
}
