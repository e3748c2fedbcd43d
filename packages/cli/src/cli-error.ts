import { TinyforgeError } from '@tinyforge/common';

/** A usage error: wrong arguments or options. The CLI exits with status 2 for these. */
export class UsageError extends TinyforgeError {
  override readonly name = 'UsageError';
  constructor(message: string) {
    super('USAGE', message);
  }
}
