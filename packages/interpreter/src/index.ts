export * from './errors';
export * from './fixed-point';
export * from './interpreter';
export * from './io';
export { dtypeRange, floatActivationRange, layerMultipliers, perChannelMultipliers, quantizedActivationRange } from './quant-params';
export type { Range } from './quant-params';
export { checkedLog2, int16ActivationInputScaling, populateInt16Lut } from './int16-fixed-point';
export { kissFftrTables } from './kernels/signal-fft';
export { LOG_LUT } from './kernels/signal';
