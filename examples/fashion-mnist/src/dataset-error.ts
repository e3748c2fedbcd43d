import { ErrorLocation, TinyforgeError } from '@tinyforge/common';

/**
 * A dataset file is missing, unreadable or malformed. Codes: DATASET_NOT_FOUND, DATASET_IO, DATASET_MALFORMED
 * (bad magic, truncated, sizes that disagree with the header), DATASET_MISMATCH (images and labels disagree),
 * DATASET_LIMIT (a header asks for more than we allocate). The location names the file and byte offset.
 */
export class DatasetError extends TinyforgeError {
  override readonly name = 'DatasetError';
  constructor(code: DatasetErrorCode, message: string, location: ErrorLocation = {}) {
    super(code, message, location);
  }
}

export type DatasetErrorCode = 'DATASET_NOT_FOUND' | 'DATASET_IO' | 'DATASET_MALFORMED' | 'DATASET_MISMATCH' | 'DATASET_LIMIT';
