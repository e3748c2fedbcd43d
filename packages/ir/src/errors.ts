import { TinyforgeError } from '@tinyforge/common';

// The error base lives in @tinyforge/common (one class for every package); re-exported here so that code which
// imports it from the IR keeps working.
export { TinyforgeError, isTinyforgeError } from '@tinyforge/common';
export type { ErrorLocation } from '@tinyforge/common';

/** The IR itself is inconsistent: bad shapes, dtypes, order, dangling tensor references. */
export class IrValidationError extends TinyforgeError {
  override readonly name = 'IrValidationError';
}
