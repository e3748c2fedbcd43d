/**
 * Paths of the C test harness (vector runner, host driver, bare-metal startup) and a builder for the host
 * vector driver. Used by this package's tests and benchmark; not part of the public API.
 */
import * as path from 'path';
import { compileWithKernels } from '../host-compiler';

export const TEST_DIR = path.resolve(__dirname, '../../test');
export const COMMON_DIR = path.join(TEST_DIR, 'common');
export const QEMU_DIR = path.join(TEST_DIR, 'qemu');
/** The vector runner's sources: the int8 ops and the 16-bit, float32 and recurrent ones. */
export const VECTOR_RUNNER = [path.join(COMMON_DIR, 'tfg_vector.c'), path.join(COMMON_DIR, 'tfg_vector_s16.c')];

/** Build the host driver that runs vector files (`driver vec out [vec out ...]`) into `output`. */
export function buildVectorDriver(output: string, flags: string[] = []): void {
  compileWithKernels([path.join(TEST_DIR, 'host', 'tfg_vector_driver.c'), ...VECTOR_RUNNER], output, { flags });
}
