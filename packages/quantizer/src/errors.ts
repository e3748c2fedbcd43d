import { ErrorLocation, TinyforgeError } from '@tinyforge/common';

/**
 * The quantizer cannot do what was asked.
 * QUANT_NOT_FLOAT: the model is not a float model (already quantized); hybrid models are dequantized and quantized.
 * QUANT_UNSUPPORTED: an op (or an attribute of it) the int8 scheme does not cover; names the node.
 * QUANT_CALIB_MISSING: no calibration data given (and `random` not asked for explicitly).
 * QUANT_CALIB_FORMAT: a calibration file is malformed (names the file and, where known, the byte offset).
 * QUANT_CALIB_SHAPE: calibration samples do not fit the model input.
 * QUANT_CALIB_EMPTY: no samples found (empty folder, zero-length array).
 * QUANT_OPTIONS: contradictory or out-of-range options.
 */
export type QuantizerErrorCode =
  | 'QUANT_NOT_FLOAT'
  | 'QUANT_UNSUPPORTED'
  | 'QUANT_CALIB_MISSING'
  | 'QUANT_CALIB_FORMAT'
  | 'QUANT_CALIB_SHAPE'
  | 'QUANT_CALIB_EMPTY'
  | 'QUANT_OPTIONS';

export class QuantizerError extends TinyforgeError {
  override readonly name = 'QuantizerError';
  constructor(code: QuantizerErrorCode, message: string, location: ErrorLocation = {}) {
    super(code, message, location);
  }
}
