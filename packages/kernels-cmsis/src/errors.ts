import { TinyforgeError } from '@tinyforge/common';

/**
 * A node cannot be mapped onto a kernel: unsupported dtype, layout, quantization or geometry.
 * Codes: KERNEL_UNSUPPORTED_OP, KERNEL_UNSUPPORTED_TYPE, KERNEL_BAD_QUANTIZATION, KERNEL_BAD_SHAPE.
 */
export class KernelLoweringError extends TinyforgeError {
  override readonly name = 'KernelLoweringError';
}
