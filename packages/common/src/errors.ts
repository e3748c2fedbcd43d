import { shortName } from './text';

/**
 * Every error tinyforge raises on bad input is a TinyforgeError with a stable code, so that the CLI can print
 * `error[CODE]: message` and callers can branch on `code` instead of parsing messages. Each package subclasses it
 * with its own code family; docs/errors.md (from error-catalogue.ts) says what each code means and what to do.
 */
export interface ErrorLocation {
  /** File the problem was found in. */
  file?: string;
  /** Node (operator) name, when the problem belongs to one node. */
  node?: string;
  /** Byte offset into the file, when the problem is a malformed byte range. */
  offset?: number;
}

export class TinyforgeError extends Error {
  override readonly name: string = 'TinyforgeError';
  constructor(
    readonly code: string,
    message: string,
    readonly location: ErrorLocation = {},
  ) {
    super(formatMessage(message, location));
  }
}

function formatMessage(message: string, loc: ErrorLocation): string {
  const where: string[] = [];
  if (loc.file !== undefined) where.push(loc.file);
  // Model node names can run to hundreds of characters (TFLite's ';'-joined fused names): the message carries a
  // short form, `location.node` the whole name.
  if (loc.node !== undefined) where.push(`node '${shortName(loc.node, 80)}'`);
  if (loc.offset !== undefined) where.push(`byte ${loc.offset}`);
  return where.length > 0 ? `${where.join(', ')}: ${message}` : message;
}

export function isTinyforgeError(e: unknown): e is TinyforgeError {
  return e instanceof TinyforgeError;
}
