export { kernelIncludeDir, kernelSourceDir, kernelHeaderName, kernelSources } from './sources';
export * from './kernel-call';
export { lowerNode } from './lower-node';
export { KernelLoweringError } from './errors';
export { encodeVectorFile } from './vector-file';
export { compileWithKernels, compileWithKernelsAsync, hasCompiler, STRICT_C_FLAGS } from './host-compiler';
