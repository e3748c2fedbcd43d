export * from './errors';
export * from './fixed-point';
export * from './interpreter';
export * from './io';
export { dtypeRange, floatActivationRange, layerMultipliers, perChannelMultipliers, quantizedActivationRange } from './quant-params';
export type { Range } from './quant-params';
