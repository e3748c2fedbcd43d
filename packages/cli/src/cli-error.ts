import { TinyforgeError } from '@tinyforge/ir';

/** A usage error: wrong arguments or options. The CLI exits with status 2 for these. */
export class UsageError extends TinyforgeError {
  override readonly name = 'UsageError';
  constructor(message: string) {
    super('USAGE', message);
  }
}

/** A command that this build of tinyforge does not provide yet. */
export class UnavailableError extends TinyforgeError {
  override readonly name = 'UnavailableError';
  constructor(command: string, detail: string) {
    super('UNAVAILABLE', `'${command}' is not available in this version: ${detail}`);
  }
}
