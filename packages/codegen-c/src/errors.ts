import { ErrorLocation, TinyforgeError } from '@tinyforge/common';

/**
 * Code generation cannot proceed: an operator or data type without a kernel (CODEGEN_UNSUPPORTED), a plan that
 * does not fit the board (CODEGEN_RAM_OVERFLOW / CODEGEN_FLASH_OVERFLOW), or a plan that fails its check
 * (CODEGEN_PLAN_INVALID, always a tinyforge bug), or an option out of range (CODEGEN_OPTION).
 */
export class CodegenError extends TinyforgeError {
  override readonly name = 'CodegenError';
  constructor(code: string, message: string, location: ErrorLocation = {}) {
    super(code, message, location);
  }
}
