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

/** Upper bounds checked before any allocation sized by a model file. */
export const LIMITS = {
  /** Elements in one tensor. */
  maxTensorElements: 1 << 28,
  /** Rank of one tensor. */
  maxRank: 8,
  /** Tensors / nodes in one graph. */
  maxTensors: 1 << 20,
  maxNodes: 1 << 20,
  /** Bytes of one model file. */
  maxFileBytes: 1 << 30,
} as const;
