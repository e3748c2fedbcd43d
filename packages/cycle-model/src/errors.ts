import { ErrorLocation, TinyforgeError } from '@tinyforge/common';

/**
 * The cycle estimator could not get or read an execution trace.
 * - CYCLES_TRACE: QEMU's execution log is not what the parser reads (a block executed whose instructions were not
 *   logged, an unreadable line), or QEMU failed or timed out while tracing.
 * - CYCLES_SYMBOL: a symbol the layer attribution needs is not in the ELF (or arm-none-eabi-nm failed).
 * - CYCLES_TOOL: qemu-system-arm, arm-none-eabi-gcc or arm-none-eabi-nm is missing.
 */
export type CycleModelErrorCode = 'CYCLES_TRACE' | 'CYCLES_SYMBOL' | 'CYCLES_TOOL';

export class CycleModelError extends TinyforgeError {
  override readonly name = 'CycleModelError';
  constructor(
    override readonly code: CycleModelErrorCode,
    message: string,
    location: ErrorLocation = {},
  ) {
    super(code, message, location);
  }
}
