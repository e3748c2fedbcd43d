import { ErrorLocation, TinyforgeError } from '@tinyforge/common';

/**
 * The interpreter cannot run a graph or was given bad inputs.
 * INTERP_UNSUPPORTED: an op / dtype / quantization combination no kernel implements (names the node).
 * INTERP_GRAPH: the graph is inconsistent (validation failed).
 * INTERP_INPUT: wrong number or size of inputs.
 */
export type InterpreterErrorCode = 'INTERP_UNSUPPORTED' | 'INTERP_GRAPH' | 'INTERP_INPUT';

export class InterpreterError extends TinyforgeError {
  override readonly name = 'InterpreterError';
  constructor(code: InterpreterErrorCode, message: string, location: ErrorLocation = {}) {
    super(code, message, location);
  }
}
