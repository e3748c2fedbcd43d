/**
 * The scratch-geometry constants of include/tfg_nn.h, read from the header when this module loads: the TypeScript
 * scratch sizes are computed from the same numbers as the C `_get_buffer_size` functions, never from copies.
 */
import * as fs from 'fs';
import * as path from 'path';
import { kernelHeaderName, kernelIncludeDir } from '../sources';

/** Every `#define NAME <integer>` of a C header. */
export function integerDefines(text: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const m of text.matchAll(/^[ \t]*#[ \t]*define[ \t]+([A-Z_][A-Z0-9_]*)[ \t]+\(?(-?\d+)\)?[ \t]*(?:\/[*/].*)?$/gm)) {
    found.set(m[1], Number(m[2]));
  }
  return found;
}

const headerPath = path.join(kernelIncludeDir, kernelHeaderName);
const defines = integerDefines(fs.readFileSync(headerPath, 'utf8'));

function constant(name: string): number {
  const value = defines.get(name);
  if (value === undefined) throw new Error(`${headerPath} defines no integer ${name}`);
  return value;
}

export const HEADER_CONSTANTS = {
  /** Output pixels per im2col block of tfg_convolve_s8. */
  convBlockRows: constant('TFG_CONV_BLOCK_ROWS'),
  /** Depth values per widened step of the DSP paths. */
  widenStep: constant('TFG_NN_WIDEN_STEP'),
  /** Widest receptive field the DSP first-layer convolution takes. */
  fewChannelsMaxDepth: constant('TFG_CONV_FEW_MAX_DEPTH'),
  /** Words of a channel pair's record besides its weights. */
  pairRecordWords: constant('TFG_CONV_PAIR_RECORD_WORDS'),
  /** Packed filters pad the depth to a multiple of this. */
  packedDepthStep: constant('TFG_CONV_PACKED_DEPTH_STEP'),
  /** Depth values per block of the fully connected DSP path. */
  fcBlockDepth: constant('TFG_FC_BLOCK_DEPTH'),
  /** Rows per group of an interleaved fully connected filter. */
  fcGroupRows: constant('TFG_FC_GROUP_ROWS'),
  /** Deepest fully connected input the DSP path widens in scratch when the depth is a multiple of 4. */
  fcWidenMaxDepth: constant('TFG_FC_WIDEN_MAX_DEPTH'),
  /** Rows the Helium convolution GEMM stages at a time. */
  mveBlockRows: constant('TFG_MVE_BLOCK_ROWS'),
  /** Depth values per chunk of the Helium GEMM's staged rows. */
  mveChunk: constant('TFG_MVE_CHUNK'),
} as const;
