export { kernelIncludeDir, kernelSourceDir, kernelHeaderName, kernelSources } from './sources';
export * from './kernel-call';
export { lowerNode } from './lower-node';
export { packConvFilter, withPackedFilter, hasPackedFilter, packedConvPreferred, packedConvScratchBytes, packedFilterWords, requantizeFolded, prefersFirstLayerPath } from './pack-conv';
export type { PackedConvFilter } from './pack-conv';
export { KernelLoweringError } from './errors';
// Host compilation and vector files for tests: '@tinyforge/kernels-cmsis/testing'.
