import { ErrorLocation, TinyforgeError } from '@tinyforge/common';

/**
 * A model file is malformed (bad offsets, truncated, inconsistent) or uses something we do not support.
 * Codes: FORMAT_UNKNOWN, FORMAT_MALFORMED, FORMAT_BOUNDS, FORMAT_UNSUPPORTED, FORMAT_EXTERNAL_DATA, FORMAT_LIMIT,
 * FORMAT_IO. The location names the file, the node or the byte offset.
 */
export class ModelFormatError extends TinyforgeError {
  override readonly name = 'ModelFormatError';
  constructor(code: ModelFormatErrorCode, message: string, location: ErrorLocation = {}) {
    super(code, message, location);
  }
}

export type ModelFormatErrorCode =
  | 'FORMAT_UNKNOWN'
  | 'FORMAT_MALFORMED'
  | 'FORMAT_BOUNDS'
  | 'FORMAT_UNSUPPORTED'
  | 'FORMAT_EXTERNAL_DATA'
  | 'FORMAT_LIMIT'
  | 'FORMAT_IO';

/** Upper bounds checked before any allocation sized by a model file: the IR's one LIMITS table. */
export { LIMITS } from '@tinyforge/ir';
