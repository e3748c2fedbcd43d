// Test support for the kernels and their users: host compilation against the kernel sources, vector files for
// the C drivers, whole-model programs run on QEMU Cortex-M targets, and property-test draws. Not public API.
export { compileWithKernels, compileWithKernelsAsync, hasCompiler, STRICT_C_FLAGS } from '../host-compiler';
export { encodeVectorFile } from '../vector-file';
export {
  buildModelProgram,
  compareWithInterpreterOnCortex,
  CORTEX_M33,
  CORTEX_M4,
  CORTEX_M55,
  CORTEX_M7,
  fnv1a,
  runModelProgram,
  runModelProgramAsync,
} from './model-program';
export type { CallForm, CortexTarget, LayerCost, ModelRun } from './model-program';
export { perTensor, Rng } from './property-harness';
